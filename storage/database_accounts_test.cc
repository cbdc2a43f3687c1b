// Unit tests of the pure parts of storage/database_accounts.h: account names
// and the reading of SHOW GRANTS. The accounts themselves are tested against
// MariaDB in tests/least_privilege_test.cc.
#include "storage/database_accounts.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ParseDatabaseAccountTest, SplitsUserAndHost) {
  auto account = ParseDatabaseAccount("dumas_service@10.2.%");
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->user, "dumas_service");
  EXPECT_EQ(account->host, "10.2.%");
  EXPECT_TRUE(account->password.empty());
}

TEST(ParseDatabaseAccountTest, RefusesWhatCouldLeaveTheQuotes) {
  for (const char* text : {"dumas_service", "@localhost", "dumas@", "du'mas@localhost",
                           "dumas@local'host", "du`mas@localhost", "dumas@local\\host",
                           "du mas@localhost"}) {
    EXPECT_EQ(ParseDatabaseAccount(text).status().code(), absl::StatusCode::kInvalidArgument)
        << text;
  }
}

TEST(ServiceRoleNameTest, IsTheDatabaseWithASuffix) {
  EXPECT_EQ(ServiceRoleName("dumas"), "dumas_service_role");
}

TEST(PrivilegesFromGrantsTest, RootIsASuperuser) {
  const AccountPrivileges p = PrivilegesFromGrants(
      {"GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION",
       "GRANT PROXY ON ``@`%` TO `root`@`localhost` WITH GRANT OPTION"},
      "dumas");
  EXPECT_THAT(p.global, ElementsAre("ALL PRIVILEGES", "GRANT OPTION", "PROXY"));
  EXPECT_THAT(p.other_databases, IsEmpty());
}

TEST(PrivilegesFromGrantsTest, TheServiceAccountHasNothingGlobal) {
  const AccountPrivileges p = PrivilegesFromGrants(
      {"GRANT `dumas_service_role` TO `dumas_service`@`localhost`",
       "GRANT USAGE ON *.* TO `dumas_service`@`localhost` IDENTIFIED BY PASSWORD "
       "'*D781CECB8F71B367A509FC98D8E60CF3BE26F5FA'",
       "GRANT USAGE ON *.* TO `dumas_service_role`",
       "GRANT SELECT, INSERT ON `dumas`.`complaint_events` TO `dumas_service_role`",
       "SET DEFAULT ROLE `dumas_service_role` FOR `dumas_service`@`localhost`"},
      "dumas");
  EXPECT_THAT(p.global, IsEmpty());
  EXPECT_THAT(p.other_databases, IsEmpty());
}

TEST(PrivilegesFromGrantsTest, NamesGlobalPrivilegesAndOtherDatabases) {
  const AccountPrivileges p = PrivilegesFromGrants(
      {"GRANT SUPER, CREATE USER ON *.* TO `ops`@`%`",
       "GRANT ALL PRIVILEGES ON `dumas\\_test`.* TO `ops`@`%` WITH GRANT OPTION",
       "GRANT SELECT ON `mysql`.`user` TO `ops`@`%`",
       "GRANT SELECT ON `dumas`.`complaints` TO `ops`@`%`"},
      "dumas");
  EXPECT_THAT(p.global, ElementsAre("SUPER", "CREATE USER"));
  EXPECT_THAT(p.other_databases, ElementsAre("dumas_test", "mysql"));
}

TEST(PrivilegesFromGrantsTest, GrantOptionAloneIsGlobal) {
  const AccountPrivileges p =
      PrivilegesFromGrants({"GRANT USAGE ON *.* TO `x`@`%` WITH GRANT OPTION"}, "dumas");
  EXPECT_THAT(p.global, ElementsAre("GRANT OPTION"));
}

}  // namespace
}  // namespace dumas
