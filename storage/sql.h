// Every SQL statement of the store, as named constants with '?' placeholders.
// Nothing here is assembled from input at run time. The connection pool
// caches prepared statements per connection by the address of these
// constants, so always pass the constant itself (never a copy).
//
// The schema lives in storage/migrations/*.sql.
#ifndef DUMAS_STORAGE_SQL_H_
#define DUMAS_STORAGE_SQL_H_

namespace dumas::sql_text {

// --- Session ---------------------------------------------------------------

// Run once on every new connection: UTC, strict SQL, utf8mb4. The lock-wait
// timeout (seconds) stays below the client's read timeout, so that a lock
// wait ends in error 1205 (ABORTED, retried) rather than a lost connection.
inline constexpr char kSessionSetup[] =
    "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, time_zone = '+00:00', "
    "sql_mode = 'STRICT_ALL_TABLES,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "innodb_lock_wait_timeout = ?";
inline constexpr char kSessionIsolation[] =
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";

inline constexpr char kPing[] = "SELECT 1";

// --- Migrations --------------------------------------------------------------

// GET_LOCK(name, timeout in seconds): 1 when taken, 0 on timeout.
inline constexpr char kGetLock[] = "SELECT GET_LOCK(?, ?)";
inline constexpr char kReleaseLock[] = "SELECT RELEASE_LOCK(?)";
inline constexpr char kCreateSchemaVersion[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INT NOT NULL,"
    " name VARCHAR(255) NOT NULL,"
    " checksum BINARY(32) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL,"
    " PRIMARY KEY (version)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
inline constexpr char kSelectSchemaVersions[] =
    "SELECT version, name, checksum FROM schema_version ORDER BY version";
inline constexpr char kInsertSchemaVersion[] =
    "INSERT INTO schema_version (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)";

// --- Complaints ----------------------------------------------------------------

// The complaint's columns without identity, in the order ReadComplaintRow
// (mysql_store.cc) reads them.
#define DUMAS_SQL_COMPLAINT_COLUMNS                                              \
  "c.id, c.reference_number, c.state, c.description, c.incident_time, "          \
  "c.incident_location, c.category_id, c.channel, c.reply_address_ct, "          \
  "COALESCE(c.subject_unit_id, ''), c.officer_name, c.officer_description, "     \
  "c.confidential, c.create_time, c.update_time, c.version, c.sp3d_due_date, "   \
  "c.key_id"
#define DUMAS_SQL_IDENTITY_COLUMNS \
  "c.full_name_ct, c.nik_ct, c.phone_ct, c.email_ct, c.address_ct"

inline constexpr char kInsertComplaint[] =
    "INSERT INTO complaints (reference_number, tracking_hash, state, description,"
    " incident_time, incident_location, category_id, channel, reply_address_ct,"
    " subject_unit_id, officer_name, officer_description, confidential, key_id,"
    " full_name_ct, nik_ct, phone_ct, email_ct, address_ct, nik_blind_index,"
    " submitted_by, create_time, update_time, version, sp3d_due_date)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)"
    " RETURNING id";

inline constexpr char kSelectComplaint[] =
    "SELECT " DUMAS_SQL_COMPLAINT_COLUMNS
    " FROM complaints c WHERE c.reference_number = ?";

inline constexpr char kSelectComplaintWithIdentity[] =
    "SELECT " DUMAS_SQL_COMPLAINT_COLUMNS ", " DUMAS_SQL_IDENTITY_COLUMNS
    " FROM complaints c WHERE c.reference_number = ?";

// The complainant's view in one round trip: the complaint's public columns,
// and one row per public event (or one row of NULLs when there is none).
// Events come in no particular order (an ORDER BY on the outer-joined table
// would cost a temporary table per call): the caller sorts them by e.id.
inline constexpr char kSelectTracking[] =
    "SELECT c.tracking_hash, c.state, c.category_id, c.create_time,"
    " c.sp3d_due_date, c.sp3d_sent_at IS NOT NULL,"
    " e.id, e.type, e.event_time, e.to_state, e.public_message"
    " FROM complaints c"
    " LEFT JOIN complaint_events e ON e.complaint_id = c.id AND e.public = TRUE"
    " WHERE c.reference_number = ?";

// Events are only ever inserted (append-only log).
inline constexpr char kInsertEvent[] =
    "INSERT INTO complaint_events (complaint_id, event_time, actor_principal_id,"
    " type, from_state, to_state, public, public_message, internal_note)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

// --- Idempotency -----------------------------------------------------------------

inline constexpr char kInsertIdempotencyKey[] =
    "INSERT INTO idempotency_keys (principal_id, request_id, fingerprint,"
    " complaint_id, key_id, tracking_code_ct, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

// The stored answer: the record's columns, then DUMAS_SQL_COMPLAINT_COLUMNS.
inline constexpr char kSelectIdempotentSubmission[] =
    "SELECT k.fingerprint, k.expires_at, k.key_id, k.tracking_code_ct, "
    DUMAS_SQL_COMPLAINT_COLUMNS
    " FROM idempotency_keys k JOIN complaints c ON c.id = k.complaint_id"
    " WHERE k.principal_id = ? AND k.request_id = ?";

inline constexpr char kDeleteExpiredIdempotencyKey[] =
    "DELETE FROM idempotency_keys"
    " WHERE principal_id = ? AND request_id = ? AND expires_at <= ?";

inline constexpr char kPurgeExpiredIdempotencyKeys[] =
    "DELETE FROM idempotency_keys WHERE expires_at <= ? ORDER BY expires_at LIMIT ?";

// --- Principals ------------------------------------------------------------------

inline constexpr char kSelectPrincipalByToken[] =
    "SELECT id, name, role, COALESCE(unit_id, ''), created_at FROM principals"
    " WHERE token_sha256 = ? AND revoked_at IS NULL";

inline constexpr char kInsertPrincipal[] =
    "INSERT INTO principals (name, role, unit_id, token_sha256, created_at)"
    " VALUES (?, ?, ?, ?, ?)";

inline constexpr char kRevokePrincipal[] =
    "UPDATE principals SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL";

// --- Reference data -----------------------------------------------------------------

inline constexpr char kListCategories[] =
    "SELECT id, indonesian_name, english_name FROM categories"
    " WHERE id > ? ORDER BY id LIMIT ?";

inline constexpr char kListUnits[] =
    "SELECT id, display_name FROM units WHERE id > ? ORDER BY id LIMIT ?";

inline constexpr char kListHolidays[] = "SELECT day FROM holidays ORDER BY day";

}  // namespace dumas::sql_text

#endif  // DUMAS_STORAGE_SQL_H_
