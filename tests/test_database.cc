#include "tests/test_database.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <sodium.h>
#include <stdlib.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/connection_pool.h"
#include "storage/database_accounts.h"
#include "storage/migrator.h"
#include "storage/sql_error.h"

namespace dumas::testing {
namespace {

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(2 * bytes + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

absl::StatusOr<MySqlOptions> TestServerOptions() {
  MySqlOptions options;
  options.user = "root";
  options.password = "";
  if (const char* socket = Env("DUMAS_TEST_MYSQL_SOCKET")) {
    options.socket = socket;
    return options;
  }
  const char* host = Env("DUMAS_TEST_MYSQL_HOST");
  const char* port = Env("DUMAS_TEST_MYSQL_PORT");
  if (host == nullptr && port == nullptr) {
    return absl::FailedPreconditionError(
        "no test database: DUMAS_TEST_MYSQL_SOCKET (or DUMAS_TEST_MYSQL_HOST and "
        "DUMAS_TEST_MYSQL_PORT) is not set. Run the integration tests through tools/test, "
        "which starts a throwaway MariaDB and sets them (or start one with "
        "'tools/db start DIR PORT' and set DUMAS_TEST_MYSQL_SOCKET=DIR/mysqld.sock)");
  }
  if (host != nullptr) options.host = host;
  if (port != nullptr && !absl::SimpleAtoi(port, &options.port)) {
    return absl::InvalidArgumentError("DUMAS_TEST_MYSQL_PORT is not a number");
  }
  return options;
}

TestDatabase::TestDatabase(MySqlOptions admin_options, std::unique_ptr<sql::Connection> admin)
    : admin_options_(std::move(admin_options)), admin_(std::move(admin)) {
  // The accounts are named after the database; '%' serves the socket and
  // TCP alike (the test server has no anonymous accounts).
  migration_options_ = admin_options_;
  migration_options_.user = absl::StrCat(admin_options_.database, "_migrate");
  migration_options_.password = RandomHex(16);
  options_ = admin_options_;
  options_.user = absl::StrCat(admin_options_.database, "_service");
  options_.password = RandomHex(16);
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  absl::StatusOr<MySqlOptions> options = TestServerOptions();
  if (!options.ok()) return options.status();
  options->database = absl::StrCat("dumas_test_", RandomHex(8));
  options->pool_size = 64;
  absl::StatusOr<std::unique_ptr<sql::Connection>> admin = DialMySql(*options, false);
  if (!admin.ok()) return admin.status();
  std::unique_ptr<TestDatabase> database(new TestDatabase(*options, *std::move(admin)));
  // As an operator would: the administrator creates the accounts, the
  // migration account migrates and grants the service role its privileges.
  AccountSetup setup;
  setup.migration = {database->migration_options_.user, "%", database->migration_options_.password};
  setup.service.push_back({database->options_.user, "%", database->options_.password});
  if (absl::Status status = CreateDatabaseAccounts(*options, setup); !status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("creating the test accounts: ", status.message()));
  }
  if (absl::Status status = Migrate(database->migration_options_); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("migrating the test database: ",
                                                    status.message()));
  }
  if (absl::Status status = GrantServiceRole(database->migration_options_); !status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("granting the service role: ", status.message()));
  }
  try {
    database->admin_->setSchema(options->database);
  } catch (const sql::SQLException& e) {
    return SqlErrorToStatus(e);
  }
  return database;
}

TestDatabase::~TestDatabase() {
  // Best effort: the names are random, a leftover harms nothing.
  for (const std::string& statement :
       {absl::StrCat("DROP DATABASE IF EXISTS `", options_.database, "`"),
        absl::StrCat("DROP USER IF EXISTS '", options_.user, "'@'%'"),
        absl::StrCat("DROP USER IF EXISTS '", migration_options_.user, "'@'%'"),
        absl::StrCat("DROP ROLE IF EXISTS `", ServiceRoleName(options_.database), "`")}) {
    absl::Status status = Execute(statement);
    (void)status;
  }
  try {
    admin_.reset();
  } catch (...) {
  }
}

absl::Status TestDatabase::Execute(std::string_view sql) {
  try {
    std::unique_ptr<sql::Statement> statement(admin_->createStatement());
    statement->execute(std::string(sql));
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return SqlErrorToStatus(e);
  }
}

absl::StatusOr<std::vector<std::vector<std::string>>> TestDatabase::Query(std::string_view sql) {
  try {
    std::unique_ptr<sql::Statement> statement(admin_->createStatement());
    std::unique_ptr<sql::ResultSet> rs(statement->executeQuery(std::string(sql)));
    std::vector<std::vector<std::string>> rows;
    const unsigned columns = rs->getMetaData()->getColumnCount();
    while (rs->next()) {
      std::vector<std::string>& row = rows.emplace_back();
      for (unsigned i = 1; i <= columns; ++i) row.push_back(rs->getString(i).asStdString());
    }
    return rows;
  } catch (const sql::SQLException& e) {
    return SqlErrorToStatus(e);
  }
}

absl::StatusOr<int64_t> TestDatabase::QueryInt(std::string_view sql) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = Query(sql);
  if (!rows.ok()) return rows.status();
  int64_t value = 0;
  if (rows->empty() || rows->front().empty() || !absl::SimpleAtoi(rows->front().front(), &value)) {
    return absl::NotFoundError("the query returned no integer");
  }
  return value;
}

TestKeyFile::TestKeyFile(std::string dir, std::string path)
    : dir_(std::move(dir)), path_(std::move(path)) {}

absl::StatusOr<std::unique_ptr<TestKeyFile>> TestKeyFile::Create() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "dumas_test_keys_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError("cannot create a temporary directory for the key file");
  }
  const std::string path = pattern + "/keys/dumas.keys";
  if (absl::Status status = Keyring::GenerateFile(path); !status.ok()) return status;
  return std::unique_ptr<TestKeyFile>(new TestKeyFile(pattern, path));
}

TestKeyFile::~TestKeyFile() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::StatusOr<TestStore> TestStore::Create() {
  TestStore t;
  absl::StatusOr<std::unique_ptr<TestDatabase>> database = TestDatabase::Create();
  if (!database.ok()) return database.status();
  t.database = *std::move(database);
  absl::StatusOr<std::unique_ptr<TestKeyFile>> key_file = TestKeyFile::Create();
  if (!key_file.ok()) return key_file.status();
  t.key_file = *std::move(key_file);
  absl::StatusOr<Keyring> keyring = t.key_file->Load();
  if (!keyring.ok()) return keyring.status();
  absl::StatusOr<std::unique_ptr<MySqlStore>> store =
      MySqlStore::Open(t.database->options(), *std::move(keyring));
  if (!store.ok()) return store.status();
  t.store = *std::move(store);
  return t;
}

std::unique_ptr<MySqlChangeLog> StartTestChangeLog(MySqlStore& store,
                                                   const MySqlOptions& database) {
  MySqlChangeLog::Options options;
  options.origin = kTestLogOrigin;
  options.checkpoint_interval = absl::Milliseconds(500);
  absl::StatusOr<std::unique_ptr<MySqlChangeLog>> log =
      MySqlChangeLog::Start(store, database, options);
  if (!log.ok()) std::abort();  // only a bad origin fails, and this one is fine
  return *std::move(log);
}

}  // namespace dumas::testing
