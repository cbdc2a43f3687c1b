// MySqlStore, the complainant's rights over their personal data:
// PersonalDataStore.
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <sodium.h>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "domain/lifecycle.h"
#include "domain/log_entry.h"
#include "domain/personal_data.h"
#include "domain/request_id.h"
#include "storage/mysql_store.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas {
namespace {

using TransactionEnd = ConnectionPool::TransactionEnd;
using mysql_store_internal::Aad;
using mysql_store_internal::DecryptColumn;
using mysql_store_internal::EqualSecrets;
using mysql_store_internal::FormatDateTime;
using mysql_store_internal::InsertEvent;
using mysql_store_internal::InsertNotification;
using mysql_store_internal::kAadAddress;
using mysql_store_internal::kAadEmail;
using mysql_store_internal::kAadFullName;
using mysql_store_internal::kAadIdentitySalt;
using mysql_store_internal::kAadNik;
using mysql_store_internal::kAadPhone;
using mysql_store_internal::kAadReplyAddress;
using mysql_store_internal::kComplaintColumnCount;
using mysql_store_internal::kMaxListLimit;
using mysql_store_internal::ParseDateTime;
using mysql_store_internal::PlausibleReference;
using mysql_store_internal::ReadComplaint;
using mysql_store_internal::ReadIdentity;
using mysql_store_internal::Sql;
using mysql_store_internal::TruncateToMicros;

constexpr size_t kIdentitySaltBytes = 32;

absl::Status NoSuchComplaint() {
  return absl::NotFoundError("no complaint has this reference number");
}

absl::Status Purged() {
  return absl::FailedPreconditionError(
      "the complainant's personal data of this complaint was destroyed when its retention "
      "period ended; nothing personal is held");
}

// Validates a ChangeRequest's request_id (as Mutate does).
absl::Status CheckRequest(const ChangeRequest& request) {
  if (!request.request_id.empty() &&
      (CanonicalRequestId(request.request_id) != request.request_id ||
       request.fingerprint.empty())) {
    return absl::InvalidArgumentError(
        "request_id must be a canonical UUID, with the request's fingerprint");
  }
  return absl::OkStatus();
}

// What an earlier call under the complainant's request_id says about this
// one.
enum class Earlier { kNone, kRetry, kConflict };

Earlier LookUpRequest(PooledConnection& c, int64_t complaint_id, const ChangeRequest& request,
                      const std::string& fingerprint) {
  if (request.request_id.empty()) return Earlier::kNone;
  sql::PreparedStatement& s = c.Statement(sql_text::kSelectChangeRequest);
  s.setString(1, absl::StrCat("c", complaint_id));
  s.setString(2, request.request_id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return Earlier::kNone;
  return EqualSecrets(rs->getString(1).asStdString(), fingerprint) ? Earlier::kRetry
                                                                   : Earlier::kConflict;
}

// Records the request_id with the event it wrote; false when a concurrent
// call recorded it first (its primary key decides).
bool RecordRequest(PooledConnection& c, int64_t complaint_id, const ChangeRequest& request,
                   const std::string& fingerprint, int64_t event_id, const std::string& now_text) {
  if (request.request_id.empty()) return true;
  sql::PreparedStatement& s = c.Statement(sql_text::kInsertChangeRequest);
  s.setString(1, absl::StrCat("c", complaint_id));
  s.setString(2, request.request_id);
  s.setString(3, fingerprint);
  s.setInt64(4, complaint_id);
  s.setInt64(5, event_id);
  s.setString(6, now_text);
  try {
    s.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != kErDupEntry) throw;
    return false;
  }
  return true;
}

absl::Status RequestConflict() {
  return absl::AlreadyExistsError(
      "request_id was already used for a different request; use a new request_id");
}

absl::Status ConcurrentRequest() {
  return absl::AbortedError("a concurrent call holds this request_id; retry");
}

}  // namespace

