// Helpers shared by the files of MySqlStore (mysql_store.cc,
// mysql_case_store.cc, mysql_admin_store.cc): conversions between domain
// values and column values, the complaint row reader, and the inserts of
// events and notifications. Not part of the storage interface; nothing
// outside storage/ includes this. Functions taking a PooledConnection throw
// sql::SQLException like the connection does.
#ifndef DUMAS_STORAGE_MYSQL_STORE_INTERNAL_H_
#define DUMAS_STORAGE_MYSQL_STORE_INTERNAL_H_

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/sqlstring.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/anev_report.h"
#include "domain/complaint.h"
#include "domain/log_entry.h"
#include "domain/notification_text.h"
#include "domain/string_view_interop.h"
#include "storage/connection_pool.h"
#include "storage/keyring.h"

namespace dumas::mysql_store_internal {

inline constexpr size_t kReferenceNumberChars = 14;  // "XXXX-XXXX-XXXX"
inline constexpr int kMaxListLimit = 1000;
// Columns of DUMAS_SQL_COMPLAINT_COLUMNS (storage/sql.h).
inline constexpr uint32_t kComplaintColumnCount = 33;

// Associated data of each encrypted column: the column and the row it
// belongs to (the complaint's reference number; for the tracking code,
// IdempotencyRow), so that ciphertexts cannot be swapped between rows or
// columns.
inline constexpr char kAadReplyAddress[] = "complaints.reply_address_ct";
inline constexpr char kAadIdentitySalt[] = "complaints.identity_salt_ct";
inline constexpr char kAadFullName[] = "complaints.full_name_ct";
inline constexpr char kAadNik[] = "complaints.nik_ct";
inline constexpr char kAadPhone[] = "complaints.phone_ct";
inline constexpr char kAadEmail[] = "complaints.email_ct";
inline constexpr char kAadAddress[] = "complaints.address_ct";
inline constexpr char kAadTrackingCode[] = "idempotency_keys.tracking_code_ct";
// The identity's columns in DUMAS_SQL_IDENTITY_COLUMNS order.
inline constexpr const char* kAadIdentityColumns[] = {kAadFullName, kAadNik, kAadPhone,
                                                       kAadEmail, kAadAddress};

// The row of an idempotency record, for its associated data.
std::string IdempotencyRow(int64_t principal_id, std::string_view request_id);

// Debian's Abseil has its own absl::string_view (not std::string_view).
inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

inline sql::SQLString Sql(std::string_view s) { return sql::SQLString(s.data(), s.size()); }

// "column:row", the associated data binding a ciphertext to its place.
std::string Aad(std::string_view column, std::string_view row);

// Times are stored as UTC DATETIME(6); the session time zone is '+00:00'.
absl::Time TruncateToMicros(absl::Time t);
std::string FormatDateTime(absl::Time t);
std::string FormatDate(absl::CivilDay day);
// Within the range of DATETIME / DATE.
bool StorableTime(absl::Time t);
bool StorableDay(absl::CivilDay day);
absl::StatusOr<absl::Time> ParseDateTime(const std::string& text);
absl::StatusOr<absl::CivilDay> ParseDate(const std::string& text);

// Printable ASCII only.
bool IsAscii(std::string_view s);
// Code points of valid UTF-8 (bytes that do not continue a sequence).
size_t Utf8Chars(std::string_view s);

// A canonical-looking reference number (the length and ASCII): anything else
// names no complaint.
inline bool PlausibleReference(std::string_view reference) {
  return reference.size() == kReferenceNumberChars && IsAscii(reference);
}

// Decrypts a stored column (Keyring::Decrypt), with the error a caller may
// pass on: a key missing from the key file becomes INTERNAL (an operator's
// matter: the message, for the log, names the key id, never a value);
// DATA_LOSS (altered or moved ciphertext) stays. The gRPC edge shows neither
// message to callers.
absl::StatusOr<std::string> DecryptColumn(const Keyring& keyring, std::string_view key_id,
                                          std::string_view ciphertext,
                                          std::string_view associated_data);

// Runs the prepared statement `sql` outside a transaction (ConnectionPool::
// Run), with its parameters set by `bind`, and reads every row with `read`.
template <typename Row>
absl::StatusOr<std::vector<Row>> QueryRows(
    ConnectionPool& pool, const char* sql,
    absl::FunctionRef<void(sql::PreparedStatement&)> bind,
    absl::FunctionRef<absl::StatusOr<Row>(const sql::ResultSet&)> read) {
  std::vector<Row> rows;
  absl::Status status = pool.Run([&](PooledConnection& c) -> absl::Status {
    rows.clear();  // a retry on a fresh connection starts over
    sql::PreparedStatement& s = c.Statement(sql);
    bind(s);
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) {
      absl::StatusOr<Row> row = read(*rs);
      if (!row.ok()) return row.status();
      rows.push_back(*std::move(row));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

// A statement without parameters, for QueryRows.
inline void NoParameters(sql::PreparedStatement&) {}

// Reads DUMAS_SQL_COMPLAINT_COLUMNS from column `first` on. Sets *key_id to
// the row's key id. The reply address is personal data that the server shows
// only with the identity: it is decrypted only `with_reply_address`, else
// left empty (listings and state changes do without); a purged one is
// empty.
absl::StatusOr<Complaint> ReadComplaint(const sql::ResultSet& rs, uint32_t first,
                                        const Keyring& keyring, std::string* key_id,
                                        bool with_reply_address = true);

// Reads DUMAS_SQL_IDENTITY_COLUMNS from column `first` on and decrypts them
// with the row's key. A purged identity (NULL columns) is nullopt.
absl::StatusOr<std::optional<Identity>> ReadIdentity(const sql::ResultSet& rs, uint32_t first,
                                                     const Keyring& keyring,
                                                     std::string_view key_id,
                                                     std::string_view reference);

// Reads DUMAS_SQL_PRINCIPAL_COLUMNS (storage/sql.h) from column 1 on.
absl::StatusOr<Principal> ReadPrincipal(const sql::ResultSet& rs);

// Whether two secrets (hashes, fingerprints) are equal, in time that does
// not depend on where they differ.
bool EqualSecrets(std::string_view a, std::string_view b);

// SHA-256 of `data` (32 bytes).
std::string Sha256(std::string_view data);

// Binds parameter `index` of `s` to `value`, or to NULL when it is empty.
void SetOptionalString(sql::PreparedStatement& s, int index, const std::string& value);
// Binds parameter `index` of `s` to `day` (YYYY-MM-DD), or to NULL when unset.
void SetOptionalDate(sql::PreparedStatement& s, int index,
                     const std::optional<absl::CivilDay>& day);

// Appends the event `entry` of complaint `complaint_id`, with the
// authentication code of its transparency-log entry, queued for the log's
// sequencer (log_pending), and returns its id (the event log is append-only:
// nothing but the sequencer's unqueuing updates it, nothing deletes it).
// `entry.time` must be whole microseconds; actor 0 is the complainant (NULL);
// an empty internal note or details are stored as NULL. One statement.
//
// A case action's event also records `facts`, what the Anev report counts it
// by (migration 0015, storage/sql.h); events the report does not count
// (registration, personal data) carry none.
int64_t InsertEvent(PooledConnection& c, const Keyring& keyring, int64_t complaint_id,
                    const LogEntry& entry, const AnevEventFacts* facts = nullptr);

// Appends the record of the resort itself `record` (ValidateRecord must
// accept it), with its authentication code, queued for the log's sequencer,
// and returns its id. ALREADY_EXISTS when a record of the same kind and name
// exists (records are never replaced). One statement, in the caller's
// transaction.
absl::StatusOr<int64_t> InsertLogRecord(PooledConnection& c, const Keyring& keyring,
                                        const LogRecord& record);

// The associated data of a notification's text: its complaint, the event
// that queued it and its kind, which are unique together.
std::string NotificationAad(std::string_view reference_number, int64_t event_id, int kind);

// Queues a notification of the complaint (the outbox), its text encrypted
// under the active key.
void InsertNotification(PooledConnection& c, const Keyring& keyring, int64_t complaint_id,
                        std::string_view reference_number, int64_t event_id,
                        NotificationKind kind, Channel channel, std::string_view text,
                        const std::string& time_text);

}  // namespace dumas::mysql_store_internal

#endif  // DUMAS_STORAGE_MYSQL_STORE_INTERNAL_H_
