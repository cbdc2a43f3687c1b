#include "storage/migrator.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/connection_pool.h"
#include "storage/embedded_migrations.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas {
namespace {

// A migration may rebuild a large table: give its statements time.
constexpr absl::Duration kMigrationReadTimeout = absl::Hours(1);
// How long to wait for another process's migration, in GET_LOCK slices that
// stay below the connection's read timeout.
constexpr absl::Duration kLockWait = absl::Minutes(5);
constexpr int kLockSliceSeconds = 10;
constexpr int kErBadDb = 1049;
constexpr int kErNoSuchTable = 1146;

std::string Checksum(std::string_view sql) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(sql.data()), sql.size());
  return digest;
}

std::string MigrationLabel(const EmbeddedMigration& migration) {
  return absl::StrFormat("%04d_%s", migration.version, migration.name);
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
}

struct Applied {
  std::string name;
  std::string checksum;
};

// Checks the migrations recorded in schema_version against the embedded ones:
// none newer than this binary knows, none unknown, none missing below the
// newest applied, and each with the checksum of its embedded file.
absl::Status CheckApplied(const std::map<int, Applied>& applied) {
  if (applied.empty()) return absl::OkStatus();
  const int latest = LatestSchemaVersion();
  const int newest_applied = applied.rbegin()->first;
  if (newest_applied > latest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is at version ", newest_applied,
        ", newer than this binary knows (", latest, "); run a newer Dumas"));
  }
  const std::span<const EmbeddedMigration> migrations = EmbeddedMigrations();
  for (const auto& [version, record] : applied) {
    const auto it = std::find_if(migrations.begin(), migrations.end(),
                                 [v = version](const EmbeddedMigration& m) { return m.version == v; });
    if (it == migrations.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the database has migration ", version,
          ", which this binary does not know; run the Dumas that applied it"));
    }
    if (record.checksum != Checksum(it->sql)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", MigrationLabel(*it),
          " differs from the one applied to the database (checksum mismatch); migrations "
          "are append-only: restore the original file and put the change in a new one"));
    }
  }
  for (const EmbeddedMigration& migration : migrations) {
    if (migration.version < newest_applied && !applied.contains(migration.version)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "schema_version lacks migration ", migration.version,
          " although later ones were applied; the schema was changed by hand"));
    }
  }
  return absl::OkStatus();
}