absl::Status MySqlStore::QueuePersonalDataCopy(
    std::string_view reference_number, const ChangeRequest& request, absl::Duration min_interval,
    absl::FunctionRef<std::string(const PersonalDataRecord&)> render) {
  if (!PlausibleReference(reference_number)) return NoSuchComplaint();
  if (absl::Status valid = CheckRequest(request); !valid.ok()) return valid;
  const std::shared_ptr<const Keyring> keys = keyring();
  const std::string fingerprint =
      request.request_id.empty() ? std::string() : keys->RequestFingerprint(request.fingerprint);
  absl::Status verdict;
  bool found = false;
  bool request_taken = false;
  bool wrote = false;
  auto body = [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
    verdict = absl::OkStatus();
    found = request_taken = wrote = false;
    PersonalDataRecord record;
    {
      sql::PreparedStatement& s = c.Statement(sql_text::kSelectComplaintWithIdentityForUpdate);
      s.setString(1, Sql(reference_number));
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      if (!rs->next()) return TransactionEnd::kRollback;
      found = true;
      std::string key_id;
      absl::StatusOr<Complaint> complaint = ReadComplaint(*rs, 1, *keys, &key_id);
      if (!complaint.ok()) return complaint.status();
      record.complaint = *std::move(complaint);
      absl::StatusOr<std::optional<Identity>> identity = ReadIdentity(
          *rs, 1 + kComplaintColumnCount, *keys, key_id, record.complaint.reference_number);
      if (!identity.ok()) return identity.status();
      if (!identity->has_value()) {
        verdict = Purged();
        return TransactionEnd::kRollback;
      }
      record.complaint.identity = **std::move(identity);
    }
    const int64_t complaint_id = record.complaint.id;
    switch (LookUpRequest(c, complaint_id, request, fingerprint)) {
      case Earlier::kRetry:
        return TransactionEnd::kRollback;  // done before: nothing more
      case Earlier::kConflict:
        verdict = RequestConflict();
        return TransactionEnd::kRollback;
      case Earlier::kNone:
        break;
    }
    const absl::Time now = TruncateToMicros(absl::Now());
    {
      sql::PreparedStatement& s = c.Statement(sql_text::kLastPersonalDataRequest);
      s.setInt64(1, complaint_id);
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      if (rs->next() && !rs->isNull(1)) {
        absl::StatusOr<absl::Time> last = ParseDateTime(rs->getString(1));
        if (!last.ok()) return last.status();
        if (now - *last < min_interval) {
          verdict = absl::ResourceExhaustedError(absl::StrCat(
              "a copy of the personal data was sent less than ",
              absl::FormatDuration(min_interval), " ago; ask again later"));
          return TransactionEnd::kRollback;
        }
      }
    }
    {
      sql::PreparedStatement& s = c.Statement(sql_text::kListIdentityReads);
      s.setInt64(1, complaint_id);
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      while (rs->next()) {
        IdentityRead read;
        absl::StatusOr<absl::Time> time = ParseDateTime(rs->getString(1));
        if (!time.ok()) return time.status();
        read.time = *time;
        read.role = RoleFromName(rs->getString(2).asStdString()).value_or(Role::kUnspecified);
        read.unit_id = rs->getString(3).asStdString();
        record.identity_reads.push_back(std::move(read));
      }
    }
    LogEntry entry;
    entry.reference_number = record.complaint.reference_number;
    entry.type = kPersonalDataRequestedEvent;
    entry.time = now;
    entry.actor = 0;  // the complainant
    entry.is_public = true;
    entry.public_message = kPersonalDataRequestedMessage;
    const int64_t event_id = InsertEvent(c, *keys, complaint_id, entry);
    if (event_id <= 0) return absl::InternalError("the event insert returned no id");
    const std::string now_text = FormatDateTime(now);
    if (!RecordRequest(c, complaint_id, request, fingerprint, event_id, now_text)) {
      request_taken = true;
      return TransactionEnd::kRollback;
    }
    std::string text = render(record);
    InsertNotification(c, *keys, complaint_id, record.complaint.reference_number, event_id,
                       NotificationKind::kPersonalData, record.complaint.channel, text, now_text);
    sodium_memzero(text.data(), text.size());
    wrote = true;
    return TransactionEnd::kCommit;
  };
  absl::Status status = pool_->RunTransaction(body, !request.request_id.empty());
  if (status.ok() && request_taken) status = pool_->RunTransaction(body, true);
  tracking_cache_.Erase(reference_number);
  if (!status.ok()) return status;
  if (!found) return NoSuchComplaint();
  if (!verdict.ok()) return verdict;
  if (request_taken) return ConcurrentRequest();
  if (wrote) EventsCommitted();
  return absl::OkStatus();
}

