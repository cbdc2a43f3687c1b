// Schema migrations: storage/migrations/NNNN_name.sql, embedded in the binary,
// applied in order and recorded in the table schema_version (version, name,
// checksum = SHA-256 of the file, applied_at).
#ifndef DUMAS_STORAGE_MIGRATOR_H_
#define DUMAS_STORAGE_MIGRATOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/mysql_options.h"

namespace dumas {

// Brings the database options.database up to the newest migration this binary
// knows. Connects without a default database, creates the database when
// missing (utf8mb4, utf8mb4_unicode_ci), takes the server-wide named lock
// GET_LOCK('dumas_migrate_<database>') so that two processes never migrate at
// once, applies every missing migration in order (statement by statement;
// see SplitMigrationStatements) and records each after its last statement.
// Idempotent: a second call applies nothing.
//
// DDL is not transactional in MariaDB: a migration interrupted half-way is
// run again whole on the next call, so migration files are written to be
// re-runnable (IF NOT EXISTS, ON DUPLICATE KEY UPDATE).
//
// Errors:
//   INVALID_ARGUMENT     options.database is not 1-64 of [A-Za-z0-9_].
//   FAILED_PRECONDITION  an applied migration's checksum differs from the
//                        embedded file (migrations are append-only), the
//                        database is at a version newer than this binary
//                        knows, or lacks a migration older than its newest.
//   PERMISSION_DENIED    the account may not create or alter tables (it is
//                        not the migration account).
//   UNAVAILABLE          the database cannot be reached (retry).
//   ABORTED              another process held the migration lock too long.
//   INTERNAL             a statement failed (the message names the migration
//                        and statement number and carries the MySQL error
//                        number, never SQL text).
// Thread-safe; safe to run from several processes at once.
absl::Status Migrate(const MySqlOptions& options);

// Where a database stands against the migrations of this binary.
enum class SchemaState {
  kCurrent,  // every migration applied
  kBehind,   // some applied, newer ones not yet
  kMissing,  // no schema yet (no database, or no schema_version table)
};

// Reads, without changing anything or taking the migration lock, where
// options.database stands: for a server that runs as an account without
// DDL (the service account), which checks the schema instead of migrating.
// Errors: FAILED_PRECONDITION for what Migrate would refuse (a version newer
// than this binary knows, a checksum mismatch, a gap); PERMISSION_DENIED
// when the account may not read schema_version; UNAVAILABLE when the
// database cannot be reached; INTERNAL otherwise.
absl::StatusOr<SchemaState> CheckSchema(const MySqlOptions& options);

// The newest schema version embedded in this binary.
int LatestSchemaVersion();

// The statements of a migration file: blank lines and whole-line '--'
// comments dropped, the rest split after every ';' that ends a line (trailing
// white space ignored), without the ';'. A ';' elsewhere in a line (inside a
// string, say) does not split.
std::vector<std::string> SplitMigrationStatements(std::string_view sql);

// Whether `database` is a name Migrate accepts: 1-64 of [A-Za-z0-9_].
bool IsValidDatabaseName(std::string_view database);

}  // namespace dumas

#endif  // DUMAS_STORAGE_MIGRATOR_H_
