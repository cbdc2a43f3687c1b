// Deadlines down to SQL and load shedding, through gRPC against a real
// MariaDB: a row held locked by another connection makes the calls on it
// slow, as a hot row does in production.
//  - A call's deadline bounds its SQL: the blocked statement is interrupted
//    by the server (max_statement_time) near the deadline, not left waiting
//    for its lock; nothing of the call is written; calls do not pile up.
//  - A call whose deadline has passed runs no SQL.
//  - At the limit of calls in flight the server refuses more at once with
//    RESOURCE_EXHAUSTED, keeps answering health checks and calls served
//    from memory, and serves again as soon as load drops.
// Behaviour, not timing: the bounds checked are generous multiples.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "storage/call_deadline.h"
#include "storage/connection_pool.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

class DeadlineTest : public ServiceFixture {
 protected:
  struct Submitted {
    std::string name;
    std::string reference;
    std::string etag;
  };

  Submitted NewComplaint() {
    v1::SubmitComplaintResponse response;
    const grpc::Status status = Submit(ValidRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    // The etag as staff read it.
    v1::GetComplaintResponse got;
    const grpc::Status read = Get(response.complaint().name(), v1::COMPLAINT_VIEW_BASIC,
                                  token(Role::kSupervisor), &got);
    EXPECT_TRUE(read.ok()) << read.error_message();
    return {response.complaint().name(), response.reference_number(), got.complaint().etag()};
  }

  // Holds the complaint's row locked on the test's own connection until
  // Unlock, as a long transaction elsewhere would.
  void Lock(const Submitted& c) {
    ASSERT_TRUE(database().Execute("START TRANSACTION").ok());
    auto rows = database().Query(absl::StrCat(
        "SELECT id FROM complaints WHERE reference_number = '", c.reference, "' FOR UPDATE"));
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), 1u);
  }
  void Unlock() { ASSERT_TRUE(database().Execute("ROLLBACK").ok()); }

  grpc::Status Verify(const Submitted& c, absl::Duration deadline) {
    grpc::ClientContext context;
    Authorize(context, token(Role::kSupervisor));
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    v1::VerifyComplaintRequest request;
    request.set_name(c.name);
    request.set_etag(c.etag);
    v1::VerifyComplaintResponse response;
    return stub().VerifyComplaint(&context, request, &response);
  }

  // Mutate's locking reads of a complaint (plain or prepared) that have run
  // for more than 300 ms. Only those: the server's own background passes
  // (such as the due-date recompute at start) may also wait for the row,
  // with no caller's deadline.
  int64_t LongStatements() {
    auto n = database().QueryInt(
        "SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE()"
        " AND id <> CONNECTION_ID() AND command IN ('Query', 'Execute') AND time_ms > 300"
        " AND COALESCE(info, '') LIKE '%c.reference_number = %FOR UPDATE%'");
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  // Waits up to `limit` for `done`.
  static bool Eventually(absl::Duration limit, const std::function<bool()>& done) {
    const absl::Time end = absl::Now() + limit;
    while (!done()) {
      if (absl::Now() > end) return false;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return true;
  }

  int64_t Count(const std::string& sql) {
    auto n = database().QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }
  int64_t EventsOf(const Submitted& c) {
    return Count(absl::StrCat(
        "SELECT COUNT(*) FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id"
        " WHERE c.reference_number = '", c.reference, "'"));
  }
};

TEST_F(DeadlineTest, DeadlineInterruptsAStatementBlockedOnALockedRow) {
  const Submitted c = NewComplaint();
  const int64_t events = EventsOf(c);
  const int64_t notifications = Count("SELECT COUNT(*) FROM notifications");
  Lock(c);
  const absl::Time start = absl::Now();
  const grpc::Status status = Verify(c, absl::Seconds(1));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // The server gave up the statement too, while the lock is still held:
  // without a bound it would wait for innodb_lock_wait_timeout (10 s).
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] { return LongStatements() == 0; }))
      << "a statement of the expired call still waits for its lock";
  Unlock();
  // Nothing of the call was written, and the complaint is served again.
  EXPECT_EQ(EventsOf(c), events);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), notifications);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM complaints WHERE reference_number = '",
                               c.reference, "' AND state = 1")),
            1);
  // Read again first, as a client would after an unknown outcome.
  Submitted again = c;
  v1::GetComplaintResponse got;
  ASSERT_TRUE(Get(c.name, v1::COMPLAINT_VIEW_BASIC, token(Role::kSupervisor), &got).ok());
  again.etag = got.complaint().etag();
  const grpc::Status after = Verify(again, absl::Seconds(10));
  EXPECT_TRUE(after.ok()) << after.error_message();
}