absl::StatusOr<bool> MySqlStore::CorrectContactDetails(
    std::string_view reference_number, const ChangeRequest& request,
    absl::FunctionRef<absl::StatusOr<ContactDetails>(const Complaint&)> decide) {
  if (!PlausibleReference(reference_number)) return NoSuchComplaint();
  if (absl::Status valid = CheckRequest(request); !valid.ok()) return valid;
  const std::shared_ptr<const Keyring> keys = keyring();
  const Keyring& keyring = *keys;
  const std::string fingerprint =
      request.request_id.empty() ? std::string() : keyring.RequestFingerprint(request.fingerprint);
  absl::Status verdict;
  bool found = false;
  bool request_taken = false;
  bool wrote = false;
  auto body = [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
    verdict = absl::OkStatus();
    found = request_taken = wrote = false;
    Complaint complaint;
    Identity identity;
    {
      sql::PreparedStatement& s = c.Statement(sql_text::kSelectComplaintWithIdentityForUpdate);
      s.setString(1, Sql(reference_number));
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      if (!rs->next()) return TransactionEnd::kRollback;
      found = true;
      std::string key_id;
      absl::StatusOr<Complaint> row = ReadComplaint(*rs, 1, keyring, &key_id);
      if (!row.ok()) return row.status();
      complaint = *std::move(row);
      absl::StatusOr<std::optional<Identity>> held = ReadIdentity(
          *rs, 1 + kComplaintColumnCount, keyring, key_id, complaint.reference_number);
      if (!held.ok()) return held.status();
      if (!held->has_value()) {
        verdict = Purged();
        return TransactionEnd::kRollback;
      }
      identity = **std::move(held);
    }
    switch (LookUpRequest(c, complaint.id, request, fingerprint)) {
      case Earlier::kRetry:
        return TransactionEnd::kRollback;
      case Earlier::kConflict:
        verdict = RequestConflict();
        return TransactionEnd::kRollback;
      case Earlier::kNone:
        break;
    }
    Complaint without_identity = complaint;
    without_identity.reply_address.clear();
    absl::StatusOr<ContactDetails> correction = decide(without_identity);
    if (!correction.ok()) {
      verdict = correction.status();
      return TransactionEnd::kRollback;
    }
    // Only what differs is a change.
    ContactDetails changed;
    auto apply = [](const std::optional<std::string>& value, std::string& field,
                    std::optional<std::string>& changed_field) {
      if (value.has_value() && *value != field) {
        field = *value;
        changed_field = *value;
      }
    };
    std::string reply_address = complaint.reply_address;
    apply(correction->phone, identity.phone, changed.phone);
    apply(correction->email, identity.email, changed.email);
    apply(correction->address, identity.address, changed.address);
    apply(correction->reply_address, reply_address, changed.reply_address);
    if (changed.empty()) return TransactionEnd::kRollback;

    // The corrected identity, committed to with a new salt.
    std::string salt(kIdentitySaltBytes, '\0');
    randombytes_buf(salt.data(), salt.size());
    ComplaintDetails details;
    details.identity_commitment = IdentityCommitment(salt, identity);
    const absl::Time now = TruncateToMicros(absl::Now());
    LogEntry entry;
    entry.reference_number = complaint.reference_number;
    entry.type = kContactCorrectedEvent;
    entry.time = now;
    entry.actor = 0;  // the complainant
    entry.is_public = true;
    entry.public_message = kContactCorrectedMessage;
    entry.internal_note = ContactCorrectedNote(changed);
    entry.details = EncodeDetails(details);
    const int64_t event_id = InsertEvent(c, keyring, complaint.id, entry);
    if (event_id <= 0) return absl::InternalError("the event insert returned no id");

    const std::string& ref = complaint.reference_number;
    sql::PreparedStatement& update = c.Statement(sql_text::kUpdateIdentity);
    update.setString(1, keyring.active_key_id());
    update.setString(2, keyring.Encrypt(reply_address, Aad(kAadReplyAddress, ref)));
    update.setString(3, keyring.Encrypt(identity.full_name, Aad(kAadFullName, ref)));
    update.setString(4, keyring.Encrypt(identity.nik, Aad(kAadNik, ref)));
    update.setString(5, keyring.Encrypt(identity.phone, Aad(kAadPhone, ref)));
    update.setString(6, keyring.Encrypt(identity.email, Aad(kAadEmail, ref)));
    update.setString(7, keyring.Encrypt(identity.address, Aad(kAadAddress, ref)));
    update.setString(8, keyring.Encrypt(salt, Aad(kAadIdentitySalt, ref)));
    update.setInt64(9, event_id);
    update.setInt64(10, complaint.id);
    sodium_memzero(salt.data(), salt.size());
    if (update.executeUpdate() != 1) return absl::InternalError("the locked complaint changed");
    if (!RecordRequest(c, complaint.id, request, fingerprint, event_id, FormatDateTime(now))) {
      request_taken = true;
      return TransactionEnd::kRollback;
    }
    wrote = true;
    return TransactionEnd::kCommit;
  };
  absl::Status status = pool_->RunTransaction(body, !request.request_id.empty());
  if (status.ok() && request_taken) status = pool_->RunTransaction(body, true);
  tracking_cache_.Erase(reference_number);
  if (!status.ok()) return status;
  if (!found) return NoSuchComplaint();
  if (!verdict.ok()) return verdict;
  if (request_taken) return ConcurrentRequest();
  if (wrote) EventsCommitted();
  return wrote;
}

