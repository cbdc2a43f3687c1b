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

// Run once on every new connection: UTC, strict SQL, utf8mb4, autocommit on
// (the mode ConnectionPool assumes of a new connection; the Connector's own
// setAutoCommit(true) at connect drops any error). The lock-wait timeout
// (seconds) stays below the client's read timeout, so that a lock wait ends in
// error 1205 (ABORTED, retried) rather than a lost connection.
inline constexpr char kSessionSetup[] =
    "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, time_zone = '+00:00', "
    "sql_mode = 'STRICT_ALL_TABLES,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "autocommit = 1, innodb_lock_wait_timeout = ?";
inline constexpr char kSessionIsolation[] =
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";

inline constexpr char kPing[] = "SELECT 1";

// Bounds every later statement of the session (seconds, fractions allowed; 0
// for no bound): the pool sets it to the time left to the call it serves
// (storage/call_deadline.h). A statement that runs longer, waiting for a row
// lock included, fails with error 1969 and is rolled back.
inline constexpr char kSetStatementTime[] = "SET max_statement_time = ?";

// --- Transactions --------------------------------------------------------------

// Sent as plain statements (PooledConnection::Execute), never through
// Connection::commit(), rollback() or setAutoCommit(): Connector/C++ 1.1
// ignores the result of the C API calls behind those
// (driver/mysql_connection.cpp), so a COMMIT lost with its connection would
// not throw and its transaction would be acknowledged although the server
// rolled it back. A statement that fails throws.
inline constexpr char kCommit[] = "COMMIT";
inline constexpr char kRollback[] = "ROLLBACK";
inline constexpr char kAutocommitOn[] = "SET autocommit = 1";
inline constexpr char kAutocommitOff[] = "SET autocommit = 0";

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

// --- Accounts (storage/database_accounts.h) ------------------------------------

// Account statements take no placeholders for names. These templates are
// filled (absl::Substitute) only with names checked against a strict
// alphabet (no quote, backtick or backslash) and with password hashes the
// server computed (kPasswordHash): '$0'@'$1' is an account, `$0` a role or
// database. No statement carries a password.
inline constexpr char kPasswordHash[] = "SELECT PASSWORD(?)";
inline constexpr char kCreateDatabaseNamed[] =
    "CREATE DATABASE IF NOT EXISTS `$0` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
inline constexpr char kCreateRole[] = "CREATE ROLE IF NOT EXISTS `$0`";
inline constexpr char kCreateAccount[] =
    "CREATE USER IF NOT EXISTS '$0'@'$1' IDENTIFIED BY PASSWORD '$2'";
// $3: SSL (TLS required) or NONE.
inline constexpr char kAlterAccount[] =
    "ALTER USER '$0'@'$1' IDENTIFIED BY PASSWORD '$2' REQUIRE $3";
// $0 is the database name with each '_' escaped by a backslash: in a
// database-level grant '_' is a wildcard, and the grant must match this one
// database only.
inline constexpr char kGrantDatabaseToAccount[] =
    "GRANT ALL PRIVILEGES ON `$0`.* TO '$1'@'$2' WITH GRANT OPTION";
inline constexpr char kGrantRoleToAccount[] = "GRANT `$0` TO '$1'@'$2'";
inline constexpr char kSetDefaultRole[] = "SET DEFAULT ROLE `$0` FOR '$1'@'$2'";
// While grants are applied: a GRANT to a role that does not exist fails
// (error 1133) instead of creating a password-less user of that name.
inline constexpr char kNoAutoCreateUser[] =
    "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_CREATE_USER')";
// The grants of the connected account and of its active role.
inline constexpr char kShowGrants[] = "SHOW GRANTS";

// --- Complaints ----------------------------------------------------------------

// The complaint's columns without identity, in the order ReadComplaintRow
// (mysql_store.cc) reads them.
#define DUMAS_SQL_COMPLAINT_COLUMNS                                              \
  "c.id, c.reference_number, c.state, c.description, c.incident_time, "          \
  "c.incident_location, c.category_id, c.channel, c.reply_address_ct, "          \
  "COALESCE(c.subject_unit_id, ''), c.officer_name, c.officer_description, "     \
  "c.confidential, c.create_time, c.update_time, c.version, c.sp3d_due_date, "   \
  "c.key_id, COALESCE(c.handling_unit_id, ''), c.sp3d_sent_at, "                 \
  "c.result_due_date, c.answer_time, c.outcome, c.clarification_pending, "       \
  "COALESCE(c.clarification_question, ''), COALESCE(c.answer_text, ''), "        \
  "c.satisfaction_rating, c.result_start_date, c.sp3d_due_provisional, "          \
  "c.result_due_provisional, c.share_identity, COALESCE(c.external_id, ''), "     \
  "c.external_receive_time"
#define DUMAS_SQL_IDENTITY_COLUMNS \
  "c.full_name_ct, c.nik_ct, c.phone_ct, c.email_ct, c.address_ct"

inline constexpr char kInsertComplaint[] =
    "INSERT INTO complaints (reference_number, tracking_hash, state, description,"
    " incident_time, incident_location, category_id, channel, reply_address_ct,"
    " subject_unit_id, officer_name, officer_description, confidential, key_id,"
    " full_name_ct, nik_ct, phone_ct, email_ct, address_ct, nik_blind_index,"
    " submitted_by, create_time, update_time, version, sp3d_due_date,"
    " sp3d_due_provisional, share_identity, identity_salt_ct, external_id,"
    " external_receive_time)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?,"
    " ?, ?, ?, ?)"
    " RETURNING id";

// An imported complaint by its external id, locked, with what is compared
// when it is imported again: DUMAS_SQL_COMPLAINT_COLUMNS, the identity
// columns, the reply address (in the complaint's columns, decrypted on
// purpose here).
inline constexpr char kSelectComplaintByExternalId[] =
    "SELECT " DUMAS_SQL_COMPLAINT_COLUMNS ", " DUMAS_SQL_IDENTITY_COLUMNS
    " FROM complaints c WHERE c.external_id = ? FOR UPDATE";

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
// The complaint's columns repeat on every row, the answer and the open
// question included (at most 10,000 and 2,000 characters, set only once
// answered or asked); a UNION ALL that sent them once cost MariaDB about
// 50 us more CPU per call (storage_bench: 140-160 us against 90-110 us),
// which Track, the busiest public call, cannot afford. Columns added later
// follow the event's.
inline constexpr char kSelectTracking[] =
    "SELECT c.tracking_hash, c.state, c.category_id, c.create_time,"
    " c.sp3d_due_date, c.sp3d_sent_at IS NOT NULL, c.result_due_date, c.answer_time,"
    " c.answer_text, c.clarification_pending, c.clarification_question,"
    " c.satisfaction_rating,"
    " e.id, e.type, e.event_time, e.to_state, e.public_message,"
    " c.sp3d_due_provisional, c.result_due_provisional, c.share_identity,"
    " l.revision, l.leaf_hash"
    " FROM complaints c"
    " LEFT JOIN complaint_events e ON e.complaint_id = c.id AND e.public = TRUE"
    " LEFT JOIN log_entries l ON l.event_id = e.id"
    " WHERE c.reference_number = ?";

