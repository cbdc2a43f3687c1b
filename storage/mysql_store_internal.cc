#include "storage/mysql_store_internal.h"

#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <sodium.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas::mysql_store_internal {
namespace {

constexpr char kAadNotificationText[] = "notifications.text_ct";

// A nullable DATETIME column.
absl::StatusOr<std::optional<absl::Time>> OptionalTime(const sql::ResultSet& rs,
                                                       uint32_t column) {
  if (rs.isNull(column)) return std::nullopt;
  absl::StatusOr<absl::Time> t = ParseDateTime(rs.getString(column));
  if (!t.ok()) return t.status();
  return *t;
}

}  // namespace

std::string Aad(std::string_view column, std::string_view row) {
  return absl::StrCat(Absl(column), ":", Absl(row));
}

std::string IdempotencyRow(int64_t principal_id, std::string_view request_id) {
  return absl::StrCat(principal_id, ":", Absl(request_id));
}

absl::StatusOr<std::optional<Identity>> ReadIdentity(const sql::ResultSet& rs, uint32_t first,
                                                     const Keyring& keyring,
                                                     std::string_view key_id,
                                                     std::string_view reference) {
  if (rs.isNull(first)) return std::nullopt;  // purged
  Identity identity;
  std::string* fields[] = {&identity.full_name, &identity.nik, &identity.phone, &identity.email,
                           &identity.address};
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<std::string> plain =
        DecryptColumn(keyring, key_id, rs.getString(first + i).asStdString(),
                      Aad(kAadIdentityColumns[i], reference));
    if (!plain.ok()) return plain.status();
    *fields[i] = *std::move(plain);
  }
  return identity;
}

absl::Time TruncateToMicros(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

std::string FormatDateTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
}

std::string FormatDate(absl::CivilDay day) { return absl::FormatCivilTime(day); }

bool StorableTime(absl::Time t) {
  static const absl::Time kMin = absl::FromCivil(absl::CivilSecond(1000, 1, 1), absl::UTCTimeZone());
  static const absl::Time kMax = absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59),
                                                 absl::UTCTimeZone());
  return t >= kMin && t <= kMax;
}

bool StorableDay(absl::CivilDay day) { return day.year() >= 1000 && day.year() <= 9999; }

absl::StatusOr<absl::Time> ParseDateTime(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &t, &error)) {
    return absl::InternalError("the database returned a malformed time");
  }
  return t;
}

