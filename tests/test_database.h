// Test fixtures for storage integration tests against a real MariaDB: a fresh,
// migrated database per test, and a throwaway key file.
//
// The server comes from the environment that tools/test sets up:
//   DUMAS_TEST_MYSQL_SOCKET   a Unix socket (preferred), or
//   DUMAS_TEST_MYSQL_HOST / DUMAS_TEST_MYSQL_PORT
// with user root and no password; DUMAS_TEST_MYSQL_SSL_CA names the CA of
// its TLS certificate (tools/db). When neither is set the fixtures fail with
// a message that says to run the tests through tools/test; they never skip.
#ifndef DUMAS_TESTS_TEST_DATABASE_H_
#define DUMAS_TESTS_TEST_DATABASE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/keyring.h"
#include "storage/mysql_options.h"
#include "storage/mysql_change_log.h"
#include "storage/mysql_store.h"

namespace sql {
class Connection;
}  // namespace sql

namespace dumas::testing {

// The test server's options (no database chosen yet), or FAILED_PRECONDITION
// naming the variables to set.
absl::StatusOr<MySqlOptions> TestServerOptions();

// A database dumas_test_<random hex> on the test server, migrated to the
// newest schema, with its own accounts of least privilege
// (storage/database_accounts.h): a migration account, which applied the
// service role's grants, and a service account, as which the store under
// test connects. Everything is dropped on destruction. Not thread-safe.
class TestDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();

  // Options pointing at this database as its service account (pool_size
  // 64): what dumasd serves as.
  const MySqlOptions& options() const { return options_; }
  // The same as the migration account (DDL, every privilege on this
  // database), and as the test server's root.
  const MySqlOptions& migration_options() const { return migration_options_; }
  const MySqlOptions& admin_options() const { return admin_options_; }

  // Runs `sql` as root in this database, for tests that inspect or alter rows
  // directly. Query returns every row, each column as raw bytes ("" for NULL).
  absl::Status Execute(std::string_view sql);
  absl::StatusOr<std::vector<std::vector<std::string>>> Query(std::string_view sql);
  // The first column of the first row of Query, as an integer.
  absl::StatusOr<int64_t> QueryInt(std::string_view sql);

 private:
  TestDatabase(MySqlOptions admin_options, std::unique_ptr<sql::Connection> admin);
  MySqlOptions admin_options_;
  MySqlOptions migration_options_;
  MySqlOptions options_;
  std::unique_ptr<sql::Connection> admin_;  // root, in this database
};

// A fresh key file (GenerateFile) in a new private temp directory, removed
// with the directory on destruction.
class TestKeyFile {
 public:
  static absl::StatusOr<std::unique_ptr<TestKeyFile>> Create();
  ~TestKeyFile();

  const std::string& path() const { return path_; }
  absl::StatusOr<Keyring> Load() const { return Keyring::LoadFromFile(path_); }

 private:
  TestKeyFile(std::string dir, std::string path);
  std::string dir_;
  std::string path_;
};

// A MySqlStore over a fresh TestDatabase, with a fresh key file. Destroy the
// store before the database.
struct TestStore {
  static absl::StatusOr<TestStore> Create();

  std::unique_ptr<TestDatabase> database;
  std::unique_ptr<TestKeyFile> key_file;
  std::unique_ptr<MySqlStore> store;
};

// The change log of `store` (over `database`), as dumasd starts it, with the
// tests' origin and a short checkpoint interval. Destroy it before the store.
std::unique_ptr<MySqlChangeLog> StartTestChangeLog(MySqlStore& store,
                                                   const MySqlOptions& database);

// The origin of the tests' transparency logs.
inline constexpr char kTestLogOrigin[] = "test.dumas.example/log";

}  // namespace dumas::testing

#endif  // DUMAS_TESTS_TEST_DATABASE_H_
