// Revocation is immediate, with the real token cache: a revoked principal's
// calls fail at once on the server that revoked it and within seconds on the
// others, its open notification streams end with UNAUTHENTICATED, nothing is
// leased to it afterwards, and no lookup that raced the revocation puts its
// token back into a cache.
#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

class RevocationTest : public ServiceFixture {
 protected:
  // The real token cache (30 s), not the tests' usual none.
  ServerOptions Options() const override {
    ServerOptions options = ServiceFixture::Options();
    options.token_cache_ttl = ServerOptions().token_cache_ttl;
    return options;
  }

  void SetUp() override {
    ServiceFixture::SetUp();
    gateway_ = NewToken("gateway-wa", Role::kGateway, "", ChannelSet{Channel::kWhatsapp});
    auto principal = store().Authenticate(gateway_);
    ASSERT_TRUE(principal.ok()) << principal.status();
    gateway_id_ = principal->id;
  }

  grpc::Status Revoke(v1::AdminService::Stub& admin) {
    v1::RevokePrincipalRequest request;
    request.set_name(absl::StrCat("principals/", gateway_id_));
    v1::RevokePrincipalResponse response;
    grpc::ClientContext context;
    Authorize(context, token(Role::kAdmin));
    return admin.RevokePrincipal(&context, request, &response);
  }

  static grpc::Status Fetch(v1::NotificationService::Stub& stub, const std::string& token) {
    v1::FetchNotificationsRequest request;
    v1::FetchNotificationsResponse response;
    grpc::ClientContext context;
    Authorize(context, token);
    return stub.FetchNotifications(&context, request, &response);
  }

  // Opens a notification stream as the gateway, revokes it through `admin`,
  // and returns how long the stream took to end, and how.
  std::pair<absl::Duration, grpc::Status> StreamUntilRevoked(
      v1::NotificationService::Stub& streams, v1::AdminService::Stub& admin) {
    grpc::ClientContext context;
    Authorize(context, gateway_);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::StreamNotificationsRequest request;
    auto reader = streams.StreamNotifications(&context, request);
    // The stream is open (and leases) before the revocation.
    v1::SubmitComplaintResponse before;
    EXPECT_TRUE(Submit(ValidRequest(), &before).ok());
    v1::StreamNotificationsResponse message;
    EXPECT_TRUE(reader->Read(&message));
    EXPECT_TRUE(Revoke(admin).ok());
    const absl::Time revoked = absl::Now();
    // A complaint after the revocation: its receipt must not be leased.
    v1::SubmitComplaintResponse after;
    EXPECT_TRUE(Submit(ValidRequest(), &after).ok());
    while (reader->Read(&message)) {
      EXPECT_NE(message.notification().complaint(), after.complaint().name());
    }
    const grpc::Status status = reader->Finish();
    const absl::Duration took = absl::Now() - revoked;
    absl::SleepFor(absl::Milliseconds(700));  // a poll round more
    EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM notifications n JOIN complaints c"
                                 " ON c.id = n.complaint_id WHERE n.attempts > 0"
                                 " AND c.reference_number = '",
                                 after.reference_number(), "'")),
              0);
    return {took, status};
  }

  int64_t Count(const std::string& sql) {
    auto n = database().QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  std::string gateway_;
  int64_t gateway_id_ = 0;
};

TEST_F(RevocationTest, AStreamOnTheRevokingServerEndsAtOnce) {
  ASSERT_TRUE(Fetch(notifications(), gateway_).ok());  // the token is cached now
  const auto [took, status] = StreamUntilRevoked(notifications(), admin());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_EQ(Fetch(notifications(), gateway_).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(RevocationTest, AStreamOnAnotherServerEndsWithinSeconds) {
  std::unique_ptr<OtherServer> other = StartOtherServer(Options());
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(Fetch(*other->notifications, gateway_).ok());  // cached over there
  const auto [took, status] = StreamUntilRevoked(*other->notifications, admin());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_LT(took, absl::Seconds(5));
}

TEST_F(RevocationTest, OtherServersDropTheRevokedTokenWithinSeconds) {
  std::unique_ptr<OtherServer> other = StartOtherServer(Options());
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(Fetch(*other->notifications, gateway_).ok());  // cached for 30 s over there
  ASSERT_TRUE(Revoke(admin()).ok());
  const absl::Time revoked = absl::Now();
  grpc::Status status;
  do {
    status = Fetch(*other->notifications, gateway_);
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() - revoked < absl::Seconds(10));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_LT(absl::Now() - revoked, absl::Seconds(5));
}

// A PrincipalStore that answers as the real one but can hold its next answer
// back, so that a revocation commits between the lookup and its caching.
class HoldingPrincipalStore : public PrincipalStore {
 public:
  explicit HoldingPrincipalStore(PrincipalStore& real) : real_(real) {}

  absl::StatusOr<Principal> Authenticate(std::string_view token) override {
    absl::StatusOr<Principal> answer = real_.Authenticate(token);
    absl::MutexLock lock(&mu_);
    if (hold_next_) {
      hold_next_ = false;
      holding_ = true;
      mu_.Await(absl::Condition(+[](bool* holding) { return !*holding; }, &holding_));
    }
    return answer;
  }
  absl::StatusOr<std::string> CreatePrincipal(std::string_view name, Role role,
                                              std::string_view unit_id,
                                              ChannelSet channels) override {
    return real_.CreatePrincipal(name, role, unit_id, channels);
  }
  absl::StatusOr<std::vector<Principal>> PrincipalsByCertificate(
      const std::vector<std::string>& identities) override {
    return real_.PrincipalsByCertificate(identities);
  }
  absl::StatusOr<std::string> RevocationMark() override { return real_.RevocationMark(); }

  void HoldNext() {
    absl::MutexLock lock(&mu_);
    hold_next_ = true;
  }
  void AwaitHolding() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(+[](bool* holding) { return *holding; }, &holding_));
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    holding_ = false;
  }

 private:
  PrincipalStore& real_;
  absl::Mutex mu_;
  bool hold_next_ ABSL_GUARDED_BY(mu_) = false;
  bool holding_ ABSL_GUARDED_BY(mu_) = false;
};

TEST_F(RevocationTest, ALookupThatRacedTheRevocationIsNotCached) {
  HoldingPrincipalStore holding(store());
  // Revocations by other servers show after the watch interval; make it long,
  // so only the revoking server's own drop of its cache is tested here.
  ServerOptions options = Options();
  options.health_interval = absl::Hours(1);
  std::unique_ptr<OtherServer> other = StartOtherServer(options, &holding);
  ASSERT_NE(other, nullptr);
  // Warm the admin token's cache entry, so that only the gateway is held.
  ASSERT_EQ(Fetch(*other->notifications, token(Role::kAdmin)).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A submission (which asks nothing more of the principal's row) races the
  // revocation.
  auto submit = [&] {
    v1::SubmitComplaintResponse response;
    grpc::ClientContext context;
    Authorize(context, gateway_);
    return other->complaints->SubmitComplaint(&context, ValidRequest(), &response);
  };
  holding.HoldNext();
  grpc::Status raced;
  std::thread call([&] { raced = submit(); });
  holding.AwaitHolding();  // the store said "active"; the answer is not cached yet
  ASSERT_TRUE(Revoke(*other->admin).ok());
  holding.Release();
  call.join();
  EXPECT_TRUE(raced.ok()) << raced.error_message();  // it began before the revocation
  // Its answer must not have been cached after the revocation dropped the cache.
  EXPECT_EQ(submit().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace dumas
