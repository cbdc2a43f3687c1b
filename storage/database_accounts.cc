#include "storage/database_accounts.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/substitute.h"
#include "domain/string_view_interop.h"
#include "storage/connection_pool.h"
#include "storage/embedded_migrations.h"
#include "storage/migrator.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas {
namespace {

constexpr size_t kMaxUserChars = 80;  // MariaDB's limit of user and role names
constexpr size_t kMaxHostChars = 255;
constexpr size_t kMaxPasswordBytes = 256;
constexpr int kErNoSuchUser = 1133;    // GRANT to an account or role that does not exist
constexpr int kErNonexistingGrant = 1141;
constexpr int kErNonexistingTableGrant = 1147;
constexpr absl::string_view kRolePlaceholder = "SERVICE_ROLE";

bool AllOf(std::string_view text, std::string_view extra) {
  return std::all_of(text.begin(), text.end(), [extra](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
           extra.find(c) != std::string_view::npos;
  });
}

absl::Status CheckAccountName(const DatabaseAccount& account, absl::string_view what) {
  if (account.user.empty() || account.user.size() > kMaxUserChars ||
      !AllOf(account.user, "_.-")) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the user must be 1-80 characters of A-Z a-z 0-9 _ . -"));
  }
  if (account.host.empty() || account.host.size() > kMaxHostChars ||
      !AllOf(account.host, "_.:%-")) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the host must be 1-255 characters of A-Z a-z 0-9 _ . : % -"));
  }
  return absl::OkStatus();
}

absl::Status CheckAccount(const DatabaseAccount& account, absl::string_view what) {
  if (absl::Status status = CheckAccountName(account, what); !status.ok()) return status;
  if (account.password.empty() || account.password.size() > kMaxPasswordBytes) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": the password must be 1-256 bytes"));
  }
  return absl::OkStatus();
}

// A status for an exception of the account statements: a privilege error
// is the administrator's to fix.
absl::Status AccountErrorToStatus(const sql::SQLException& e, absl::string_view doing) {
  if (IsPrivilegeError(e) && e.getErrorCode() != 1045) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the database account may not ", doing, " (MySQL error ", e.getErrorCode(), ")"));
  }
  return SqlErrorToStatus(e);
}

void Execute(sql::Connection& connection, const std::string& statement) {
  std::unique_ptr<sql::Statement> s(connection.createStatement());
  s->execute(statement);
}

// The server's mysql_native_password hash of `password` ("*" and 40 hex
// digits), checked to be exactly that before it goes into a statement.
absl::StatusOr<std::string> PasswordHash(sql::Connection& connection, const std::string& password) {
  std::unique_ptr<sql::PreparedStatement> s(connection.prepareStatement(sql_text::kPasswordHash));
  s->setString(1, password);
  std::unique_ptr<sql::ResultSet> rs(s->executeQuery());
  if (!rs->next()) return absl::InternalError("the server computed no password hash");
  std::string hash = rs->getString(1).asStdString();
  if (hash.size() != 41 || hash[0] != '*' ||
      !std::all_of(hash.begin() + 1, hash.end(),
                   [](char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); })) {
    return absl::InternalError("the server's password hash has an unexpected form");
  }
  return hash;
}