absl::StatusOr<absl::CivilDay> ParseDate(const std::string& text) {
  // The database writes a DATE as YYYY-MM-DD. Read by hand: a report reads
  // tens of thousands of dates, and absl::ParseCivilTime took an eighth of
  // the server's time for a report doing so.
  const auto malformed = [] {
    return absl::InternalError("the database returned a malformed date");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return malformed();
  int fields[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lengths[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (int i = starts[f]; i < starts[f] + lengths[f]; ++i) {
      if (text[i] < '0' || text[i] > '9') return malformed();
      fields[f] = fields[f] * 10 + (text[i] - '0');
    }
  }
  const absl::CivilDay day(fields[0], fields[1], fields[2]);
  // CivilDay normalises 2026-02-30 to 2026-03-02: such a date is malformed.
  if (day.month() != fields[1] || day.day() != fields[2]) return malformed();
  return day;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80 || c < 0x20) return false;
  }
  return true;
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

absl::StatusOr<std::string> DecryptColumn(const Keyring& keyring, std::string_view key_id,
                                          std::string_view ciphertext,
                                          std::string_view associated_data) {
  absl::StatusOr<std::string> plain = keyring.Decrypt(key_id, ciphertext, associated_data);
  if (absl::IsFailedPrecondition(plain.status())) {
    return absl::InternalError(plain.status().message());
  }
  return plain;
}

absl::StatusOr<Complaint> ReadComplaint(const sql::ResultSet& rs, uint32_t first,
                                        const Keyring& keyring, std::string* key_id,
                                        bool with_reply_address) {
  Complaint c;
  c.id = rs.getInt64(first + 0);
  c.reference_number = rs.getString(first + 1).asStdString();
  c.state = static_cast<ComplaintState>(rs.getInt(first + 2));
  c.description = rs.getString(first + 3).asStdString();
  absl::StatusOr<absl::Time> incident_time = ParseDateTime(rs.getString(first + 4));
  if (!incident_time.ok()) return incident_time.status();
  c.incident_time = *incident_time;
  c.incident_location = rs.getString(first + 5).asStdString();
  c.category_id = rs.getString(first + 6).asStdString();
  c.channel = static_cast<Channel>(rs.getInt(first + 7));
  const std::string reply_ct = rs.getString(first + 8);
  c.subject.unit_id = rs.getString(first + 9).asStdString();
  c.subject.officer_name = rs.getString(first + 10).asStdString();
  c.subject.officer_description = rs.getString(first + 11).asStdString();
  c.confidential = rs.getBoolean(first + 12);
  absl::StatusOr<absl::Time> create_time = ParseDateTime(rs.getString(first + 13));
  if (!create_time.ok()) return create_time.status();
  c.create_time = *create_time;
  absl::StatusOr<absl::Time> update_time = ParseDateTime(rs.getString(first + 14));
  if (!update_time.ok()) return update_time.status();
  c.update_time = *update_time;
  c.version = rs.getInt64(first + 15);
  absl::StatusOr<absl::CivilDay> due = ParseDate(rs.getString(first + 16));
  if (!due.ok()) return due.status();
  c.sp3d_due_date = *due;
  *key_id = rs.getString(first + 17).asStdString();
  c.handling_unit_id = rs.getString(first + 18).asStdString();
  absl::StatusOr<std::optional<absl::Time>> sp3d_time = OptionalTime(rs, first + 19);
  if (!sp3d_time.ok()) return sp3d_time.status();
  c.sp3d_time = *sp3d_time;
  if (!rs.isNull(first + 20)) {
    absl::StatusOr<absl::CivilDay> result_due = ParseDate(rs.getString(first + 20));
    if (!result_due.ok()) return result_due.status();
    c.result_due_date = *result_due;
  }
  absl::StatusOr<std::optional<absl::Time>> answer_time = OptionalTime(rs, first + 21);
  if (!answer_time.ok()) return answer_time.status();
  c.answer_time = *answer_time;
  c.outcome = rs.getInt(first + 22);
  c.clarification_pending = rs.getBoolean(first + 23);
  c.clarification_question = rs.getString(first + 24).asStdString();
  c.answer_text = rs.getString(first + 25).asStdString();
  c.satisfaction_rating = rs.getInt(first + 26);
  if (!rs.isNull(first + 27)) {
    absl::StatusOr<absl::CivilDay> result_start = ParseDate(rs.getString(first + 27));
    if (!result_start.ok()) return result_start.status();
    c.result_start_date = *result_start;
  }
  c.sp3d_due_provisional = rs.getBoolean(first + 28);
  c.result_due_provisional = rs.getBoolean(first + 29);
  c.share_identity_with_kompolnas = rs.getBoolean(first + 30);
  c.external_id = rs.getString(first + 31).asStdString();
  absl::StatusOr<std::optional<absl::Time>> external_receive_time = OptionalTime(rs, first + 32);
  if (!external_receive_time.ok()) return external_receive_time.status();
  c.external_receive_time = *external_receive_time;
  // A purged complaint has no reply address.
  if (!with_reply_address || rs.isNull(first + 8)) return c;
  absl::StatusOr<std::string> reply =
      DecryptColumn(keyring, *key_id, reply_ct, Aad(kAadReplyAddress, c.reference_number));
  if (!reply.ok()) return reply.status();
  c.reply_address = *std::move(reply);
  return c;
}

absl::StatusOr<Principal> ReadPrincipal(const sql::ResultSet& rs) {
  Principal p;
  p.id = rs.getInt64(1);
  p.name = rs.getString(2).asStdString();
  const std::optional<Role> role = RoleFromName(rs.getString(3).asStdString());
  if (!role.has_value()) return absl::InternalError("a principal has an unknown role");
  p.role = *role;
  p.unit_id = rs.getString(4).asStdString();
  const std::optional<ChannelSet> channels =
      ChannelSet::FromMask(static_cast<uint32_t>(rs.getInt(5)));
  if (!channels.has_value()) return absl::InternalError("a principal has an unknown channel");
  p.channels = *channels;
  absl::StatusOr<absl::Time> created = ParseDateTime(rs.getString(6));
  if (!created.ok()) return created.status();
  p.create_time = *created;
  absl::StatusOr<std::optional<absl::Time>> revoked = OptionalTime(rs, 7);
  if (!revoked.ok()) return revoked.status();
  p.revoke_time = *revoked;
  p.certificate_identity = rs.getString(8).asStdString();
  p.token_required = rs.getBoolean(9);
  return p;
}

bool EqualSecrets(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Sha256(std::string_view data) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return digest;
}

void SetOptionalString(sql::PreparedStatement& s, int index, const std::string& value) {
  if (value.empty()) {
    s.setNull(index, sql::DataType::VARCHAR);
  } else {
    s.setString(index, value);
  }
}

void SetOptionalDate(sql::PreparedStatement& s, int index,
                     const std::optional<absl::CivilDay>& day) {
  if (day.has_value()) {
    s.setString(index, FormatDate(*day));
  } else {
    s.setNull(index, sql::DataType::DATE);
  }
}

int64_t InsertEvent(PooledConnection& c, const Keyring& keyring, int64_t complaint_id,
                    const LogEntry& entry, const AnevEventFacts* facts) {
  sql::PreparedStatement& s = c.Statement(sql_text::kInsertEvent);
  s.setInt64(1, complaint_id);
  s.setString(2, FormatDateTime(entry.time));
  if (entry.actor > 0) {
    s.setInt64(3, entry.actor);
  } else {
    s.setNull(3, sql::DataType::BIGINT);
  }
  s.setString(4, Sql(entry.type));
  if (entry.from_state > 0) {
    s.setInt(5, entry.from_state);
  } else {
    s.setNull(5, sql::DataType::TINYINT);
  }
  if (entry.to_state > 0) {
    s.setInt(6, entry.to_state);
  } else {
    s.setNull(6, sql::DataType::TINYINT);
  }
  s.setBoolean(7, entry.is_public);
  s.setString(8, Sql(entry.public_message));
  if (entry.internal_note.empty()) {
    s.setNull(9, sql::DataType::LONGVARCHAR);
  } else {
    s.setString(9, Sql(entry.internal_note));
  }
  if (entry.details.empty()) {
    s.setNull(10, sql::DataType::LONGVARBINARY);
  } else {
    s.setString(10, Sql(entry.details));
  }
  s.setString(11, keyring.LogEntryMac(EncodeEntry(entry)));
  if (facts != nullptr) {
    SetOptionalString(s, 12, facts->handling_unit);
    s.setString(13, FormatDate(facts->received));
    SetOptionalDate(s, 14, facts->due);
  } else {
    s.setNull(12, sql::DataType::VARCHAR);
    s.setNull(13, sql::DataType::DATE);
    s.setNull(14, sql::DataType::DATE);
  }
  int64_t id = 0;
  {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (rs->next()) id = rs->getInt64(1);
  }
  return id > 0 ? id : 0;
}

absl::StatusOr<int64_t> InsertLogRecord(PooledConnection& c, const Keyring& keyring,
                                        const LogRecord& record) {
  if (absl::Status valid = ValidateRecord(record); !valid.ok()) return valid;
  sql::PreparedStatement& s = c.Statement(sql_text::kInsertLogRecord);
  s.setString(1, Sql(record.kind));
  s.setString(2, Sql(record.name));
  s.setString(3, FormatDateTime(record.time));
  s.setString(4, Sql(record.digest));
  s.setString(5, keyring.LogEntryMac(EncodeRecord(record)));
  int64_t id = 0;
  try {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (rs->next()) id = rs->getInt64(1);
  } catch (const sql::SQLException& e) {
    if (DuplicateKeyName(e) == "uq_log_records_kind_name") {
      return absl::AlreadyExistsError(
          absl::StrCat("the log already holds a ", Absl(record.kind), " record of that name"));
    }
    throw;
  }
  if (id <= 0) return absl::InternalError("the record insert returned no id");
  return id;
}

std::string NotificationAad(std::string_view reference_number, int64_t event_id, int kind) {
  return Aad(kAadNotificationText, absl::StrCat(Absl(reference_number), ":", event_id, ":", kind));
}

void InsertNotification(PooledConnection& c, const Keyring& keyring, int64_t complaint_id,
                        std::string_view reference_number, int64_t event_id,
                        NotificationKind kind, Channel channel, std::string_view text,
                        const std::string& time_text) {
  const int kind_value = static_cast<int>(kind);
  sql::PreparedStatement& s = c.Statement(sql_text::kInsertNotification);
  s.setInt64(1, complaint_id);
  s.setInt64(2, event_id);
  s.setInt(3, kind_value);
  s.setInt(4, static_cast<int>(channel));
  s.setString(5, keyring.active_key_id());
  s.setString(6, keyring.Encrypt(text, NotificationAad(reference_number, event_id, kind_value)));
  s.setString(7, time_text);
  s.executeUpdate();
}

}  // namespace dumas::mysql_store_internal
