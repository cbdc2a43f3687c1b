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

// Events are only ever inserted (append-only log): no statement here updates
// or deletes complaint_events.
inline constexpr char kInsertEvent[] =
    "INSERT INTO complaint_events (complaint_id, event_time, actor_principal_id,"
    " type, from_state, to_state, public, public_message, internal_note, details, mac)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " RETURNING id";

// Queues an event for the transparency log's sequencer (log_pending), in
// the event's transaction.
inline constexpr char kInsertLogPending[] = "INSERT INTO log_pending (event_id) VALUES (?)";

// A record of the resort itself for the log (append-only), and its place in
// the sequencer's queue. Parameters: kind, name, record_time, digest, mac;
// then the record id.
inline constexpr char kInsertLogRecord[] =
    "INSERT INTO log_records (kind, name, record_time, digest, mac) VALUES (?, ?, ?, ?, ?)"
    " RETURNING id";
inline constexpr char kInsertLogPendingRecord[] =
    "INSERT INTO log_pending (record_id) VALUES (?)";

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
#define DUMAS_SQL_PRINCIPAL_COLUMNS \
  "id, name, role, COALESCE(unit_id, ''), channel_mask, created_at, revoked_at"

inline constexpr char kSelectPrincipalByToken[] =
    "SELECT " DUMAS_SQL_PRINCIPAL_COLUMNS " FROM principals"
    " WHERE token_sha256 = ? AND revoked_at IS NULL";

inline constexpr char kSelectPrincipalById[] =
    "SELECT " DUMAS_SQL_PRINCIPAL_COLUMNS " FROM principals WHERE id = ?";

inline constexpr char kListPrincipals[] =
    "SELECT " DUMAS_SQL_PRINCIPAL_COLUMNS " FROM principals"
    " WHERE id > ? ORDER BY id LIMIT ?";

inline constexpr char kInsertPrincipal[] =
    "INSERT INTO principals (name, role, unit_id, channel_mask, token_sha256, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
    " RETURNING id";

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

// Events of one complaint after an id, oldest first. The index is named
// because uq_events_request also starts with complaint_id and would need a
// sort of all the complaint's events (IDENTITY_READ events pile up).
#define DUMAS_SQL_EVENT_COLUMNS                                                     \
  "e.id, e.event_time, COALESCE(e.actor_principal_id, 0), e.type, e.from_state, "  \
  "e.to_state, e.public, e.public_message, COALESCE(e.internal_note, ''), "        \
  "COALESCE(l.revision, 0)"
inline constexpr char kListEvents[] =
    "SELECT " DUMAS_SQL_EVENT_COLUMNS
    " FROM complaint_events e FORCE INDEX (idx_events_complaint)"
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

// Committed events not numbered yet, with what their entries are made of.
// Never locking: the joined complaints are the writers' rows. Parameter:
// limit.
inline constexpr char kSelectPendingEntries[] =
    "SELECT p.id, p.event_id, c.reference_number, e.event_time,"
    " COALESCE(e.actor_principal_id, 0), e.type, COALESCE(e.from_state, 0),"
    " COALESCE(e.to_state, 0), e.public, e.public_message, COALESCE(e.internal_note, ''),"
    " COALESCE(e.details, ''), e.mac,"
    " p.record_id, r.kind, r.name, r.record_time, r.digest, r.mac"
    " FROM log_pending p"
    " LEFT JOIN complaint_events e ON e.id = p.event_id"
    " LEFT JOIN complaints c ON c.id = e.complaint_id"
    " LEFT JOIN log_records r ON r.id = p.record_id"
    " ORDER BY p.id LIMIT ?";

// Numbers a batch: a JSON array of [revision, event id, record id, leaf hash
// in hex], one of the ids 0. Parameters: sequenced_at, the array.
inline constexpr char kInsertLogEntries[] =
    "INSERT INTO log_entries (revision, event_id, record_id, leaf_hash, sequenced_at)"
    " SELECT j.revision, NULLIF(j.event_id, 0), NULLIF(j.record_id, 0), UNHEX(j.leaf), ?"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (revision BIGINT PATH '$[0]',"
    " event_id BIGINT PATH '$[1]', record_id BIGINT PATH '$[2]', leaf CHAR(64) PATH '$[3]'))"
    " AS j";

// Parameter: the queue's ids (DUMAS_SQL_ID_LIST).
inline constexpr char kDeleteLogPending[] =
    "DELETE p FROM " DUMAS_SQL_ID_LIST " JOIN log_pending p ON p.id = j.id";

// Parameters: event id, record id (one of them NULL), reason, rejected_at.
inline constexpr char kInsertLogRejected[] =
    "INSERT IGNORE INTO log_rejected (event_id, record_id, reason, rejected_at)"
    " VALUES (?, ?, ?, ?)";

// The leaves after a revision. Parameters: revision, limit.
inline constexpr char kSelectLogLeaves[] =
    "SELECT revision, leaf_hash FROM log_entries WHERE revision > ? ORDER BY revision LIMIT ?";

// A page of the feed: the events as stored now, with the logged leaf hash.
// The identity columns only for registrations whose complainant consented.
// Parameters: after revision, limit.
#define DUMAS_SQL_SHARED(column) \
  "IF(e.type = 'RECEIVED' AND c.share_identity, " column ", NULL)"
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

// The first delivery of a consented identity to a principal through the
// feed: 1 row affected the first time, 0 afterwards (a concurrent delivery
// waits on the row). Parameters: complaint id, principal id; then event id,
// complaint id, principal id.
inline constexpr char kInsertIdentityDelivery[] =
    "INSERT IGNORE INTO identity_deliveries (complaint_id, principal_id) VALUES (?, ?)";
inline constexpr char kSetIdentityDeliveryEvent[] =
    "UPDATE identity_deliveries SET event_id = ? WHERE complaint_id = ? AND principal_id = ?";

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

}  // namespace dumas::sql_text

#endif  // DUMAS_STORAGE_SQL_H_