absl::Status CreateAccountsOn(sql::Connection& connection, const MySqlOptions& admin,
                              const AccountSetup& setup) {
  const std::string role = ServiceRoleName(admin.database);
  const std::string require = setup.require_tls ? "SSL" : "NONE";
  try {
    Execute(connection, absl::Substitute(sql_text::kCreateDatabaseNamed, admin.database));
    Execute(connection, absl::Substitute(sql_text::kCreateRole, role));
    // The account's password: created with it, or set to it when it exists.
    auto upsert = [&](const DatabaseAccount& account) -> absl::Status {
      absl::StatusOr<std::string> hash = PasswordHash(connection, account.password);
      if (!hash.ok()) return hash.status();
      Execute(connection,
              absl::Substitute(sql_text::kCreateAccount, account.user, account.host, *hash));
      Execute(connection, absl::Substitute(sql_text::kAlterAccount, account.user, account.host,
                                           *hash, require));
      return absl::OkStatus();
    };
    if (absl::Status status = upsert(setup.migration); !status.ok()) return status;
    Execute(connection, absl::Substitute(sql_text::kGrantDatabaseToAccount,
                                         absl::StrReplaceAll(admin.database, {{"_", "\\_"}}),
                                         setup.migration.user, setup.migration.host));
    for (const DatabaseAccount& account : setup.service) {
      if (absl::Status status = upsert(account); !status.ok()) return status;
      Execute(connection,
              absl::Substitute(sql_text::kGrantRoleToAccount, role, account.user, account.host));
      Execute(connection,
              absl::Substitute(sql_text::kSetDefaultRole, role, account.user, account.host));
    }
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return AccountErrorToStatus(e, "create accounts, roles or databases, or grant");
  }
}

// The name between backticks at the start of `text` (a database or table of
// SHOW GRANTS), with MariaDB's escapes ("``" and "\_") undone; nullopt when
// `text` starts otherwise.
std::optional<std::string> QuotedName(absl::string_view text) {
  if (!absl::ConsumePrefix(&text, "`")) return std::nullopt;
  std::string name;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '`') {
      if (i + 1 < text.size() && text[i + 1] == '`') {
        name.push_back('`');
        ++i;
        continue;
      }
      return name;
    }
    if (text[i] == '\\' && i + 1 < text.size()) {
      name.push_back(text[++i]);
      continue;
    }
    name.push_back(text[i]);
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<DatabaseAccount> ParseDatabaseAccount(std::string_view text) {
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "an account is written user@host, such as dumas_service@localhost");
  }
  DatabaseAccount account;
  account.user = std::string(text.substr(0, at));
  account.host = std::string(text.substr(at + 1));
  if (absl::Status status = CheckAccountName(account, "account"); !status.ok()) return status;
  return account;
}

std::string ServiceRoleName(std::string_view database) {
  return absl::StrCat(ToAbsl(database), "_service_role");
}

absl::Status CreateDatabaseAccounts(const MySqlOptions& admin, const AccountSetup& setup) {
  if (!IsValidDatabaseName(admin.database)) {
    return absl::InvalidArgumentError("the database name must be 1-64 of A-Z a-z 0-9 _");
  }
  if (absl::Status status = CheckAccount(setup.migration, "the migration account");
      !status.ok()) {
    return status;
  }
  if (setup.service.empty()) {
    return absl::InvalidArgumentError("name one or more service accounts");
  }
  for (const DatabaseAccount& account : setup.service) {
    if (absl::Status status = CheckAccount(account, "a service account"); !status.ok()) {
      return status;
    }
    if (account.user == setup.migration.user && account.host == setup.migration.host) {
      return absl::InvalidArgumentError(
          "a service account must not be the migration account: the service may not alter "
          "the schema");
    }
  }
  absl::StatusOr<std::unique_ptr<sql::Connection>> connection =
      DialMySql(admin, /*select_database=*/false);
  if (!connection.ok()) return connection.status();
  absl::Status status;
  try {
    status = CreateAccountsOn(**connection, admin, setup);
    (*connection)->close();
  } catch (const sql::SQLException& e) {
    return SqlErrorToStatus(e);
  } catch (const std::exception& e) {
    return UnexpectedErrorToStatus(e);
  }
  return status;
}