// The body of Migrate on a connection without a default database. Throws
// sql::SQLException.
absl::Status MigrateOn(sql::Connection& connection, const MySqlOptions& options) {
  // Lock names are limited to 64 characters.
  const std::string lock_name =
      absl::StrCat("dumas_migrate_", options.database).substr(0, 64);
  {
    std::unique_ptr<sql::PreparedStatement> get_lock(connection.prepareStatement(sql_text::kGetLock));
    const absl::Time give_up = absl::Now() + kLockWait;
    while (true) {
      get_lock->setString(1, lock_name);
      get_lock->setInt(2, kLockSliceSeconds);
      std::unique_ptr<sql::ResultSet> rows(get_lock->executeQuery());
      if (!rows->next() || rows->isNull(1)) {
        return absl::InternalError("the database refused the migration lock");
      }
      if (rows->getInt(1) == 1) break;
      if (absl::Now() >= give_up) {
        return absl::AbortedError(
            "another process has held the migration lock for 5 minutes; try again");
      }
    }
  }

  // The one statement built at run time: identifiers cannot be placeholders.
  // The name was checked to be 1-64 of [A-Za-z0-9_], and it is quoted.
  {
    std::unique_ptr<sql::Statement> statement(connection.createStatement());
    statement->execute(absl::StrCat("CREATE DATABASE IF NOT EXISTS `", options.database,
                                    "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
  }
  connection.setSchema(options.database);
  {
    std::unique_ptr<sql::PreparedStatement> create(
        connection.prepareStatement(sql_text::kCreateSchemaVersion));
    create->execute();
  }

  std::map<int, Applied> applied;
  {
    std::unique_ptr<sql::PreparedStatement> select(
        connection.prepareStatement(sql_text::kSelectSchemaVersions));
    std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
    while (rows->next()) {
      applied[rows->getInt(1)] = Applied{rows->getString(2), rows->getString(3)};
    }
  }

  if (absl::Status status = CheckApplied(applied); !status.ok()) return status;

  const std::span<const EmbeddedMigration> migrations = EmbeddedMigrations();
  for (const EmbeddedMigration& migration : migrations) {
    if (applied.contains(migration.version)) continue;
    const std::vector<std::string> statements = SplitMigrationStatements(migration.sql);
    std::unique_ptr<sql::Statement> statement(connection.createStatement());
    for (size_t i = 0; i < statements.size(); ++i) {
      try {
        statement->execute(statements[i]);
      } catch (const sql::SQLException& e) {
        if (IsConnectionError(e) || IsPrivilegeError(e)) throw;
        return absl::InternalError(absl::StrCat(
            "migration ", MigrationLabel(migration), " statement ", i + 1,
            " failed (MySQL error ", e.getErrorCode(), ")"));
      }
    }
    std::unique_ptr<sql::PreparedStatement> record(
        connection.prepareStatement(sql_text::kInsertSchemaVersion));
    record->setInt(1, migration.version);
    record->setString(2, std::string(migration.name));
    record->setString(3, Checksum(migration.sql));
    record->setString(4, FormatUtc(absl::Now()));
    record->executeUpdate();
  }

  {
    std::unique_ptr<sql::PreparedStatement> release(
        connection.prepareStatement(sql_text::kReleaseLock));
    release->setString(1, lock_name);
    std::unique_ptr<sql::ResultSet> rows(release->executeQuery());
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidDatabaseName(std::string_view database) {
  if (database.empty() || database.size() > 64) return false;
  return std::all_of(database.begin(), database.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

int LatestSchemaVersion() {
  const std::span<const EmbeddedMigration> migrations = EmbeddedMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

std::vector<std::string> SplitMigrationStatements(std::string_view sql) {
  std::vector<std::string> statements;
  std::vector<absl::string_view> lines;  // of the statement being read
  for (absl::string_view line : absl::StrSplit(absl::string_view(sql.data(), sql.size()), '\n')) {
    const absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(line);
    const absl::string_view code = absl::StripLeadingAsciiWhitespace(trimmed);
    if (code.empty() || absl::StartsWith(code, "--")) continue;  // blank or comment
    if (absl::EndsWith(trimmed, ";")) {
      lines.push_back(trimmed.substr(0, trimmed.size() - 1));
      statements.push_back(absl::StrJoin(lines, "\n"));
      lines.clear();
    } else {
      lines.push_back(trimmed);
    }
  }
  if (!lines.empty()) statements.push_back(absl::StrJoin(lines, "\n"));
  return statements;
}

absl::StatusOr<SchemaState> CheckSchema(const MySqlOptions& options) {
  if (!IsValidDatabaseName(options.database)) {
    return absl::InvalidArgumentError(
        "MySqlOptions.database must be 1-64 characters of A-Z a-z 0-9 _");
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  absl::StatusOr<std::unique_ptr<sql::Connection>> connection =
      DialMySql(options, /*select_database=*/false);
  if (!connection.ok()) return connection.status();
  try {
    std::map<int, Applied> applied;
    try {
      (*connection)->setSchema(options.database);
      std::unique_ptr<sql::PreparedStatement> select(
          (*connection)->prepareStatement(sql_text::kSelectSchemaVersions));
      std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
      while (rows->next()) {
        applied[rows->getInt(1)] = Applied{rows->getString(2), rows->getString(3)};
      }
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() == kErBadDb || e.getErrorCode() == kErNoSuchTable) {
        (*connection)->close();
        return SchemaState::kMissing;
      }
      if (IsPrivilegeError(e)) {
        return absl::PermissionDeniedError(absl::StrCat(
            "the database account may not read the schema version (MySQL error ",
            e.getErrorCode(), ")"));
      }
      throw;
    }
    (*connection)->close();
    if (absl::Status status = CheckApplied(applied); !status.ok()) return status;
    if (applied.empty()) return SchemaState::kMissing;
    return applied.rbegin()->first == LatestSchemaVersion() ? SchemaState::kCurrent
                                                           : SchemaState::kBehind;
  } catch (const sql::SQLException& e) {
    return SqlErrorToStatus(e);
  } catch (const std::exception& e) {
    return UnexpectedErrorToStatus(e);
  }
}

absl::Status Migrate(const MySqlOptions& options) {
  if (!IsValidDatabaseName(options.database)) {
    return absl::InvalidArgumentError(
        "MySqlOptions.database must be 1-64 characters of A-Z a-z 0-9 _");
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  MySqlOptions migration_options = options;
  migration_options.read_timeout = std::max(options.read_timeout, kMigrationReadTimeout);
  absl::StatusOr<std::unique_ptr<sql::Connection>> connection =
      DialMySql(migration_options, /*select_database=*/false);
  if (!connection.ok()) return connection.status();
  try {
    absl::Status status = MigrateOn(**connection, options);
    // Closing the connection also releases the lock when MigrateOn returned early.
    (*connection)->close();
    return status;
  } catch (const sql::SQLException& e) {
    if (IsPrivilegeError(e)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the database account may not change the schema (MySQL error ", e.getErrorCode(),
          "): migrate as the migration account (dumasd migrate)"));
    }
    return SqlErrorToStatus(e);
  } catch (const std::exception& e) {
    return UnexpectedErrorToStatus(e);
  }
}

}  // namespace dumas