TEST_F(DeadlineTest, CallsOnAHotRowDoNotPileUp) {
  const Submitted c = NewComplaint();
  Lock(c);
  constexpr int kCalls = 48;
  std::atomic<int> expired{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&] {
      if (Verify(c, absl::Milliseconds(500)).error_code() ==
          grpc::StatusCode::DEADLINE_EXCEEDED) {
        ++expired;
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(expired.load(), kCalls);
  // Every handler ended, no statement is left waiting, and the connections
  // went back to the pool, all while the row is still locked.
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] { return server().calls_in_flight() == 0; }));
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] { return LongStatements() == 0; }));
  ConnectionPool& pool = store().connection_pool();
  EXPECT_LE(pool.open_connections(), database().options().pool_size);
  // The sequencer and the health loop borrow one now and then.
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] {
    return pool.open_connections() - pool.idle_connections() <= 2;
  }));
  Unlock();
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM complaints WHERE reference_number = '",
                               c.reference, "' AND state = 1")),
            1);
}

TEST_F(DeadlineTest, ACallWhoseDeadlinePassedRunsNoSql) {
  bool ran = false;
  absl::Status status;
  {
    const ScopedCallDeadline deadline(absl::Now() - absl::Milliseconds(1));
    status = store().connection_pool().Run([&](PooledConnection&) {
      ran = true;
      return absl::OkStatus();
    });
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_FALSE(ran);
  // Outside the call the pool serves as before.
  EXPECT_TRUE(store().connection_pool().Run([](PooledConnection&) { return absl::OkStatus(); }).ok());
}

class SheddingTest : public DeadlineTest {
 protected:
  static constexpr int kLimit = 4;
  ServerOptions Options() const override {
    ServerOptions options = DeadlineTest::Options();
    options.max_calls_in_flight = kLimit;
    return options;
  }
};

TEST_F(SheddingTest, RefusesBeyondTheLimitAndRecovers) {
  const Submitted c = NewComplaint();
  Lock(c);
  std::vector<std::thread> blocked;
  for (int i = 0; i < kLimit; ++i) {
    blocked.emplace_back([&] { (void)Verify(c, absl::Seconds(20)); });
  }
  ASSERT_TRUE(Eventually(absl::Seconds(10), [&] { return server().calls_in_flight() == kLimit; }));

  // The next call is refused at once, long before its deadline.
  const absl::Time start = absl::Now();
  const grpc::Status refused = Verify(c, absl::Seconds(20));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));

  // Health and calls served from memory keep working.
  auto health = grpc::health::v1::Health::NewStub(channel());
  {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(DumasServer::kServiceName);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  {
    grpc::ClientContext context;
    v1::ListCategoriesRequest request;
    v1::ListCategoriesResponse response;
    const grpc::Status status = stub().ListCategories(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  // Load drops: the server serves again.
  Unlock();
  for (std::thread& t : blocked) t.join();
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] { return server().calls_in_flight() == 0; }));
  v1::GetComplaintResponse got;
  const grpc::Status status =
      Get(c.name, v1::COMPLAINT_VIEW_BASIC, token(Role::kSupervisor), &got);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace dumas
