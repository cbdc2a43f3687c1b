// The tracking throttle through gRPC against a real MariaDB: a correct pair
// is always answered, wrong pairs spend the budget of the end client that
// makes them (the connection's address, or the citizen a gateway states), the
// count is atomic, and every server of the database shares it across
// restarts.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/reference_number.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

constexpr int kBudget = 20;  // TrackThrottlePolicy's default

class TrackingThrottleTest : public ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    v1::SubmitComplaintResponse submitted;
    ASSERT_TRUE(Submit(ValidRequest(), &submitted).ok());
    reference_ = submitted.reference_number();
    code_ = submitted.tracking_code();
    // A code of the right shape that is not this complaint's.
    wrong_code_ = std::string(1, code_[0] == '3' ? '4' : '3') + code_.substr(1);
  }

  // Tracks through `stub` as `token` ("" for none), stating `end_client`
  // ("" for none) in the metadata.
  static grpc::Status TrackAs(v1::ComplaintService::Stub& stub, const std::string& reference,
                              const std::string& code, const std::string& token = "",
                              const std::string& end_client = "") {
    grpc::ClientContext context;
    Authorize(context, token);
    if (!end_client.empty()) context.AddMetadata("dumas-end-client-ip", end_client);
    v1::TrackComplaintRequest request;
    request.set_reference_number(reference);
    request.set_tracking_code(code);
    v1::TrackComplaintResponse response;
    return stub.TrackComplaint(&context, request, &response);
  }

  grpc::Status Wrong(const std::string& token = "", const std::string& end_client = "") {
    return TrackAs(stub(), reference_, wrong_code_, token, end_client);
  }
  grpc::Status Right(const std::string& token = "", const std::string& end_client = "") {
    return TrackAs(stub(), reference_, code_, token, end_client);
  }

  std::string reference_;
  std::string code_;
  std::string wrong_code_;
};

TEST_F(TrackingThrottleTest, TheOwnerTracksAfterAStrangersGuesses) {
  // A stranger (behind the website) guesses 12 times against the reference.
  const std::string& website = token(Role::kGateway);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(Wrong(website, "198.51.100.66").error_code(), grpc::StatusCode::NOT_FOUND) << i;
  }
  // The owner, from anywhere, is served; so is answering a clarification.
  EXPECT_TRUE(Right().ok());
  EXPECT_TRUE(Right(website, "203.0.113.10").ok());
  // Even when the stranger guesses on past its budget, and the owner shares
  // its address: a correct pair is always served.
  for (int i = 0; i < kBudget; ++i) Wrong(website, "198.51.100.66");
  EXPECT_EQ(Wrong(website, "198.51.100.66").error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Right(website, "198.51.100.66").ok());
  v1::RateComplaintHandlingRequest rate;  // the complainant's actions check the pair the same way
  rate.set_reference_number(reference_);
  rate.set_tracking_code(code_);
  rate.set_rating(4);
  grpc::ClientContext context;
  Authorize(context, website);
  context.AddMetadata("dumas-end-client-ip", "198.51.100.66");
  v1::RateComplaintHandlingResponse rated;
  // Not yet answered: refused for its state, not for the stranger's guesses.
  EXPECT_EQ(stub().RateComplaintHandling(&context, rate, &rated).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(TrackingThrottleTest, CitizensBehindOneGatewayHaveABudgetEach) {
  const std::string& website = token(Role::kGateway);
  for (int i = 1; i <= 25; ++i) {
    EXPECT_EQ(Wrong(website, absl::StrCat("203.0.113.", i)).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << i;
  }
  // The 26th, with a typo and then the right code.
  EXPECT_EQ(Wrong(website, "203.0.113.26").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Right(website, "203.0.113.26").ok());
  // IPv6 citizens count by their /64.
  for (int i = 0; i < kBudget; ++i) Wrong(website, absl::StrCat("2001:db8:7:7::", i + 1));
  EXPECT_EQ(Wrong(website, "2001:db8:7:7:ffff::1").error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Wrong(website, "2001:db8:7:8::1").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TrackingThrottleTest, OneGuessingClientIsThrottled) {
  for (int i = 0; i < kBudget; ++i) {
    EXPECT_EQ(Wrong().error_code(), grpc::StatusCode::NOT_FOUND) << i;
  }
  const grpc::Status refused = Wrong();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("15 minutes"));
  // An unknown reference is a wrong pair like any other.
  EXPECT_EQ(TrackAs(stub(), ReferenceNumber::Generate(), code_).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Without a token a stated address is ignored: no picking a fresh budget.
  EXPECT_EQ(Wrong("", "203.0.113.99").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // The owner at that address is still served.
  EXPECT_TRUE(Right().ok());
  // The budget is stored as a keyed hash, never the address.
  auto rows = database().Query("SELECT HEX(client_key), failures FROM track_failures");
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const auto& row : *rows) {
    EXPECT_EQ(row[0].size(), 64u);
    EXPECT_THAT(row[0], ::testing::Not(::testing::HasSubstr("127")));
  }
}

TEST_F(TrackingThrottleTest, CheckAndCountAreOneStep) {
  constexpr int kGuesses = 50;
  std::atomic<int> not_found{0};
  std::atomic<int> exhausted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kGuesses; ++i) {
    threads.emplace_back([&] {
      const grpc::Status status = Wrong();
      if (status.error_code() == grpc::StatusCode::NOT_FOUND) ++not_found;
      if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++exhausted;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(not_found.load(), kBudget);
  EXPECT_EQ(exhausted.load(), kGuesses - kBudget);
}

TEST_F(TrackingThrottleTest, ServersShareOneBudgetThatOutlivesThem) {
  ServerOptions options = Options();
  std::unique_ptr<OtherServer> other = StartOtherServer(options);
  ASSERT_NE(other, nullptr);
  for (int i = 0; i < kBudget / 2; ++i) {
    EXPECT_EQ(Wrong().error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(TrackAs(*other->complaints, reference_, wrong_code_).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(Wrong().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(TrackAs(*other->complaints, reference_, wrong_code_).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A restart forgets nothing: the budget is in the database.
  other.reset();
  RestartServer();
  EXPECT_EQ(Wrong().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Right().ok());
}

TEST_F(TrackingThrottleTest, ATokenMustBeValidAndAStatedClientAnAddress) {
  EXPECT_EQ(Wrong("not-a-real-token").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Right("not-a-real-token").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Wrong(token(Role::kGateway), "citizen-42").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Staff tokens are fine, but only a gateway may state an end client.
  for (int i = 0; i < kBudget; ++i) Wrong(token(Role::kIntake), absl::StrCat("10.0.0.", i));
  EXPECT_EQ(Wrong(token(Role::kIntake), "10.0.1.1").error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace dumas