// Events are only ever inserted (append-only log): no statement here changes
// an event, and the one that updates complaint_events at all clears the
// sequencer's queue mark (kClearLogPendingEvents). The event is queued for
// the transparency log's sequencer by its own insert (log_pending = TRUE):
// no statement of its own, no row of its own. A case action's event also
// records what the Anev report counts it by (anev_unit, anev_received,
// anev_due, and anev_tag, computed here from the columns set before it in
// the same row, as the virtual anev_label is: migrations 0010 and 0015);
// other events leave them NULL.
inline constexpr char kInsertEvent[] =
    "INSERT INTO complaint_events (complaint_id, event_time, actor_principal_id,"
    " type, from_state, to_state, public, public_message, internal_note, details, mac,"
    " anev_unit, anev_received, anev_due, anev_tag, log_pending)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " IF(anev_received IS NULL, NULL, IF(type IN ('CONCLUDED', 'REJECTED', 'RATED'),"
    " LEFT(SUBSTRING_INDEX(COALESCE(internal_note, '') COLLATE utf8mb4_bin,"
    " CHAR(10 USING utf8mb4) COLLATE utf8mb4_bin, 1), 64), '')),"
    " TRUE)"
    " RETURNING id";

// A record of the resort itself for the log (append-only), queued for the
// sequencer as an event is. Parameters: kind, name, record_time, digest, mac.
inline constexpr char kInsertLogRecord[] =
    "INSERT INTO log_records (kind, name, record_time, digest, mac, log_pending)"
    " VALUES (?, ?, ?, ?, ?, TRUE) RETURNING id";

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

// The principal's columns, in the order ReadPrincipal (mysql_admin_store.cc
// and mysql_store.cc) reads them.
#define DUMAS_SQL_PRINCIPAL_COLUMNS                                            \
  "id, name, role, COALESCE(unit_id, ''), channel_mask, created_at, revoked_at, " \
  "COALESCE(cert_identity, ''), token_required"

inline constexpr char kSelectPrincipalByToken[] =
    "SELECT " DUMAS_SQL_PRINCIPAL_COLUMNS " FROM principals"
    " WHERE token_sha256 = ? AND revoked_at IS NULL";

inline constexpr char kSelectPrincipalById[] =
    "SELECT " DUMAS_SQL_PRINCIPAL_COLUMNS " FROM principals WHERE id = ?";

inline constexpr char kListPrincipals[] =
    "SELECT " DUMAS_SQL_PRINCIPAL_COLUMNS " FROM principals"
    " WHERE id > ? ORDER BY id LIMIT ?";

inline constexpr char kInsertPrincipal[] =
    "INSERT INTO principals (name, role, unit_id, channel_mask, token_sha256, created_at,"
    " cert_identity, token_required)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " RETURNING id";

// The principals bound to any of a client certificate's identities (a JSON
// array of strings), active ones first, through idx_principals_cert: a
// revoked one tells that the certificate is refused. The identities compare
// byte for byte, as the column does.
inline constexpr char kSelectPrincipalsByCertIdentity[] =
    "SELECT " DUMAS_SQL_PRINCIPAL_COLUMNS
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (identity VARCHAR(255) PATH '$')) AS j"
    " JOIN principals ON principals.cert_identity = j.identity COLLATE utf8mb4_bin"
    " ORDER BY revoked_at IS NOT NULL, id LIMIT 20";

// Changes whenever a principal is revoked: how many are, and the latest time
// (idx_principals_revoked).
inline constexpr char kSelectRevocationMark[] =
    "SELECT COUNT(*), COALESCE(MAX(revoked_at), '') FROM principals"
    " WHERE revoked_at IS NOT NULL";

// Whether the principal is active, holding a shared lock on its row until the
// transaction ends: a revocation (an UPDATE of the row) waits for the
// transactions that checked it, and those that check after it see it.
inline constexpr char kLockActivePrincipal[] =
    "SELECT id FROM principals WHERE id = ? AND revoked_at IS NULL LOCK IN SHARE MODE";

inline constexpr char kRevokePrincipalById[] =
    "UPDATE principals SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";

inline constexpr char kRevokePrincipal[] =
    "UPDATE principals SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL";

// --- Tracking throttle -----------------------------------------------------------

// Counts a failure of a client key (a keyed hash) in its fixed window, which
// restarts when it has ended. In ON DUPLICATE KEY UPDATE each assignment sees
// the columns as the earlier ones left them, so failures is decided on the old
// window_start before window_start moves. Parameters: key, now, (update:)
// window cutoff (now - window), window cutoff, now.
inline constexpr char kCountTrackFailure[] =
    "INSERT INTO track_failures (client_key, window_start, failures) VALUES (?, ?, 1)"
    " ON DUPLICATE KEY UPDATE"
    " failures = IF(window_start <= ?, 1, failures + 1),"
    " window_start = IF(window_start <= ?, ?, window_start)";
// The count the statement above left, read in its transaction (the row is
// still locked by it).
inline constexpr char kSelectTrackFailures[] =
    "SELECT failures FROM track_failures WHERE client_key = ?";
inline constexpr char kPurgeTrackFailures[] =
    "DELETE FROM track_failures WHERE window_start < ? ORDER BY window_start LIMIT ?";

// --- Reference data -----------------------------------------------------------------

inline constexpr char kListCategories[] =
    "SELECT id, indonesian_name, english_name FROM categories"
    " WHERE id > ? ORDER BY id LIMIT ?";

inline constexpr char kListUnits[] =
    "SELECT id, display_name FROM units WHERE id > ? ORDER BY id LIMIT ?";

inline constexpr char kListHolidays[] = "SELECT day FROM holidays ORDER BY day";

// Holidays within [first day, day after the last).
inline constexpr char kListHolidaysBetween[] =
    "SELECT day, name, kind FROM holidays WHERE day >= ? AND day < ? ORDER BY day";
inline constexpr char kDeleteHolidaysBetween[] =
    "DELETE FROM holidays WHERE day >= ? AND day < ?";
inline constexpr char kInsertHoliday[] =
    "INSERT INTO holidays (day, name, kind) VALUES (?, ?, ?)";

// --- The working calendar ------------------------------------------------------

// Every holiday of every year, for the calendar in memory (a few dozen rows a
// year).
inline constexpr char kListAllHolidays[] = "SELECT day, name, kind FROM holidays ORDER BY day";

// A year is loaded once its holidays were set. Parameters: year, now.
inline constexpr char kMarkYearLoaded[] =
    "INSERT INTO calendar_years (year, loaded_at) VALUES (?, ?)"
    " ON DUPLICATE KEY UPDATE loaded_at = VALUES(loaded_at)";
inline constexpr char kListLoadedYears[] = "SELECT year FROM calendar_years ORDER BY year";

// The one row of calendar_settings (id 1; migration 0004 inserts it).
inline constexpr char kSelectCalendarSettings[] =
    "SELECT skip_cuti_bersama, updated_at FROM calendar_settings WHERE id = 1";
// Parameters: skip_cuti_bersama, now.
inline constexpr char kUpdateSkipCutiBersama[] =
    "UPDATE calendar_settings SET skip_cuti_bersama = ?, updated_at = ? WHERE id = 1";
inline constexpr char kSelectDeadlinesCalendarDigest[] =
    "SELECT deadlines_calendar_digest FROM calendar_settings WHERE id = 1";
inline constexpr char kUpdateDeadlinesCalendarDigest[] =
    "UPDATE calendar_settings SET deadlines_calendar_digest = ? WHERE id = 1";

// Recomputing deadlines: one batch of complaints in the given states (bit n:
// state n), by id after a cursor, locked, so that a state change waits for
// the batch (a few milliseconds) and then sees its due dates. A scan of the
// primary key that skips the other states: a full recomputation reads the
// table once. Intake does not wait: new rows lie beyond every locked one
// (READ COMMITTED takes no gap locks). Parameters: after id, state bitmask,
// limit.
inline constexpr char kSelectDeadlinesForUpdate[] =
    "SELECT c.id, c.reference_number, c.state, c.create_time, c.sp3d_sent_at,"
    " c.sp3d_due_date, c.sp3d_due_provisional, c.result_start_date, c.result_due_date,"
    " c.result_due_provisional, c.answer_time"
    " FROM complaints c"
    " WHERE c.id > ? AND ((? >> c.state) & 1) = 1"
    " ORDER BY c.id LIMIT ?"
    " FOR UPDATE";

// The new deadlines of the locked rows, as one JSON array of objects
// {"id", "sp3d_due", "sp3d_provisional", "result_due" (absent: NULL),
// "result_provisional"}: one statement per batch, each row found by its
// primary key. Due dates only: neither the version (etag) nor update_time
// changes, so no caller's etag goes stale over a calendar correction.
inline constexpr char kUpdateDeadlines[] =
    "UPDATE JSON_TABLE(?, '$[*]' COLUMNS ("
    " id BIGINT PATH '$.id',"
    " sp3d_due DATE PATH '$.sp3d_due',"
    " sp3d_provisional TINYINT PATH '$.sp3d_provisional',"
    " result_due DATE PATH '$.result_due',"
    " result_provisional TINYINT PATH '$.result_provisional')) AS j"
    " JOIN complaints c ON c.id = j.id"
    " SET c.sp3d_due_date = j.sp3d_due, c.sp3d_due_provisional = j.sp3d_provisional,"
    " c.result_due_date = j.result_due, c.result_due_provisional = j.result_provisional";

inline constexpr char kInsertUnit[] =
    "INSERT INTO units (id, display_name, kind) VALUES (?, ?, ?)";
inline constexpr char kInsertCategory[] =
    "INSERT INTO categories (id, indonesian_name, english_name) VALUES (?, ?, ?)";

inline constexpr char kListRoutingRules[] =
    "SELECT category_id, unit_id FROM routing_rules ORDER BY category_id";
inline constexpr char kUpsertRoutingRule[] =
    "INSERT INTO routing_rules (category_id, unit_id, updated_at) VALUES (?, ?, ?)"
    " ON DUPLICATE KEY UPDATE unit_id = VALUES(unit_id), updated_at = VALUES(updated_at)";

// --- Case handling -------------------------------------------------------------

// Mutate's read: the complaint, locked.
inline constexpr char kSelectComplaintForUpdate[] =
    "SELECT " DUMAS_SQL_COMPLAINT_COLUMNS
    " FROM complaints c WHERE c.reference_number = ? FOR UPDATE";

// The change recorded under (actor key, request_id): its fingerprint. The
// actor key is "p<principal id>" for staff, "c<complaint id>" for the
// complainant.
inline constexpr char kSelectChangeRequest[] =
    "SELECT fingerprint FROM change_requests WHERE actor_key = ? AND request_id = ?";
inline constexpr char kInsertChangeRequest[] =
    "INSERT INTO change_requests (actor_key, request_id, fingerprint, complaint_id, event_id,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?)";

// Mutate's write of the locked row: every case-handling column as decided,
// the version counted up. The version condition is a guard (the row is
// locked, so it always holds).
inline constexpr char kUpdateComplaintCase[] =
    "UPDATE complaints SET state = ?, handling_unit_id = ?, sp3d_sent_at = ?,"
    " result_due_date = ?, answer_time = ?, answer_text = ?, outcome = ?,"
    " clarification_pending = ?, clarification_question = ?, satisfaction_rating = ?,"
    " result_start_date = ?, result_due_provisional = ?,"
    " version = version + 1, update_time = ?"
    " WHERE id = ? AND version = ?";

// One page of ListComplaints, newest first, in one static statement. Every
// optional filter is "(parameter unset OR condition)"; MariaDB folds the
// parameters of a prepared statement into constants before planning, so an
// unset filter costs nothing and a set one can use its index. The keyset
// condition (create_time, id) < (cursor) is spelled out so that the range
// optimizer sees it (a row comparison would not be used for a range); the
// first page passes a cursor after every row.
//
// The filters on indexed columns (category, handling unit, subject unit) are
// written "col >= ? AND col <= ?", not "col = ?": an equality would let the
// optimizer pick a ref access on the (col, create_time) index, which reads
// the unit's rows from the newest on and ignores the cursor, so that a page
// deep into a common unit's complaints read every newer row first (measured:
// 90,000 rows for the page 90% deep into 100,000). The range form leaves
// only range plans, both bounded by the cursor: on (create_time, id), reading
// newest first and filtering (about page size / selectivity rows), or, for a
// value rare enough that the optimizer prefers it, on (col, create_time, id)
// with a sort of the value's rows older than the cursor. Either way a deep
// page costs no more than the first.
//
// Parameters, in order:
//   cursor create_time, cursor create_time, cursor id,
//   received_after (inclusive), received_before (exclusive),
//   state bitmask (bit n: state n; 0 = any), the same bitmask,
//   category_id x3 (NULL = any), channel x2 (0 = any),
//   handling_unit_id x3 (NULL = any), subject_unit_id x3 (NULL = any),
//   scope handling unit x3 (NULL = none), scope excluded subject unit x2,
//   overdue_only (0/1), today, today, limit.
// Overdue: not in a terminal state (ARCHIVED 3, REJECTED 4, CLOSED 9), and
// either the SP3D is unsent after its due day or it was sent, the answer is
// not given and its due day passed.
inline constexpr char kListComplaints[] =
    "SELECT " DUMAS_SQL_COMPLAINT_COLUMNS
    " FROM complaints c"
    " WHERE (c.create_time < ? OR (c.create_time = ? AND c.id < ?))"
    " AND c.create_time >= ? AND c.create_time < ?"
    " AND (? = 0 OR ((? >> c.state) & 1) = 1)"
    " AND (? IS NULL OR (c.category_id >= ? AND c.category_id <= ?))"
    " AND (? = 0 OR c.channel = ?)"
    " AND (? IS NULL OR (c.handling_unit_id >= ? AND c.handling_unit_id <= ?))"
    " AND (? IS NULL OR (c.subject_unit_id >= ? AND c.subject_unit_id <= ?))"
    " AND (? IS NULL OR (c.handling_unit_id >= ? AND c.handling_unit_id <= ?))"
    " AND (? IS NULL OR c.subject_unit_id IS NULL OR c.subject_unit_id <> ?)"
    " AND (? = 0 OR (c.state NOT IN (3, 4, 9) AND ("
    "(c.sp3d_sent_at IS NULL AND c.sp3d_due_date < ?) OR"
    " (c.sp3d_sent_at IS NOT NULL AND c.answer_time IS NULL AND c.result_due_date < ?))))"
    " ORDER BY c.create_time DESC, c.id DESC"
    " LIMIT ?";

// Events of one complaint after an id, oldest first, through
// idx_events_anev_complaint (complaint_id, id, ...), the complaint's events
// in id order (migration 0013 dropped its prefix idx_events_complaint). The
// index is named because uq_events_request also starts with complaint_id and
// would need a sort of all the complaint's events (IDENTITY_READ events pile
// up).
#define DUMAS_SQL_EVENT_COLUMNS                                                     \
  "e.id, e.event_time, COALESCE(e.actor_principal_id, 0), e.type, e.from_state, "  \
  "e.to_state, e.public, e.public_message, COALESCE(e.internal_note, ''), "        \
  "COALESCE(l.revision, 0)"
inline constexpr char kListEvents[] =
    "SELECT " DUMAS_SQL_EVENT_COLUMNS
    " FROM complaint_events e FORCE INDEX (idx_events_anev_complaint)"
    " LEFT JOIN log_entries l ON l.event_id = e.id"
    " WHERE e.complaint_id = (SELECT c.id FROM complaints c WHERE c.reference_number = ?)"
    " AND e.id > ? ORDER BY e.id LIMIT ?";
inline constexpr char kComplaintExists[] =
    "SELECT 1 FROM complaints WHERE reference_number = ?";

// --- Notifications (the outbox) ------------------------------------------------

inline constexpr char kInsertNotification[] =
    "INSERT INTO notifications (complaint_id, event_id, kind, channel, key_id, text_ct,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

// The unacknowledged notifications of a gateway's channels whose lease ended
// (or never began) and that were not set aside, oldest first, locked; rows
// another leaser holds are skipped, not waited for. The channels are eight
// parameters, the gateway's channels repeated to fill them, so that one
// static statement serves every set and the optimizer sees a list of
// constants for idx_notifications_channel. Parameters: 8 channels, now, limit.
inline constexpr char kLeaseNotifications[] =
    "SELECT n.id FROM notifications n FORCE INDEX (idx_notifications_channel)"
    " WHERE n.channel IN (?, ?, ?, ?, ?, ?, ?, ?) AND n.acked_at IS NULL"
    " AND n.failed_at IS NULL AND (n.lease_until IS NULL OR n.lease_until < ?)"
    " ORDER BY n.id LIMIT ?"
    " FOR UPDATE SKIP LOCKED";

// Sets a notification aside: it is not leased again until an operator acts.
// Parameters: now, failure, id.
inline constexpr char kSetNotificationAside[] =
    "UPDATE notifications SET failed_at = ?, failure = ?, lease_until = NULL WHERE id = ?";

// Notifications set aside, by id. Parameters: after id, limit.
inline constexpr char kListUndeliverableNotifications[] =
    "SELECT n.id, c.reference_number, n.kind, n.channel, n.created_at, n.failed_at,"
    " COALESCE(n.failure, '')"
    " FROM notifications n JOIN complaints c ON c.id = n.complaint_id"
    " WHERE n.failed_at IS NOT NULL AND n.acked_at IS NULL AND n.id > ?"
    " ORDER BY n.id LIMIT ?";

// Sets of notification ids travel as one parameter, a JSON array of integers
// (such as "[4,9,12]"), joined through JSON_TABLE: one static statement for
// any number of ids, each row found by its primary key.
#define DUMAS_SQL_ID_LIST "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j"

// Parameters: the ids, lease_until.
inline constexpr char kExtendNotificationLeases[] =
    "UPDATE " DUMAS_SQL_ID_LIST " JOIN notifications n ON n.id = j.id"
    " SET n.lease_until = ?, n.attempts = n.attempts + 1";

// The leased notifications with their complaint's reference number and reply
// address. Parameter: the ids.
inline constexpr char kSelectNotifications[] =
    "SELECT n.id, n.event_id, n.kind, n.channel, n.key_id, n.text_ct, n.created_at,"
    " n.attempts, n.lease_until, c.reference_number, c.key_id, c.reply_address_ct"
    " FROM " DUMAS_SQL_ID_LIST
    " JOIN notifications n ON n.id = j.id"
    " JOIN complaints c ON c.id = n.complaint_id"
    " ORDER BY n.id";

// How many of the ids exist among the channels of a bit mask (bit n:
// channel n). Parameters: the ids, the mask.
inline constexpr char kCountNotifications[] =
    "SELECT COUNT(*) FROM " DUMAS_SQL_ID_LIST
    " JOIN notifications n ON n.id = j.id"
    " WHERE ((? >> n.channel) & 1) = 1";

// Acknowledges: the first acknowledgement's time stays; the text is dropped.
// Parameters: the ids, now.
inline constexpr char kAcknowledgeNotifications[] =
    "UPDATE " DUMAS_SQL_ID_LIST " JOIN notifications n ON n.id = j.id"
    " SET n.acked_at = COALESCE(n.acked_at, ?), n.text_ct = ''";

// --- The transparency log (storage/mysql_change_log.h) -------------------------

// The sequencer's lock: one process at a time numbers events; the lock goes
// with its connection. Parameter: the lock's name. 1 when taken, 0 if held.
inline constexpr char kTryLogSequencerLock[] = "SELECT GET_LOCK(?, 0)";

inline constexpr char kSelectLegacyMaxEventId[] =
    "SELECT legacy_max_event_id FROM log_state WHERE id = 1";

// Committed records and events not numbered yet (log_pending TRUE), with what
// their entries are made of, in id order, each read through its index on
// log_pending, forced: the index gives the rows in id order, and however
// many logged rows come first the read touches queued ones only (no
// temporary table, no sort; a UNION of the two would build one on disk for
// the blobs, every batch). The records (a few a month) are
// read first. A queued one that is in the log already (l.revision set:
// queued again by hand) is only taken off the queue; one whose complaint is
// gone (written past the foreign keys) is read with an empty reference
// number, so that its code fails and it is refused and reported, never left
// queued. Never locking: the joined complaints are the writers' rows.
// Parameter: limit.
// Records: id, revision, kind, name, record_time, digest, mac.
inline constexpr char kSelectPendingRecords[] =
    "SELECT r.id, l.revision, r.kind, r.name, r.record_time, r.digest, r.mac"
    " FROM log_records r FORCE INDEX (idx_log_records_log_pending)"
    " LEFT JOIN log_entries l ON l.record_id = r.id"
    " WHERE r.log_pending = TRUE ORDER BY r.id LIMIT ?";
// Events: id, revision, then the entry's reference number, time, actor,
// type, from and to state, public, message, note, details and mac.
inline constexpr char kSelectPendingEvents[] =
    "SELECT e.id, l.revision, COALESCE(c.reference_number, ''), e.event_time,"
    " COALESCE(e.actor_principal_id, 0), e.type, COALESCE(e.from_state, 0),"
    " COALESCE(e.to_state, 0), e.public, e.public_message, COALESCE(e.internal_note, ''),"
    " COALESCE(e.details, ''), e.mac"
    " FROM complaint_events e FORCE INDEX (idx_complaint_events_log_pending)"
    " LEFT JOIN complaints c ON c.id = e.complaint_id"
    " LEFT JOIN log_entries l ON l.event_id = e.id"
    " WHERE e.log_pending = TRUE ORDER BY e.id LIMIT ?";

// Numbers a batch: a JSON array of [revision, event id, record id, leaf hash
// in hex], one of the ids 0. Parameters: sequenced_at, the array.
inline constexpr char kInsertLogEntries[] =
    "INSERT INTO log_entries (revision, event_id, record_id, leaf_hash, sequenced_at)"
    " SELECT j.revision, NULLIF(j.event_id, 0), NULLIF(j.record_id, 0), UNHEX(j.leaf), ?"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (revision BIGINT PATH '$[0]',"
    " event_id BIGINT PATH '$[1]', record_id BIGINT PATH '$[2]', leaf CHAR(64) PATH '$[3]'))"
    " AS j";

// Takes numbered (or refused) events and records off the queue, by id, in
// the transaction that numbers them: exactly the rows the batch read, never
// one committed after its read. The service role may update this column of
// the two tables and no other (storage/grants.sql). The mark goes from TRUE
// to FALSE, not to NULL: a row whose length does not change is updated in
// place, and InnoDB's redo log then carries the changed byte, not the whole
// row again (measured on event-sized rows: 120 against 1,334 bytes a row;
// rows cleared to NULL before schema version 13 stay NULL, which means the
// same). Parameter: the ids (DUMAS_SQL_ID_LIST).
inline constexpr char kClearLogPendingEvents[] =
    "UPDATE " DUMAS_SQL_ID_LIST " JOIN complaint_events e ON e.id = j.id"
    " SET e.log_pending = FALSE";
inline constexpr char kClearLogPendingRecords[] =
    "UPDATE " DUMAS_SQL_ID_LIST " JOIN log_records r ON r.id = j.id"
    " SET r.log_pending = FALSE";

// Parameters: event id, record id (one of them NULL), reason, rejected_at.
inline constexpr char kInsertLogRejected[] =
    "INSERT IGNORE INTO log_rejected (event_id, record_id, reason, rejected_at)"
    " VALUES (?, ?, ?, ?)";

// The leaves after a revision. Parameters: revision, limit.
inline constexpr char kSelectLogLeaves[] =
    "SELECT revision, leaf_hash FROM log_entries WHERE revision > ? ORDER BY revision LIMIT ?";

// A page of the feed: the events as stored now, with the logged leaf hash.
// The identity columns only when the complainant consented, and only on the
// event whose details commit to the identity as it is now: the registration,
// or the latest contact correction (complaints.identity_event_id). A purged
// identity is NULL. Parameters: after revision, limit.
#define DUMAS_SQL_SHARED(column)                                                   \
  "IF(c.share_identity AND ((c.identity_event_id IS NULL AND e.type = 'RECEIVED')" \
  " OR e.id = c.identity_event_id), " column ", NULL)"
inline constexpr char kListChanges[] =
    "SELECT l.revision, l.leaf_hash, c.reference_number, e.id, e.event_time,"
    " COALESCE(e.actor_principal_id, 0), e.type, e.from_state, e.to_state, e.public,"
    " e.public_message, COALESCE(e.internal_note, ''), COALESCE(e.details, ''), c.id,"
    " c.key_id, " DUMAS_SQL_SHARED("c.full_name_ct") ", " DUMAS_SQL_SHARED("c.nik_ct") ","
    " " DUMAS_SQL_SHARED("c.phone_ct") ", " DUMAS_SQL_SHARED("c.email_ct") ","
    " " DUMAS_SQL_SHARED("c.address_ct") ", " DUMAS_SQL_SHARED("c.identity_salt_ct") ","
    " " DUMAS_SQL_SHARED("c.reply_address_ct") ","
    " l.record_id, r.kind, r.name, r.record_time, r.digest"
    " FROM log_entries l"
    " LEFT JOIN complaint_events e ON e.id = l.event_id"
    " LEFT JOIN complaints c ON c.id = e.complaint_id"
    " LEFT JOIN log_records r ON r.id = l.record_id"
    " WHERE l.revision > ? ORDER BY l.revision LIMIT ?";
#undef DUMAS_SQL_SHARED

// The first delivery of a consented identity (in the version the event
// identity_event_id carries) to a principal through the feed: 1 row affected
// the first time, 0 afterwards (a concurrent delivery waits on the row).
// Parameters: complaint id, principal id, identity event id; then the
// IDENTITY_READ event's id, complaint id, principal id, identity event id.
inline constexpr char kInsertIdentityDelivery[] =
    "INSERT IGNORE INTO identity_deliveries (complaint_id, principal_id, identity_event_id)"
    " VALUES (?, ?, ?)";
inline constexpr char kSetIdentityDeliveryEvent[] =
    "UPDATE identity_deliveries SET event_id = ?"
    " WHERE complaint_id = ? AND principal_id = ? AND identity_event_id = ?";

// Checkpoints: a repeated size is the same deterministic note.
inline constexpr char kInsertCheckpoint[] =
    "INSERT IGNORE INTO log_checkpoints (tree_size, root_hash, note, created_at)"
    " VALUES (?, ?, ?, ?)";
inline constexpr char kSelectCheckpoint[] =
    "SELECT tree_size, root_hash, note FROM log_checkpoints WHERE tree_size = ?";
inline constexpr char kSelectLatestCheckpoint[] =
    "SELECT tree_size, root_hash, note FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1";
inline constexpr char kSelectCosignatureLines[] =
    "SELECT signature_line FROM log_cosignatures WHERE tree_size = ?"
    " ORDER BY created_at, witness_name, key_id";
// The largest tree a witness key cosigned. Parameters: name, key id.
inline constexpr char kSelectWitnessLatest[] =
    "SELECT COALESCE(MAX(tree_size), 0) FROM log_cosignatures"
    " WHERE witness_name = ? AND key_id = ?";
inline constexpr char kInsertCosignature[] =
    "INSERT IGNORE INTO log_cosignatures (tree_size, witness_name, key_id, cosigned_at,"
    " signature_line, principal_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

// --- Statistics (storage/statistics_store.h) ------------------------------------

// The outbox per channel: the unacknowledged notifications only, through
// idx_notifications_pending (acked_at, id), so the cost follows the backlog,
// not the history. Pending: not set aside; MIN(created_at) of those.
inline constexpr char kOutboxStatistics[] =
    "SELECT n.channel, SUM(n.failed_at IS NULL), SUM(n.failed_at IS NOT NULL),"
    " MIN(IF(n.failed_at IS NULL, n.created_at, NULL))"
    " FROM notifications n FORCE INDEX (idx_notifications_pending)"
    " WHERE n.acked_at IS NULL GROUP BY n.channel";

// Overdue complaints per handling unit, as kListComplaints' overdue filter
// has it: not in a terminal state (ARCHIVED 3, REJECTED 4, CLOSED 9), and the
// SP3D unsent after its due day, or sent with the answer not given after its
// due day. ANSWERED (8) is left out: a complaint is answered only from
// CONCLUDED, after its SP3D went out, and the answer sets answer_time
// (domain/lifecycle.cc, case_action.cc), so an answered complaint is never
// overdue.
//
// The other open states are read from idx_complaints_anev_state alone (state,
// ..., handling_unit_id, sp3d_due_date, ..., result_due_date), one range per
// state, without the rows' sp3d_sent_at and answer_time, which the lifecycle
// fixes for them: the SP3D goes out with the first disposition (ASSIGNED), the
// only way into ASSIGNED (5), and no transition leads back to RECEIVED (1) or
// VERIFIED (2), so it is unsent in 1 and 2 and sent in 5, 6 and 7; an answer
// is given only in ANSWERED, and reopening or disputing it (into REOPENED)
// clears it, so none is given in those states. Only REOPENED (10), which a
// rejected or archived complaint reaches without a disposition, reads its
// rows (idx_complaints_state_due). Reading the row of every open complaint
// took 0.4-0.8 s of one core every statistics interval at a million demo
// complaints, up to 1.9 s on a slower machine, and slowed the Anev reports
// running beside it by up to 0.4 s (docs/anev-report.md); the index alone,
// 0.1 s there, the same rows. Parameters: today, four times.
inline constexpr char kOverdueByUnit[] =
    "SELECT x.unit, SUM(x.sp3d), SUM(x.result) FROM ("
    "SELECT COALESCE(c.handling_unit_id, '') AS unit,"
    " SUM(c.state IN (1, 2) AND c.sp3d_due_date < ?) AS sp3d,"
    " SUM(c.state IN (5, 6, 7) AND c.result_due_date < ?) AS result"
    " FROM complaints c FORCE INDEX (idx_complaints_anev_state)"
    " WHERE c.state IN (1, 2, 5, 6, 7)"
    " GROUP BY c.handling_unit_id"
    " UNION ALL"
    " SELECT COALESCE(c.handling_unit_id, ''),"
    " SUM(c.sp3d_sent_at IS NULL AND c.sp3d_due_date < ?),"
    " SUM(c.sp3d_sent_at IS NOT NULL AND c.answer_time IS NULL AND c.result_due_date < ?)"
    " FROM complaints c WHERE c.state = 10"
    " GROUP BY c.handling_unit_id) x"
    " GROUP BY x.unit";

inline constexpr char kSelectSchemaVersion[] =
    "SELECT COALESCE(MAX(version), 0) FROM schema_version";

// --- Personal data (storage/personal_data_store.h) ---------------------------

// The complaint with its identity, locked: DUMAS_SQL_COMPLAINT_COLUMNS, then
// DUMAS_SQL_IDENTITY_COLUMNS (NULL once purged).
inline constexpr char kSelectComplaintWithIdentityForUpdate[] =
    "SELECT " DUMAS_SQL_COMPLAINT_COLUMNS ", " DUMAS_SQL_IDENTITY_COLUMNS
    " FROM complaints c WHERE c.reference_number = ? FOR UPDATE";

// The reads of a complaint's identity, oldest first: each IDENTITY_READ
// event's time and its reader's role and unit. Parameter: complaint id.
inline constexpr char kListIdentityReads[] =
    "SELECT e.event_time, p.role, COALESCE(p.unit_id, '')"
    " FROM complaint_events e FORCE INDEX (idx_events_anev_complaint)"
    " JOIN principals p ON p.id = e.actor_principal_id"
    " WHERE e.complaint_id = ? AND e.type = 'IDENTITY_READ' ORDER BY e.id";

// When the complainant last asked for a copy (NULL: never). Parameter:
// complaint id.
inline constexpr char kLastPersonalDataRequest[] =
    "SELECT MAX(e.event_time) FROM complaint_events e FORCE INDEX (idx_events_anev_complaint)"
    " WHERE e.complaint_id = ? AND e.type = 'PERSONAL_DATA_REQUESTED'";

// A corrected identity: every encrypted column under the current key, a new
// salt, and the event whose details commit to it. The blind index stays
// (the NIK is not corrected). Parameters: key id, reply address, full name,
// NIK, phone, email, address, salt, identity event id, complaint id.
inline constexpr char kUpdateIdentity[] =
    "UPDATE complaints SET key_id = ?, reply_address_ct = ?, full_name_ct = ?, nik_ct = ?,"
    " phone_ct = ?, email_ct = ?, address_ct = ?, identity_salt_ct = ?, identity_event_id = ?"
    " WHERE id = ?";

// The complaints whose identity is due for destruction: in a state closed
// for retention (bit n of the mask: state n) since before a time (the last
// event that changed their state), not purged yet, by id after a cursor,
// locked. A complaint received after that time cannot qualify, so
// create_time bounds the scan first. Parameters: after id, state mask,
// closed before, closed before, limit.
inline constexpr char kSelectIdentitiesToPurge[] =
    "SELECT c.id, c.reference_number FROM complaints c"
    " WHERE c.id > ? AND ((? >> c.state) & 1) = 1 AND c.identity_purged_at IS NULL"
    " AND c.create_time < ?"
    " AND (SELECT MAX(e.event_time) FROM complaint_events e FORCE INDEX (idx_events_anev_complaint)"
    " WHERE e.complaint_id = c.id AND e.to_state IS NOT NULL) < ?"
    " ORDER BY c.id LIMIT ? FOR UPDATE";

// Destroys the identities of the locked batch. Parameters: the ids
// (DUMAS_SQL_ID_LIST), purged at.
inline constexpr char kPurgeIdentities[] =
    "UPDATE " DUMAS_SQL_ID_LIST " JOIN complaints c ON c.id = j.id"
    " SET c.reply_address_ct = NULL, c.full_name_ct = NULL, c.nik_ct = NULL,"
    " c.phone_ct = NULL, c.email_ct = NULL, c.address_ct = NULL, c.identity_salt_ct = NULL,"
    " c.nik_blind_index = NULL, c.key_id = '', c.identity_purged_at = ?";

// Their undelivered notifications: no reply address is left to deliver
// them to. Parameters: the ids, failed at.
inline constexpr char kDropNotificationsOfPurged[] =
    "UPDATE " DUMAS_SQL_ID_LIST " JOIN notifications n ON n.complaint_id = j.id"
    " SET n.text_ct = '', n.failed_at = COALESCE(n.failed_at, ?),"
    " n.failure = 'IDENTITY_PURGED', n.lease_until = NULL"
    " WHERE n.acked_at IS NULL";

// Their idempotency records (an encrypted tracking code) and the
// complainant's request records (keyed hashes of what was asked). Parameter:
// the ids.
inline constexpr char kDeleteIdempotencyKeysOfPurged[] =
    "DELETE k FROM " DUMAS_SQL_ID_LIST " JOIN idempotency_keys k ON k.complaint_id = j.id";
inline constexpr char kDeleteComplainantRequestsOfPurged[] =
    "DELETE r FROM " DUMAS_SQL_ID_LIST
    " JOIN change_requests r ON r.actor_key = CONCAT('c', j.id)";

// The principal the destruction of identities acts as (migration 0009).
inline constexpr char kSelectRetentionPrincipal[] =
    "SELECT id FROM principals WHERE token_sha256 = UNHEX(SHA2('dumas-retention: no token', 256))";

// --- Key rotation (storage/key_rotation_store.h) -----------------------------

// The rows each data key encrypts: complaints through idx_complaints_key
// (key_id, id), reading the index only (a purged complaint's key_id is ''),
// the idempotency records (24 hours' worth), and the notifications not yet
// acknowledged (acknowledging drops the text), through the backlog's index.
// First column: 0 complaints, 1 idempotency_keys, 2 notifications.
inline constexpr char kKeyUsage[] =
    "SELECT 0, key_id, COUNT(*) FROM complaints FORCE INDEX (idx_complaints_key)"
    " WHERE key_id <> '' GROUP BY key_id"
    " UNION ALL SELECT 1, key_id, COUNT(*) FROM idempotency_keys GROUP BY key_id"
    " UNION ALL SELECT 2, key_id, COUNT(*) FROM notifications"
    " FORCE INDEX (idx_notifications_pending) WHERE acked_at IS NULL GROUP BY key_id";

// A batch of one key's complaints, by id after a cursor, locked: only these
// rows (idx_complaints_key holds exactly them), so writers of other
// complaints never wait. Parameters: key id, after id, limit.
inline constexpr char kSelectComplaintsOfKey[] =
    "SELECT c.id, c.reference_number, c.reply_address_ct, " DUMAS_SQL_IDENTITY_COLUMNS
    ", c.identity_salt_ct"
    " FROM complaints c FORCE INDEX (idx_complaints_key)"
    " WHERE c.key_id = ? AND c.id > ? ORDER BY c.id LIMIT ? FOR UPDATE";

// The batch's new ciphertexts, as one JSON array of objects {"id", and each
// column in hex ("salt" null when the complaint has none)}: one statement per
// batch. Neither version nor update_time changes: re-encryption is not a
// change of the complaint. Parameters: the array, the new key id, the old key
// id (a guard: the rows are locked).
inline constexpr char kUpdateComplaintCiphertexts[] =
    "UPDATE JSON_TABLE(?, '$[*]' COLUMNS ("
    " id BIGINT PATH '$.id',"
    " reply VARCHAR(4200) PATH '$.reply',"
    " full_name VARCHAR(1800) PATH '$.full_name',"
    " nik VARCHAR(200) PATH '$.nik',"
    " phone VARCHAR(200) PATH '$.phone',"
    " email VARCHAR(2200) PATH '$.email',"
    " address VARCHAR(4200) PATH '$.address',"
    " salt VARCHAR(200) PATH '$.salt')) AS j"
    " JOIN complaints c ON c.id = j.id"
    " SET c.key_id = ?, c.reply_address_ct = UNHEX(j.reply), c.full_name_ct = UNHEX(j.full_name),"
    " c.nik_ct = UNHEX(j.nik), c.phone_ct = UNHEX(j.phone), c.email_ct = UNHEX(j.email),"
    " c.address_ct = UNHEX(j.address), c.identity_salt_ct = UNHEX(j.salt)"
    " WHERE c.key_id = ?";

// A batch of one key's idempotency records after a cursor (principal id,
// request id), locked. Parameters: key id, principal id, principal id,
// request id, limit.
inline constexpr char kSelectIdempotencyKeysOfKey[] =
    "SELECT principal_id, request_id, tracking_code_ct FROM idempotency_keys"
    " WHERE key_id = ? AND (principal_id > ? OR (principal_id = ? AND request_id > ?))"
    " ORDER BY principal_id, request_id LIMIT ? FOR UPDATE";
// Parameters: new key id, ciphertext, principal id, request id, old key id.
inline constexpr char kUpdateIdempotencyKeyCiphertext[] =
    "UPDATE idempotency_keys SET key_id = ?, tracking_code_ct = ?"
    " WHERE principal_id = ? AND request_id = ? AND key_id = ?";

// A batch of one key's unacknowledged notifications after an id, locked
// through the backlog's index (a gateway's lease skips them meanwhile).
// Parameters: key id, after id, limit.
inline constexpr char kSelectNotificationsOfKey[] =
    "SELECT n.id, n.complaint_id, n.event_id, n.kind, n.text_ct"
    " FROM notifications n FORCE INDEX (idx_notifications_pending)"
    " WHERE n.acked_at IS NULL AND n.key_id = ? AND n.id > ?"
    " ORDER BY n.id LIMIT ? FOR UPDATE";
// The reference numbers of complaints, by id, without locking them.
// Parameter: the ids (DUMAS_SQL_ID_LIST).
inline constexpr char kSelectReferenceNumbers[] =
    "SELECT c.id, c.reference_number FROM " DUMAS_SQL_ID_LIST
    " JOIN complaints c ON c.id = j.id";
// Every complaint's id and reference number, by id (tools/bench-feed seeds
// events over them). No parameters.
inline constexpr char kSelectAllReferenceNumbers[] =
    "SELECT id, reference_number FROM complaints ORDER BY id";
// Parameters: new key id, ciphertext, id, old key id.
inline constexpr char kUpdateNotificationCiphertext[] =
    "UPDATE notifications SET key_id = ?, text_ct = ?"
    " WHERE id = ? AND key_id = ? AND acked_at IS NULL";
// --- The Anev report (storage/anev_store.h, docs/anev-report.md) -----------------------

// A month's data is read in one consistent snapshot (REPEATABLE READ, read
// only): every statement below sees the same committed changes, and none
// takes a lock, so intake and case handling never wait for a report.
inline constexpr char kAnevSnapshotIsolation[] =
    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
inline constexpr char kAnevStartSnapshot[] =
    "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
// The binary log position of the session's consistent snapshot: MariaDB
// takes it in commit order, so two snapshots at the same position (file and
// offset) see exactly the same committed transactions (every change is
// logged; the service role cannot turn that off for its session). A live
// report reads its statements on two connections at once only when their
// snapshots share the position (storage/mysql_anev_store.cc). The file is
// empty when the binary log is off.
inline constexpr char kAnevSnapshotPosition[] =
    "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
    " WHERE VARIABLE_NAME IN ('BINLOG_SNAPSHOT_FILE', 'BINLOG_SNAPSHOT_POSITION')";

// Every statement takes the month's first instant S and the instant A the
// report is as at (the month's end when closed, else now), UTC. A WITA day is
// DATE(t + INTERVAL 8 HOUR): WITA is UTC+8 all year.
//
// The state of a complaint at A: its state now, unless it changed since
// (update_time >= A; every change counts update_time up), in which case the
// state its first change at or after A started from. That first change is
// found among the complaint's own events, and only for complaints changed
// since A: none for the current month, a month's worth for the month before
// (its corrections). idx_events_anev_complaint holds every column the lookup
// reads, so the complaint's handful of events are read from the index alone
// (migration 0010: with idx_events_complaint each event was a primary-key
// lookup into the wide events rows).
#define DUMAS_SQL_ANEV_STATE_AT(as_of)                                              \
  "COALESCE((SELECT e.from_state FROM complaint_events e"                           \
  " FORCE INDEX (idx_events_anev_complaint)"                                        \
  " WHERE e.complaint_id = c.id AND e.event_time >= " as_of                         \
  " AND e.to_state IS NOT NULL ORDER BY e.id LIMIT 1), c.state)"

// The day (WITA) the result deadline running at an event started: the latest
// disposition (ASSIGNED) or resumption of a reopened complaint
// (INVESTIGATION_STARTED from REOPENED, 10) of the complaint before it.
#define DUMAS_SQL_ANEV_ROUND_START(before)                                          \
  "(SELECT DATE(MAX(s.event_time) + INTERVAL 8 HOUR) FROM complaint_events s"       \
  " FORCE INDEX (idx_events_anev_complaint)"                                        \
  " WHERE s.complaint_id = c.id AND " before                                        \
  " AND (s.type = 'ASSIGNED' OR (s.type = 'INVESTIGATION_STARTED' AND s.from_state = 10)))"

// The complaints received in [S, A), grouped by handling unit, category,
// channel, subject unit and state at A: a range of
// idx_complaints_anev_month, which holds every column but the state at A's
// correction. Parameters: A, A, S, A.
inline constexpr char kAnevReceived[] =
    "SELECT COALESCE(c.handling_unit_id, ''), c.category_id, c.channel,"
    " COALESCE(c.subject_unit_id, ''),"
    " IF(c.update_time < ?, c.state, " DUMAS_SQL_ANEV_STATE_AT("?") ") AS state_at_end,"
    " COUNT(*)"
    " FROM complaints c FORCE INDEX (idx_complaints_anev_month)"
    " WHERE c.create_time >= ? AND c.create_time < ?"
    " GROUP BY 1, 2, 3, 4, 5";

// The events of one type in [S, A) are a range of idx_events_anev_facts
// (type, event_time, complaint_id, from_state, anev_label, anev_received,
// anev_unit, anev_due, anev_tag), read from the index alone. A case action's
// event carries what the report counts it by, written with it (migration
// 0015, AnevEventFacts in domain/anev_report.h): the unit that handled the
// complaint then, the day it was received, the due day it fulfils, and its
// label (anev_tag: the first line of the internal note, at most 64
// characters, of CONCLUDED, REJECTED and RATED events, where the note starts
// with their outcome, reason or rating, domain/case_action.cc; else empty).
// Events written before version 15 carry none (anev_received NULL): their
// complaint's handling unit and days are looked up in
// idx_complaints_anev_unit (id, handling_unit_id, create_time,
// sp3d_due_date, result_start_date, result_due_date), also read from the
// index alone (migration 0010), and their label is the virtual anev_label
// (migration 0010), in a second branch of the same statement. At 1,000,000
// demo complaints a live month's 140,000 such lookups took about half of
// the report's time (docs/anev-report.md, "Cost, measured"). The virtual
// column is read by a lookup of the event's row, for those events only: a
// statement that names it in its select list does not always read it from
// the index (in dumasd's sessions it read every event's row, three pages an
// event). The two branches' rows may share a group's key: the report adds
// them up.
#define DUMAS_SQL_ANEV_EVENTS "complaint_events e FORCE INDEX (idx_events_anev_facts)"
#define DUMAS_SQL_ANEV_EVENTS_WITHOUT_FACTS                                         \
  DUMAS_SQL_ANEV_EVENTS                                                             \
  " JOIN complaints c FORCE INDEX (idx_complaints_anev_unit) ON c.id = e.complaint_id"
// The virtual label of event `id` written before version 15.
#define DUMAS_SQL_ANEV_LEGACY_LABEL(id)                                             \
  "(SELECT r.anev_label FROM complaint_events r WHERE r.id = " id ")"

// Conclusions, rejections, archivings and disputes (a disputed answer, or a
// complaint reopened by staff) in [S, A), by handling unit, type and, for a
// conclusion or rejection, its label. Parameters: S, A, S, A.
#define DUMAS_SQL_ANEV_LABELLED_WHERE                                               \
  " WHERE e.type IN ('CONCLUDED', 'REJECTED', 'ARCHIVED', 'DISPUTED', 'REOPENED')"  \
  " AND e.event_time >= ? AND e.event_time < ?"
inline constexpr char kAnevLabelledEvents[] =
    "SELECT COALESCE(e.anev_unit, ''), e.type,"
    " IF(e.type IN ('CONCLUDED', 'REJECTED'), e.anev_tag, ''), COUNT(*)"
    " FROM " DUMAS_SQL_ANEV_EVENTS DUMAS_SQL_ANEV_LABELLED_WHERE
    " AND e.anev_received IS NOT NULL"
    " GROUP BY 1, 2, 3"
    " UNION ALL"
    " SELECT COALESCE(c.handling_unit_id, ''), e.type,"
    " IF(e.type IN ('CONCLUDED', 'REJECTED'), " DUMAS_SQL_ANEV_LEGACY_LABEL("e.id") ", ''),"
    " COUNT(*)"
    " FROM " DUMAS_SQL_ANEV_EVENTS_WITHOUT_FACTS DUMAS_SQL_ANEV_LABELLED_WHERE
    " AND e.anev_received IS NULL"
    " GROUP BY 1, 2, 3";

// The latest rating of each complaint rated in [S, A) ("rating: N", its
// label), by handling unit. Each complaint's latest rating is found in one
// pass: the greatest of the event ids written with 20 digits, then '+', the
// label, a line feed and the unit (or '-' for an event without facts), is the
// latest id's. Only a latest rating without facts looks up its label and its
// complaint's unit. Parameters: S, A.
inline constexpr char kAnevRatings[] =
    "SELECT IF(latest.facts, SUBSTRING(latest.rest, LOCATE(CHAR(10 USING utf8mb4),"
    " latest.rest) + 1),"
    " COALESCE((SELECT c.handling_unit_id FROM complaints c"
    " FORCE INDEX (idx_complaints_anev_unit) WHERE c.id = latest.complaint_id), '')),"
    " 'RATED',"
    " IF(latest.facts, SUBSTRING_INDEX(latest.rest, CHAR(10 USING utf8mb4), 1),"
    " " DUMAS_SQL_ANEV_LEGACY_LABEL("latest.id") "),"
    " COUNT(*)"
    " FROM (SELECT m.complaint_id, CAST(LEFT(m.latest, 20) AS UNSIGNED) AS id,"
    " SUBSTRING(m.latest, 21, 1) = '+' AS facts, SUBSTRING(m.latest, 22) AS rest"
    " FROM (SELECT e.complaint_id, MAX(CONCAT(LPAD(e.id, 20, '0'),"
    " IF(e.anev_received IS NULL, '-', CONCAT('+', e.anev_tag, CHAR(10 USING utf8mb4),"
    " COALESCE(e.anev_unit, ''))))) AS latest"
    " FROM " DUMAS_SQL_ANEV_EVENTS
    " WHERE e.type = 'RATED' AND e.event_time >= ? AND e.event_time < ?"
    " GROUP BY e.complaint_id) m) latest"
    " GROUP BY 1, 2, 3";

// First dispositions in [S, A) (ASSIGNED from VERIFIED, 2: the SP3D went
// out), by handling unit, day received, day sent and the SP3D's due day.
// Parameters: S, A, S, A.
#define DUMAS_SQL_ANEV_SP3D_WHERE                                                   \
  " WHERE e.type = 'ASSIGNED' AND e.event_time >= ? AND e.event_time < ?"           \
  " AND e.from_state = 2"
inline constexpr char kAnevSp3dSent[] =
    "SELECT COALESCE(e.anev_unit, ''), e.anev_received,"
    " DATE(e.event_time + INTERVAL 8 HOUR), e.anev_due, COUNT(*)"
    " FROM " DUMAS_SQL_ANEV_EVENTS DUMAS_SQL_ANEV_SP3D_WHERE
    " AND e.anev_received IS NOT NULL"
    " GROUP BY 1, 2, 3, 4"
    " UNION ALL"
    " SELECT COALESCE(c.handling_unit_id, ''), DATE(c.create_time + INTERVAL 8 HOUR),"
    " DATE(e.event_time + INTERVAL 8 HOUR), c.sp3d_due_date, COUNT(*)"
    " FROM " DUMAS_SQL_ANEV_EVENTS_WITHOUT_FACTS DUMAS_SQL_ANEV_SP3D_WHERE
    " AND e.anev_received IS NULL"
    " GROUP BY 1, 2, 3, 4";

// Official answers in [S, A), by handling unit, day received, day answered,
// the result due day, and the start of the answer's round when it must be
// looked up. An event with facts carries the due day of the round it
// answered. Without facts: the stored due day, unless a later round has
// replaced it (its start is not before the answer's day), then the start of
// the answer's round (the round-start lookup runs for those only).
// Parameters: S, A, S, A.
#define DUMAS_SQL_ANEV_ANSWERS_WHERE                                                \
  " WHERE e.type = 'ANSWERED' AND e.event_time >= ? AND e.event_time < ?"
inline constexpr char kAnevAnswers[] =
    "SELECT COALESCE(e.anev_unit, ''), e.anev_received,"
    " DATE(e.event_time + INTERVAL 8 HOUR), e.anev_due, CAST(NULL AS DATE), COUNT(*)"
    " FROM " DUMAS_SQL_ANEV_EVENTS DUMAS_SQL_ANEV_ANSWERS_WHERE
    " AND e.anev_received IS NOT NULL"
    " GROUP BY 1, 2, 3, 4"
    " UNION ALL"
    " SELECT COALESCE(c.handling_unit_id, ''), DATE(c.create_time + INTERVAL 8 HOUR),"
    " DATE(e.event_time + INTERVAL 8 HOUR), c.result_due_date,"
    " IF(c.result_start_date IS NOT NULL"
    " AND c.result_start_date < DATE(e.event_time + INTERVAL 8 HOUR), NULL, "
    DUMAS_SQL_ANEV_ROUND_START("s.id < e.id") "),"
    " COUNT(*)"
    " FROM " DUMAS_SQL_ANEV_EVENTS_WITHOUT_FACTS DUMAS_SQL_ANEV_ANSWERS_WHERE
    " AND e.anev_received IS NULL"
    " GROUP BY 1, 2, 3, 4, 5";

// The open backlog at A, part 1: complaints open now (RECEIVED 1, VERIFIED 2,
// ASSIGNED 5, UNDER_INVESTIGATION 6, CONCLUDED 7, REOPENED 10) and unchanged
// since A, so open at A in the same state, their stored deadlines in force:
// ranges of idx_complaints_anev_state (state, update_time < A), one per open
// state, read from the index alone (migrations 0010 and 0014;
// idx_complaints_state_due needed a primary-key lookup per open complaint,
// and for the month before read every complaint open now to keep those
// unchanged since). By handling unit, state, day received, SP3D due day and
// result due day. Parameters: A, A.
inline constexpr char kAnevOpenUnchanged[] =
    "SELECT COALESCE(c.handling_unit_id, ''), c.state, DATE(c.create_time + INTERVAL 8 HOUR),"
    " c.sp3d_due_date, c.result_due_date, COUNT(*)"
    " FROM complaints c FORCE INDEX (idx_complaints_anev_state)"
    " WHERE c.state IN (1, 2, 5, 6, 7, 10) AND c.update_time < ? AND c.create_time < ?"
    " GROUP BY 1, 2, 3, 4, 5";

// The open backlog at A, part 2: complaints received before A and changed
// since, with their state at A, kept when it was open. The result deadline in
// force at A is the stored one when its round started before A's day, else
// the round that was running at A is looked up. The optimizer picks the
// smaller range: idx_complaints_anev_state (update_time >= A, one range per
// state: every state, 1 to 10, kMaxComplaintState in domain/complaint.h, is
// listed so that the ranges cover every complaint; few for a recent month;
// it holds every column read, so no complaint row is read) or
// idx_complaints_anev_month (create_time < A: few for an old one). Both
// are forced: left free, it read the whole table and ran the
// state lookup for every complaint before the range predicates (the derived
// table is merged and its condition tested first): 8.9 s for the month
// before at 100,000 complaints, 0.64 s with the range of the 8,163
// complaints changed since (ANALYZE FORMAT=JSON). Parameters: A, A's day
// (WITA), A's day, A, A, A.
inline constexpr char kAnevOpenChanged[] =
    "SELECT x.hu, x.state_at_end, x.received, x.sp3d_due_date, x.result_due,"
    " x.round_start, COUNT(*)"
    " FROM (SELECT COALESCE(c.handling_unit_id, '') AS hu,"
    " " DUMAS_SQL_ANEV_STATE_AT("?") " AS state_at_end,"
    " DATE(c.create_time + INTERVAL 8 HOUR) AS received, c.sp3d_due_date,"
    " IF(c.result_start_date < ?, c.result_due_date, NULL) AS result_due,"
    " IF(c.result_start_date < ?, NULL, " DUMAS_SQL_ANEV_ROUND_START("s.event_time < ?")
    ") AS round_start"
    " FROM complaints c"
    " FORCE INDEX (idx_complaints_anev_state, idx_complaints_anev_month)"
    " WHERE c.state IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)"
    " AND c.create_time < ? AND c.update_time >= ?) x"
    " WHERE x.state_at_end IN (1, 2, 5, 6, 7, 10)"
    " GROUP BY 1, 2, 3, 4, 5, 6";

// The spelling of an officer's name shown for a group of complaints naming
// the same officer (names compare ignoring case and accents): the earliest
// complaint's (by receipt, then id). The prefix of the aggregated text is its
// receipt and id, fixed width, so its minimum is the earliest one's.
#define DUMAS_SQL_ANEV_FIRST_SPELLING                                               \
  "SUBSTRING(MIN(CONCAT(DATE_FORMAT(c.create_time, '%Y%m%d%H%i%s%f'),"              \
  " LPAD(c.id, 20, '0'), c.officer_name)), 41)"

// Officers named in complaints received in [S, A) and how many complaints
// received in [W, A) (W: eleven months before S) name them with the same
// subject unit, when more than one, counted from the complaints: for a month
// whose counts of the eleven months before it are not made
// (kAnevRepeatedSubjectsCounted). Names compare under the column's collation
// (case and accents ignored). Each name of the month is looked up in
// idx_complaints_anev_officer (name and unit, the window a range of
// create_time). STRAIGHT_JOIN keeps that order: left free, the optimizer read
// the whole officer index (every complaint ever) and probed the month's
// names with each: 800 ms at 100,000 complaints against 174 ms. Parameters:
// S, A, W, A.
inline constexpr char kAnevRepeatedSubjects[] =
    "SELECT STRAIGHT_JOIN COALESCE(c.subject_unit_id, ''), " DUMAS_SQL_ANEV_FIRST_SPELLING ","
    " COUNT(*)"
    " FROM (SELECT DISTINCT m.officer_name, m.subject_unit_id FROM complaints m"
    " FORCE INDEX (idx_complaints_anev_month)"
    " WHERE m.create_time >= ? AND m.create_time < ? AND m.officer_name <> '') n"
    " JOIN complaints c FORCE INDEX (idx_complaints_anev_officer)"
    " ON c.officer_name = n.officer_name AND c.subject_unit_id <=> n.subject_unit_id"
    " WHERE c.create_time >= ? AND c.create_time < ?"
    " GROUP BY c.subject_unit_id, c.officer_name"
    " HAVING COUNT(*) > 1";

// The same for a month whose counts of the eleven months before it are made
// (migration 0011, kAnevInsertSubjectWindow): the month's own complaints
// naming an officer (a range of idx_complaints_anev_month, read from the
// index alone), grouped by unit and name, each group joined to its row of
// anev_subject_windows by primary key: 60-120 ms for a month of 47,000
// complaints at a million, against 230-500 ms counted from the complaints.
// The earlier spelling is the window's. Parameters: S, A, the month (its
// first day).
inline constexpr char kAnevRepeatedSubjectsCounted[] =
    "SELECT m.unit, COALESCE(w.officer_name, m.spelling), m.complaints + COALESCE(w.complaints, 0)"
    " FROM (SELECT COALESCE(c.subject_unit_id, '') AS unit,"
    " " DUMAS_SQL_ANEV_FIRST_SPELLING " AS spelling, COUNT(*) AS complaints"
    " FROM complaints c FORCE INDEX (idx_complaints_anev_month)"
    " WHERE c.create_time >= ? AND c.create_time < ? AND c.officer_name <> ''"
    " GROUP BY c.subject_unit_id, c.officer_name) m"
    " LEFT JOIN anev_subject_windows w"
    " ON w.month = ? AND w.subject_unit_id = m.unit AND w.officer_name = m.spelling"
    " WHERE m.complaints + COALESCE(w.complaints, 0) > 1";

// Whether the counts of the eleven months before a month are made.
// Parameter: the month.
inline constexpr char kAnevSubjectWindowMade[] =
    "SELECT 1 FROM anev_subject_window_months WHERE month = ?";
// Made once, in one transaction: the month's row first (a second maker's
// insert waits for it and then fails on the primary key), then its counts,
// read from idx_complaints_anev_officer alone in its order (name, unit), so
// that each group is counted as it is read. The session's READ COMMITTED
// (kSessionIsolation) reads committed rows without locking them, so intake
// and case handling never wait for it. Parameters: month, made_at; month, W,
// S.
inline constexpr char kAnevInsertSubjectWindowMonth[] =
    "INSERT INTO anev_subject_window_months (month, made_at) VALUES (?, ?)";
inline constexpr char kAnevInsertSubjectWindow[] =
    "INSERT INTO anev_subject_windows (month, subject_unit_id, officer_name, complaints)"
    " SELECT ?, COALESCE(c.subject_unit_id, ''), " DUMAS_SQL_ANEV_FIRST_SPELLING ", COUNT(*)"
    " FROM complaints c FORCE INDEX (idx_complaints_anev_officer)"
    " WHERE c.officer_name <> '' AND c.create_time >= ? AND c.create_time < ?"
    " GROUP BY c.officer_name, c.subject_unit_id";

#undef DUMAS_SQL_ANEV_STATE_AT
#undef DUMAS_SQL_ANEV_ROUND_START
#undef DUMAS_SQL_ANEV_EVENTS
#undef DUMAS_SQL_ANEV_EVENTS_WITHOUT_FACTS
#undef DUMAS_SQL_ANEV_LEGACY_LABEL
#undef DUMAS_SQL_ANEV_LABELLED_WHERE
#undef DUMAS_SQL_ANEV_SP3D_WHERE
#undef DUMAS_SQL_ANEV_ANSWERS_WHERE
#undef DUMAS_SQL_ANEV_FIRST_SPELLING

// The earliest receipt (idx_complaints_create_time); NULL when there is none.
inline constexpr char kAnevEarliestComplaint[] = "SELECT MIN(create_time) FROM complaints";

// Frozen months in [first, last] (first days). Parameters: first, last.
inline constexpr char kAnevListFrozenMonths[] =
    "SELECT month, digest, frozen_at FROM anev_months WHERE month >= ? AND month <= ?"
    " ORDER BY month";
inline constexpr char kAnevListFrozenDigests[] =
    "SELECT month, scope, digest FROM anev_reports WHERE month >= ? AND month <= ?"
    " ORDER BY month, scope";
// The bodies of one scope, or of every scope when it is NULL. Parameters:
// first, last, scope, scope.
inline constexpr char kAnevListFrozenBodies[] =
    "SELECT month, scope, body FROM anev_reports WHERE month >= ? AND month <= ?"
    " AND (? IS NULL OR scope = ?) ORDER BY month, scope";

// A month is frozen once: a second insert of its row fails on the primary key
// (ALREADY_EXISTS) and the transaction is rolled back. Parameters: month,
// digest, frozen_at; month, scope, digest, body.
inline constexpr char kAnevInsertMonth[] =
    "INSERT INTO anev_months (month, digest, frozen_at) VALUES (?, ?, ?)";
inline constexpr char kAnevInsertReport[] =
    "INSERT INTO anev_reports (month, scope, digest, body) VALUES (?, ?, ?, ?)";

}  // namespace dumas::sql_text

#endif  // DUMAS_STORAGE_SQL_H_
