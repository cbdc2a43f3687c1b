// TLS to MariaDB with a verified CA (MySqlOptions::ssl_ca: sslCA and
// sslVerify in Connector/C++), against the test server that tools/db starts
// with a certificate of its own private CA (DUMAS_TEST_MYSQL_SSL_CA).
#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/connection_pool.h"
#include "tests/test_database.h"

namespace dumas {
namespace {

class DatabaseTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* ca = std::getenv("DUMAS_TEST_MYSQL_SSL_CA");
    const char* port = std::getenv("DUMAS_TEST_MYSQL_PORT");
    ASSERT_TRUE(ca != nullptr && port != nullptr)
        << "DUMAS_TEST_MYSQL_SSL_CA and DUMAS_TEST_MYSQL_PORT are not set: run through "
           "tools/test, whose MariaDB (tools/db) serves TLS";
    ca_ = ca;
    ASSERT_TRUE(absl::SimpleAtoi(port, &port_));
    auto database = testing::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
  }

  // The service account's options over TCP with TLS verified against `ca`.
  MySqlOptions OverTls(const std::string& ca) const {
    MySqlOptions options = database_->options();
    options.socket.clear();
    options.host = "127.0.0.1";
    options.port = port_;
    options.ssl_ca = ca;
    return options;
  }

  std::string ca_;
  int port_ = 0;
  std::unique_ptr<testing::TestDatabase> database_;
};

TEST_F(DatabaseTlsTest, ServiceAccountConnectsOverVerifiedTls) {
  auto connection = DialMySql(OverTls(ca_), /*select_database=*/true);
  ASSERT_TRUE(connection.ok()) << connection.status();
  std::unique_ptr<sql::Statement> s((*connection)->createStatement());
  std::unique_ptr<sql::ResultSet> rs(s->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
  ASSERT_TRUE(rs->next());
  EXPECT_FALSE(rs->getString(2).asStdString().empty());
  std::unique_ptr<sql::ResultSet> count(
      s->executeQuery("SELECT COUNT(*) FROM categories"));
  ASSERT_TRUE(count->next());
  EXPECT_GT(count->getInt64(1), 0);
}

TEST_F(DatabaseTlsTest, ServerOfAnotherCaIsRefused) {
  char dir[] = "/tmp/dumas-db-tls.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ASSERT_EQ(std::system(absl::StrCat(DUMAS_SOURCE_DIR, "/tools/certs ca ", dir).c_str()), 0);
  auto connection = DialMySql(OverTls(absl::StrCat(dir, "/ca.pem")), /*select_database=*/true);
  EXPECT_EQ(connection.status().code(), absl::StatusCode::kUnavailable) << connection.status();
  (void)std::system(absl::StrCat("rm -rf ", dir).c_str());
}

}  // namespace
}  // namespace dumas