absl::StatusOr<PurgeBatch> MySqlStore::PurgeIdentities(absl::Time closed_before,
                                                       int64_t* after_id, int limit) {
  if (limit < 1 || limit > kMaxListLimit) {
    return absl::InvalidArgumentError("limit must be 1 to 1000");
  }
  int64_t states = 0;
  for (int s = 1; s <= kMaxComplaintState; ++s) {
    if (ClosedForRetention(static_cast<ComplaintState>(s))) states |= int64_t{1} << s;
  }
  const std::string before = FormatDateTime(TruncateToMicros(closed_before));
  const std::shared_ptr<const Keyring> keys = keyring();
  PurgeBatch batch;
  int64_t last_id = *after_id;
  std::vector<std::string> references;
  // Idempotent: a purged identity is not selected again.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        batch = PurgeBatch{};
        last_id = *after_id;
        references.clear();
        std::vector<int64_t> ids;
        {
          sql::PreparedStatement& s = c.Statement(sql_text::kSelectIdentitiesToPurge);
          s.setInt64(1, *after_id);
          s.setInt64(2, states);
          s.setString(3, before);
          s.setString(4, before);
          s.setInt(5, limit);
          std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
          while (rs->next()) {
            ids.push_back(rs->getInt64(1));
            references.push_back(rs->getString(2).asStdString());
          }
        }
        batch.done = static_cast<int>(ids.size()) < limit;
        if (ids.empty()) return TransactionEnd::kRollback;
        last_id = ids.back();
        int64_t actor = 0;
        {
          std::unique_ptr<sql::ResultSet> rs(
              c.Statement(sql_text::kSelectRetentionPrincipal).executeQuery());
          if (!rs->next()) {
            return absl::InternalError("the retention principal is missing (migration 0009)");
          }
          actor = rs->getInt64(1);
        }
        const absl::Time now = TruncateToMicros(absl::Now());
        const std::string now_text = FormatDateTime(now);
        const std::string id_list = absl::StrCat("[", absl::StrJoin(ids, ","), "]");
        {
          sql::PreparedStatement& s = c.Statement(sql_text::kPurgeIdentities);
          s.setString(1, id_list);
          s.setString(2, now_text);
          batch.complaints = s.executeUpdate();
        }
        {
          sql::PreparedStatement& s = c.Statement(sql_text::kDropNotificationsOfPurged);
          s.setString(1, id_list);
          s.setString(2, now_text);
          batch.notifications = s.executeUpdate();
        }
        for (const char* sql : {sql_text::kDeleteIdempotencyKeysOfPurged,
                                sql_text::kDeleteComplainantRequestsOfPurged}) {
          sql::PreparedStatement& s = c.Statement(sql);
          s.setString(1, id_list);
          s.executeUpdate();
        }
        for (size_t i = 0; i < ids.size(); ++i) {
          LogEntry entry;
          entry.reference_number = references[i];
          entry.type = kIdentityPurgedEvent;
          entry.time = now;
          entry.actor = actor;
          entry.is_public = true;
          entry.public_message = kIdentityPurgedMessage;
          if (InsertEvent(c, *keys, ids[i], entry) <= 0) {
            return absl::InternalError("the event insert returned no id");
          }
        }
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
  if (!status.ok()) return status;
  *after_id = last_id;
  for (const std::string& reference : references) tracking_cache_.Erase(reference);
  if (batch.complaints > 0) EventsCommitted();
  return batch;
}

}  // namespace dumas
