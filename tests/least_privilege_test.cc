// The service account of least privilege (storage/grants.sql), as dumasd
// serves: what it may not do to the event log, the transparency log and the
// schema, against a real MariaDB.
#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/connection_pool.h"
#include "storage/database_accounts.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

constexpr int kErTableAccessDenied = 1142;
constexpr int kErColumnAccessDenied = 1143;

class LeastPrivilegeTest : public ServiceFixture {
 protected:
  // The MySQL error `statement` fails with as the service account; 0 when it
  // succeeds.
  int ErrorAsService(const std::string& statement) {
    auto connection = DialMySql(database().options(), /*select_database=*/true);
    EXPECT_TRUE(connection.ok()) << connection.status();
    if (!connection.ok()) return -1;
    try {
      std::unique_ptr<sql::Statement> s((*connection)->createStatement());
      s->execute(statement);
      return 0;
    } catch (const sql::SQLException& e) {
      return e.getErrorCode();
    }
  }
};

TEST_F(LeastPrivilegeTest, ServiceAccountCannotAlterAnEvent) {
  v1::SubmitComplaintResponse response;
  ASSERT_TRUE(Submit(ValidRequest(), &response).ok());
  auto events = database().QueryInt("SELECT COUNT(*) FROM complaint_events");
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_GT(*events, 0);

  // Of an event's or a record's columns, only the sequencer's queue mark may
  // change.
  for (const char* table : {"complaint_events", "log_records"}) {
    auto columns = database().Query(absl::StrCat(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = '",
        database().options().database, "' AND table_name = '", table,
        "' AND column_name <> 'log_pending' AND generation_expression IS NULL"));
    ASSERT_TRUE(columns.ok()) << columns.status();
    ASSERT_GE(columns->size(), 6u) << table;
    for (const std::vector<std::string>& row : *columns) {
      EXPECT_EQ(ErrorAsService(absl::StrCat("UPDATE ", table, " SET `", row[0], "` = `", row[0],
                                            "` WHERE FALSE")),
                kErColumnAccessDenied)
          << table << "." << row[0];
    }
  }
  EXPECT_EQ(ErrorAsService("UPDATE complaint_events SET public_message = 'changed',"
                           " log_pending = NULL"),
            kErColumnAccessDenied);
  EXPECT_EQ(ErrorAsService("REPLACE INTO complaint_events SELECT * FROM complaint_events"),
            kErTableAccessDenied);
  EXPECT_EQ(ErrorAsService("DELETE FROM log_records"), kErTableAccessDenied);
  EXPECT_EQ(ErrorAsService("DELETE FROM complaint_events"), kErTableAccessDenied);
  for (const char* table : {"log_entries", "log_checkpoints", "log_cosignatures", "log_rejected",
                            "log_state"}) {
    EXPECT_EQ(ErrorAsService(absl::StrCat("DELETE FROM ", table)), kErTableAccessDenied)
        << table;
  }
  EXPECT_EQ(ErrorAsService("ALTER TABLE complaint_events ADD COLUMN x INT"),
            kErTableAccessDenied);
  EXPECT_EQ(ErrorAsService("DROP TABLE complaint_events"), kErTableAccessDenied);
  EXPECT_NE(ErrorAsService("CREATE TABLE scratch (id INT)"), 0);
  EXPECT_NE(ErrorAsService("SELECT COUNT(*) FROM mysql.user"), 0);
  // The sequencer takes events and records off its queue: granted.
  EXPECT_EQ(ErrorAsService("UPDATE complaint_events SET log_pending = NULL WHERE FALSE"), 0);
  EXPECT_EQ(ErrorAsService("UPDATE log_records SET log_pending = NULL WHERE FALSE"), 0);
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM complaint_events"), *events);
}

// Each table of the schema has its grant in storage/grants.sql: a migration
// that adds a table without one fails here rather than in production.
TEST_F(LeastPrivilegeTest, EveryTableIsGranted) {
  auto tables = database().Query(absl::StrCat(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = '",
      database().options().database, "'"));
  ASSERT_TRUE(tables.ok()) << tables.status();
  ASSERT_GT(tables->size(), 10u);
  for (const std::vector<std::string>& row : *tables) {
    EXPECT_EQ(ErrorAsService(absl::StrCat("SELECT 1 FROM `", row[0], "` LIMIT 0")), 0) << row[0];
  }
}

TEST_F(LeastPrivilegeTest, AccountsAreInspected) {
  auto service = InspectAccount(database().options());
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_TRUE(service->global.empty());
  EXPECT_TRUE(service->other_databases.empty());
  auto root = InspectAccount(database().admin_options());
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_FALSE(root->global.empty());
}

}  // namespace
}  // namespace dumas
