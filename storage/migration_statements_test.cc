#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/embedded_migrations.h"
#include "storage/migrator.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(SplitMigrationStatementsTest, SplitsOnSemicolonsAtLineEnds) {
  EXPECT_THAT(SplitMigrationStatements("-- header\n"
                                       "CREATE TABLE a (x INT);\n"
                                       "\n"
                                       "-- about b\n"
                                       "INSERT INTO b VALUES\n"
                                       "  ('x;y'),\n"
                                       "  ('z');  \n"
                                       "-- trailing comment\n"),
              ElementsAre("CREATE TABLE a (x INT)",
                          "INSERT INTO b VALUES\n  ('x;y'),\n  ('z')"));
}

TEST(SplitMigrationStatementsTest, KeepsALastStatementWithoutSemicolon) {
  EXPECT_THAT(SplitMigrationStatements("SELECT 1;\nSELECT 2\n"),
              ElementsAre("SELECT 1", "SELECT 2"));
}

// Numbers ascend; one may be skipped while a migration of that number is
// written on another branch (storage/embed_migrations.cmake).
TEST(EmbeddedMigrationsTest, AreNumberedInAscendingOrderAndSplitCleanly) {
  int previous = 0;
  for (const EmbeddedMigration& migration : EmbeddedMigrations()) {
    EXPECT_GT(migration.version, previous);
    previous = migration.version;
    EXPECT_FALSE(migration.name.empty());
    const std::vector<std::string> statements = SplitMigrationStatements(migration.sql);
    EXPECT_FALSE(statements.empty()) << migration.name;
    for (const std::string& statement : statements) {
      // A ';' inside a statement would mean a comment line ended in ';'.
      EXPECT_THAT(statement, Not(HasSubstr(";\n"))) << migration.name;
    }
  }
  EXPECT_EQ(LatestSchemaVersion(), previous);
  EXPECT_GE(LatestSchemaVersion(), 2);
}

TEST(IsValidDatabaseNameTest, AcceptsOnlySimpleIdentifiers) {
  EXPECT_TRUE(IsValidDatabaseName("dumas"));
  EXPECT_TRUE(IsValidDatabaseName("dumas_test_0a1b"));
  EXPECT_FALSE(IsValidDatabaseName(""));
  EXPECT_FALSE(IsValidDatabaseName("a`b"));
  EXPECT_FALSE(IsValidDatabaseName("a-b"));
  EXPECT_FALSE(IsValidDatabaseName(std::string(65, 'a')));
}

}  // namespace
}  // namespace dumas