absl::Status GrantServiceRole(const MySqlOptions& options) {
  if (!IsValidDatabaseName(options.database)) {
    return absl::InvalidArgumentError("the database name must be 1-64 of A-Z a-z 0-9 _");
  }
  const std::string role = absl::StrCat("`", ServiceRoleName(options.database), "`");
  const std::vector<std::string> statements =
      SplitMigrationStatements(EmbeddedServiceGrants());
  absl::StatusOr<std::unique_ptr<sql::Connection>> connection =
      DialMySql(options, /*select_database=*/true);
  if (!connection.ok()) return connection.status();
  try {
    Execute(**connection, sql_text::kNoAutoCreateUser);
    for (size_t i = 0; i < statements.size(); ++i) {
      const bool revoke = absl::StartsWith(statements[i], "REVOKE ");
      try {
        Execute(**connection, absl::StrReplaceAll(statements[i], {{kRolePlaceholder, role}}));
      } catch (const sql::SQLException& e) {
        if (IsConnectionError(e)) throw;
        if (e.getErrorCode() == kErNoSuchUser) {
          return absl::NotFoundError(absl::StrCat(
              "the service role ", ServiceRoleName(options.database),
              " does not exist: a database administrator creates it (dumasd create-accounts)"));
        }
        // Withdrawing what the role does not hold is done already.
        if (revoke && (e.getErrorCode() == kErNonexistingGrant ||
                       e.getErrorCode() == kErNonexistingTableGrant)) {
          continue;
        }
        if (IsPrivilegeError(e)) {
          return absl::PermissionDeniedError(absl::StrCat(
              "the database account may not grant the service role its privileges (grants "
              "statement ",
              i + 1, ", MySQL error ", e.getErrorCode(),
              "): run dumasd migrate as the migration account"));
        }
        return absl::InternalError(absl::StrCat("grants statement ", i + 1,
                                                " failed (MySQL error ", e.getErrorCode(), ")"));
      }
    }
    (*connection)->close();
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return SqlErrorToStatus(e);
  } catch (const std::exception& e) {
    return UnexpectedErrorToStatus(e);
  }
}

AccountPrivileges PrivilegesFromGrants(const std::vector<std::string>& grant_lines,
                                       std::string_view database) {
  AccountPrivileges privileges;
  auto add = [](std::vector<std::string>& to, std::string value) {
    if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(std::move(value));
  };
  for (const std::string& line : grant_lines) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "GRANT ")) continue;  // SET DEFAULT ROLE, ...
    const size_t on = rest.find(" ON ");
    // "GRANT `role` TO ..." grants a role, whose grants are listed too.
    if (on == absl::string_view::npos) continue;
    const absl::string_view list = rest.substr(0, on);
    absl::string_view object = rest.substr(on + 4);
    const bool grant_option = absl::StrContains(object, " WITH GRANT OPTION");
    if (absl::StartsWith(list, "PROXY")) {
      add(privileges.global, "PROXY");
      continue;
    }
    if (absl::ConsumePrefix(&object, "*.* ")) {
      for (absl::string_view privilege : absl::StrSplit(list, ", ")) {
        if (privilege != "USAGE") add(privileges.global, std::string(privilege));
      }
      if (grant_option) add(privileges.global, "GRANT OPTION");
      continue;
    }
    const std::optional<std::string> name = QuotedName(object);
    if (name.has_value() && *name != ToAbsl(database)) add(privileges.other_databases, *name);
  }
  return privileges;
}

absl::StatusOr<AccountPrivileges> InspectAccount(const MySqlOptions& options) {
  absl::StatusOr<std::unique_ptr<sql::Connection>> connection =
      DialMySql(options, /*select_database=*/false);
  if (!connection.ok()) return connection.status();
  std::vector<std::string> lines;
  try {
    std::unique_ptr<sql::Statement> s((*connection)->createStatement());
    std::unique_ptr<sql::ResultSet> rs(s->executeQuery(sql_text::kShowGrants));
    while (rs->next()) lines.push_back(rs->getString(1).asStdString());
    (*connection)->close();
  } catch (const sql::SQLException& e) {
    return SqlErrorToStatus(e);
  } catch (const std::exception& e) {
    return UnexpectedErrorToStatus(e);
  }
  return PrivilegesFromGrants(lines, options.database);
}

}  // namespace dumas
