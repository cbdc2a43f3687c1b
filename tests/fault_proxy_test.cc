// FaultProxy (tests/fault_proxy.h) against the test MariaDB: it relays, cuts
// the chosen statement the chosen way, delays commands and closes every
// connection on command.
#include "tests/fault_proxy.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "storage/connection_pool.h"
#include "storage/sql_error.h"
#include "tests/test_database.h"

namespace dumas::testing {
namespace {

class FaultProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int port = 0;
    const char* env = std::getenv("DUMAS_TEST_MYSQL_PORT");
    ASSERT_TRUE(env != nullptr && absl::SimpleAtoi(env, &port))
        << "DUMAS_TEST_MYSQL_PORT is not set: run the test through tools/test";
    auto database = TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    auto proxy = FaultProxy::Start("127.0.0.1", port);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = *std::move(proxy);
  }

  // A connection to the test database through the proxy.
  std::unique_ptr<sql::Connection> Dial() {
    // As root: the probe table is the test's own, granted to no one.
    MySqlOptions options = database_->admin_options();
    options.socket.clear();
    options.host = "127.0.0.1";
    options.port = proxy_->port();
    auto connection = DialMySql(options, /*select_database=*/true);
    EXPECT_TRUE(connection.ok()) << connection.status();
    return connection.ok() ? *std::move(connection) : nullptr;
  }

  // Runs `sql` (no result set); OK, or the status of what it threw.
  static absl::Status Execute(sql::Connection& connection, const std::string& sql) {
    try {
      std::unique_ptr<sql::Statement> statement(connection.createStatement());
      statement->execute(sql);
      return absl::OkStatus();
    } catch (const sql::SQLException& e) {
      return SqlErrorToStatus(e);
    }
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(FaultProxyTest, CutsTheChosenStatementBeforeForwardingIt) {
  ASSERT_TRUE(database_->Execute("CREATE TABLE probe (id INT PRIMARY KEY)").ok());
  std::unique_ptr<sql::Connection> connection = Dial();
  ASSERT_NE(connection, nullptr);
  proxy_->Arm({.statement = "INSERT INTO probe", .skip = 1, .times = 1});
  EXPECT_TRUE(Execute(*connection, "INSERT INTO probe VALUES (1)").ok()) << "skipped";
  EXPECT_TRUE(absl::IsUnavailable(Execute(*connection, "  insert into probe VALUES (2)")));
  EXPECT_FALSE(proxy_->armed());
  EXPECT_EQ(proxy_->stats().cuts_before_forwarding, 1);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM probe").value_or(-1), 1)
      << "the cut statement never reached the server";

  std::unique_ptr<sql::Connection> again = Dial();
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(Execute(*again, "INSERT INTO probe VALUES (2)").ok());
  EXPECT_EQ(proxy_->stats().connections, 2);
}

TEST_F(FaultProxyTest, CutsTheChosenStatementBeforeItsReply) {
  ASSERT_TRUE(database_->Execute("CREATE TABLE probe (id INT PRIMARY KEY)").ok());
  std::unique_ptr<sql::Connection> connection = Dial();
  ASSERT_NE(connection, nullptr);
  proxy_->Arm({.statement = "INSERT", .cut = FaultProxy::Cut::kBeforeReply});
  const absl::Status status = Execute(*connection, "INSERT INTO probe VALUES (7)");
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  EXPECT_TRUE(proxy_->AwaitCuts(1, absl::Now() + absl::Seconds(5)));
  EXPECT_EQ(proxy_->stats().cuts_before_reply, 1);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM probe").value_or(-1), 1)
      << "the statement ran although its answer was withheld";
}

TEST_F(FaultProxyTest, MatchesWholeWordsOnly) {
  std::unique_ptr<sql::Connection> connection = Dial();
  ASSERT_NE(connection, nullptr);
  proxy_->Arm({.statement = "DO 1"});
  EXPECT_TRUE(Execute(*connection, "DO 12").ok());
  EXPECT_TRUE(proxy_->armed());
  EXPECT_FALSE(Execute(*connection, "DO 1").ok());
  EXPECT_EQ(proxy_->stats().cuts_before_forwarding, 1);
}

TEST_F(FaultProxyTest, DelaysCommands) {
  std::unique_ptr<sql::Connection> connection = Dial();
  ASSERT_NE(connection, nullptr);
  proxy_->SetCommandDelay(absl::Milliseconds(300));
  const absl::Time start = absl::Now();
  EXPECT_TRUE(Execute(*connection, "DO 1").ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
  proxy_->SetCommandDelay(absl::ZeroDuration());
}

TEST_F(FaultProxyTest, ClosesEveryConnectionOnCommand) {
  std::unique_ptr<sql::Connection> first = Dial();
  std::unique_ptr<sql::Connection> second = Dial();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  proxy_->CloseAllConnections();
  EXPECT_TRUE(absl::IsUnavailable(Execute(*first, "DO 1")));
  EXPECT_TRUE(absl::IsUnavailable(Execute(*second, "DO 1")));
  std::unique_ptr<sql::Connection> third = Dial();
  ASSERT_NE(third, nullptr);
  EXPECT_TRUE(Execute(*third, "DO 1").ok());
}

}  // namespace
}  // namespace dumas::testing
