// The database accounts of least privilege (docs/operations.md):
//
//   the migration account   every privilege on the Dumas database and none
//                           elsewhere, with GRANT OPTION: it applies the
//                           migrations (DDL) and grants the service role its
//                           privileges. `dumasd migrate` runs as it.
//   the service role        <database>_service_role: the privileges of
//                           storage/grants.sql on the database's tables, and
//                           nothing else (no DDL, no UPDATE or DELETE on the
//                           event log or the transparency log).
//   the service accounts    hold the service role as their default role and
//                           nothing else. `dumasd serve` runs as one.
//
// A database administrator creates them once (CreateDatabaseAccounts, or the
// SQL it runs, shown in docs/operations.md); the migrator keeps the role's
// privileges in step with the schema (GrantServiceRole).
#ifndef DUMAS_STORAGE_DATABASE_ACCOUNTS_H_
#define DUMAS_STORAGE_DATABASE_ACCOUNTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/mysql_options.h"

namespace dumas {

// A MariaDB account, 'user'@'host', and its password.
struct DatabaseAccount {
  std::string user;      // 1-80 of A-Z a-z 0-9 _ . -
  std::string host;      // 1-255 of A-Z a-z 0-9 _ . : % -, such as localhost or 10.2.%
  std::string password;  // 1-256 bytes
};

// Parses "user@host" (the host part required). INVALID_ARGUMENT naming the
// rule broken.
absl::StatusOr<DatabaseAccount> ParseDatabaseAccount(std::string_view text);

// The service role of a database: "<database>_service_role".
std::string ServiceRoleName(std::string_view database);

// What CreateDatabaseAccounts makes.
struct AccountSetup {
  DatabaseAccount migration;
  std::vector<DatabaseAccount> service;  // one or more
  // The accounts may connect only over TLS (REQUIRE SSL): for accounts that
  // reach the database over a network. A Unix socket is not TLS.
  bool require_tls = false;
};

// Run as a database administrator (`admin`: an account that may create
// users and roles and grant every privilege on the database): creates the
// database options.database if missing (utf8mb4), the service role, the
// migration account with ALL PRIVILEGES on the database WITH GRANT OPTION,
// and each service account with the service role as its only grant and
// default role. Re-runnable: existing accounts and roles are kept, their
// passwords set to the given ones (sent to the server only as the
// mysql_native_password hash the server computes, so the statements that
// create accounts, and the binary log, never carry a password). Privileges
// other than these are neither added nor removed.
//
// Errors: INVALID_ARGUMENT for a bad name or password, or no service
// account; PERMISSION_DENIED when `admin` may not create accounts;
// UNAVAILABLE when the database cannot be reached; INTERNAL otherwise.
absl::Status CreateDatabaseAccounts(const MySqlOptions& admin, const AccountSetup& setup);

// Applies storage/grants.sql to the service role of options.database, as
// options.user (the migration account, or an administrator), after Migrate.
// Re-runnable. NOT_FOUND when the role does not exist (it is never created
// here); PERMISSION_DENIED when options.user may not grant; UNAVAILABLE,
// INTERNAL (naming the statement's number) otherwise.
absl::Status GrantServiceRole(const MySqlOptions& options);

// What an account may do beyond the tables of its database.
struct AccountPrivileges {
  // Global privileges ("ALL PRIVILEGES", "SUPER", "CREATE USER", "PROXY",
  // "GRANT OPTION", ...), its own and those of its active role; empty for a
  // least-privilege account. Any makes it a superuser in Dumas' terms.
  std::vector<std::string> global;
  // Other databases it holds privileges on (without the quotes).
  std::vector<std::string> other_databases;
};

// The privileges of the account options.user connects as, from SHOW GRANTS
// (which any account may run for itself). UNAVAILABLE, INTERNAL.
absl::StatusOr<AccountPrivileges> InspectAccount(const MySqlOptions& options);

// The privileges that the lines of SHOW GRANTS give beyond `database`. Pure;
// InspectAccount's parser.
AccountPrivileges PrivilegesFromGrants(const std::vector<std::string>& grant_lines,
                                       std::string_view database);

}  // namespace dumas

#endif  // DUMAS_STORAGE_DATABASE_ACCOUNTS_H_
