#include "storage/mysql_store.h"

#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <sodium.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/strings/cord.h"
#include "domain/field_violations.h"
#include "domain/log_details.h"
#include "domain/log_entry.h"
#include "domain/string_view_interop.h"
#include "storage/migrator.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas {
namespace {

using TransactionEnd = ConnectionPool::TransactionEnd;
using mysql_store_internal::Aad;
using mysql_store_internal::IdempotencyRow;
using mysql_store_internal::kAadAddress;
using mysql_store_internal::kAadEmail;
using mysql_store_internal::kAadFullName;
using mysql_store_internal::kAadIdentitySalt;
using mysql_store_internal::kAadNik;
using mysql_store_internal::kAadPhone;
using mysql_store_internal::kAadTrackingCode;
using mysql_store_internal::ReadIdentity;
using mysql_store_internal::DecryptColumn;
using mysql_store_internal::EqualSecrets;
using mysql_store_internal::NoParameters;
using mysql_store_internal::QueryRows;
using mysql_store_internal::Absl;
using mysql_store_internal::FormatDate;
using mysql_store_internal::FormatDateTime;
using mysql_store_internal::InsertEvent;
using mysql_store_internal::InsertNotification;
using mysql_store_internal::IsAscii;
using mysql_store_internal::kAadReplyAddress;
using mysql_store_internal::kComplaintColumnCount;
using mysql_store_internal::kMaxListLimit;
using mysql_store_internal::ParseDate;
using mysql_store_internal::ParseDateTime;
using mysql_store_internal::PlausibleReference;
using mysql_store_internal::ReadComplaint;
using mysql_store_internal::ReadPrincipal;
using mysql_store_internal::Sha256;
using mysql_store_internal::Sql;
using mysql_store_internal::StorableDay;
using mysql_store_internal::StorableTime;
using mysql_store_internal::TruncateToMicros;
using mysql_store_internal::Utf8Chars;

// Event types (complaint_events.type).
constexpr char kEventReceived[] = "RECEIVED";
constexpr char kEventIdentityRead[] = "IDENTITY_READ";
// The complainant's first public step, in Indonesian.
constexpr char kReceivedMessage[] = "Pengaduan diterima dan diregistrasi.";

constexpr int kMaxReferenceDraws = 8;
constexpr size_t kIdentitySaltBytes = 32;
constexpr size_t kMaxTokenBytes = 512;
constexpr size_t kMaxCertificateIdentities = 64;

// Checks that every value fits its column; the message names the field.
absl::Status CheckStorable(const NewComplaint& in) {
  const ComplaintDraft& d = in.draft;
  struct Limit {
    std::string_view field;
    std::string_view value;
    size_t max;
    bool chars;  // counted in code points (text columns), else bytes
  };
  const size_t ct = Keyring::kCiphertextOverhead;
  const Limit limits[] = {
      {"description", d.description, 65535, false},
      {"incident_location", d.incident_location, 500, true},
      {"officer_name", d.subject.officer_name, 200, true},
      {"officer_description", d.subject.officer_description, 1000, true},
      {"reply_address", d.reply_address, 2100 - ct, false},
      {"identity.full_name", d.identity.full_name, 900 - ct, false},
      {"identity.nik", d.identity.nik, 100 - ct, false},
      {"identity.phone", d.identity.phone, 100 - ct, false},
      {"identity.email", d.identity.email, 1100 - ct, false},
      {"identity.address", d.identity.address, 2100 - ct, false},
      {"request_id", in.request_id, 255, false},
  };
  for (const Limit& limit : limits) {
    const size_t size = limit.chars ? Utf8Chars(limit.value) : limit.value.size();
    if (size > limit.max) {
      return absl::InvalidArgumentError(absl::StrCat(Absl(limit.field), " is too long to store"));
    }
  }
  if (d.category_id.empty() || d.category_id.size() > 64 || !IsAscii(d.category_id)) {
    return absl::InvalidArgumentError("category_id names no category");
  }
  if (d.subject.unit_id.size() > 64 || !IsAscii(d.subject.unit_id)) {
    return absl::InvalidArgumentError("subject.unit_id names no unit");
  }
  if (!StorableTime(d.incident_time)) {
    return absl::InvalidArgumentError("incident_time is out of range");
  }
  if (!StorableDay(in.sp3d_due_date)) {
    return absl::InvalidArgumentError("sp3d_due_date is out of range");
  }
  if (in.submitted_by <= 0) {
    return absl::InvalidArgumentError("submitted_by names no principal");
  }
  return absl::OkStatus();
}

// The INVALID_ARGUMENT of a foreign-key failure of the complaint insert.
absl::Status ForeignKeyStatus(const sql::SQLException& e) {
  const std::string_view constraint = ForeignKeyConstraintName(e);
  if (constraint == "fk_complaints_category") {
    return absl::InvalidArgumentError("category_id names no category");
  }
  if (constraint == "fk_complaints_subject_unit") {
    return absl::InvalidArgumentError("subject.unit_id names no unit");
  }
  if (constraint == "fk_complaints_submitted_by") {
    return absl::InvalidArgumentError("submitted_by names no principal");
  }
  return SqlErrorToStatus(e);
}

// Binds the columns of kInsertComplaint for `reference`, encrypting personal
// data under the active key with that reference as associated data.
void BindComplaint(sql::PreparedStatement& s, const NewComplaint& in, std::string_view reference,
                   const Keyring& keyring, const std::string& nik_index,
                   const std::string& now_text, std::string_view identity_salt) {
  const ComplaintDraft& d = in.draft;
  s.setString(1, Sql(reference));
  s.setString(2, keyring.TrackingCodeHash(reference, in.tracking_code));
  s.setInt(3, static_cast<int>(ComplaintState::kReceived));
  s.setString(4, d.description);
  s.setString(5, FormatDateTime(d.incident_time));
  s.setString(6, d.incident_location);
  s.setString(7, d.category_id);
  s.setInt(8, static_cast<int>(d.channel));
  s.setString(9, keyring.Encrypt(d.reply_address, Aad(kAadReplyAddress, reference)));
  if (d.subject.unit_id.empty()) {
    s.setNull(10, sql::DataType::VARCHAR);
  } else {
    s.setString(10, d.subject.unit_id);
  }
  s.setString(11, d.subject.officer_name);
  s.setString(12, d.subject.officer_description);
  s.setBoolean(13, d.confidential);
  s.setString(14, keyring.active_key_id());
  s.setString(15, keyring.Encrypt(d.identity.full_name, Aad(kAadFullName, reference)));
  s.setString(16, keyring.Encrypt(d.identity.nik, Aad(kAadNik, reference)));
  s.setString(17, keyring.Encrypt(d.identity.phone, Aad(kAadPhone, reference)));
  s.setString(18, keyring.Encrypt(d.identity.email, Aad(kAadEmail, reference)));
  s.setString(19, keyring.Encrypt(d.identity.address, Aad(kAadAddress, reference)));
  s.setString(20, nik_index);
  s.setInt64(21, in.submitted_by);
  s.setString(22, now_text);
  s.setString(23, now_text);
  s.setString(24, FormatDate(in.sp3d_due_date));
  s.setBoolean(25, in.sp3d_due_provisional);
  s.setBoolean(26, d.share_identity_with_kompolnas);
  s.setString(27, keyring.Encrypt(identity_salt, Aad(kAadIdentitySalt, reference)));
  if (in.external_id.empty()) {
    s.setNull(28, sql::DataType::VARCHAR);
    s.setNull(29, sql::DataType::TIMESTAMP);
  } else {
    s.setString(28, in.external_id);
    s.setString(29, FormatDateTime(in.external_receive_time.value_or(absl::UnixEpoch())));
  }
}

// The first field of an import that differs from the complaint stored under
// its external id (decrypted), as a path of the API ("complaint.description");
// empty when everything equals.
absl::StatusOr<std::string> FirstDifference(const NewComplaint& in, const sql::ResultSet& rs,
                                            const Keyring& keyring) {
  std::string key_id;
  absl::StatusOr<Complaint> stored = ReadComplaint(rs, 1, keyring, &key_id);
  if (!stored.ok()) return stored.status();
  absl::StatusOr<std::optional<Identity>> stored_identity = ReadIdentity(
      rs, 1 + kComplaintColumnCount, keyring, key_id, stored->reference_number);
  if (!stored_identity.ok()) return stored_identity.status();
  const ComplaintDraft& d = in.draft;
  // A purged identity (and reply address) is gone: the import is compared
  // on the rest.
  const bool purged = !stored_identity->has_value();
  const Identity& identity_value = purged ? d.identity : **stored_identity;
  const Identity* identity = &identity_value;
  if (purged) stored->reply_address = d.reply_address;
  const struct {
    const char* field;
    bool equal;
  } fields[] = {
      {"receive_time", stored->external_receive_time == in.external_receive_time},
      {"complaint.description", stored->description == d.description},
      {"complaint.incident_time", stored->incident_time == d.incident_time},
      {"complaint.incident_location", stored->incident_location == d.incident_location},
      {"complaint.category", stored->category_id == d.category_id},
      {"complaint.reply_address", stored->reply_address == d.reply_address},
      {"complaint.subject.unit", stored->subject.unit_id == d.subject.unit_id},
      {"complaint.subject.officer_name", stored->subject.officer_name == d.subject.officer_name},
      {"complaint.subject.officer_description",
       stored->subject.officer_description == d.subject.officer_description},
      {"complaint.complainant.full_name", identity->full_name == d.identity.full_name},
      {"complaint.complainant.nik", identity->nik == d.identity.nik},
      {"complaint.complainant.phone", identity->phone == d.identity.phone},
      {"complaint.complainant.email", identity->email == d.identity.email},
      {"complaint.complainant.address", identity->address == d.identity.address},
      {"complaint.confidential", stored->confidential == d.confidential},
      {"complaint.share_identity_with_kompolnas",
       stored->share_identity_with_kompolnas == d.share_identity_with_kompolnas},
  };
  for (const auto& f : fields) {
    if (!f.equal) return std::string(f.field);
  }
  return std::string();
}

// The idempotency record of (principal, request_id) with its complaint.
struct StoredSubmission {
  std::string fingerprint;
  absl::Time expires_at;
  SubmittedComplaint answer;
};

// Reads the stored submission, nullopt when there is none.
absl::StatusOr<std::optional<StoredSubmission>> ReadStoredSubmission(
    PooledConnection& c, const Keyring& keyring, int64_t principal_id,
    const std::string& request_id) {
  sql::PreparedStatement& s = c.Statement(sql_text::kSelectIdempotentSubmission);
  s.setInt64(1, principal_id);
  s.setString(2, request_id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  StoredSubmission stored;
  stored.fingerprint = rs->getString(1).asStdString();
  absl::StatusOr<absl::Time> expires_at = ParseDateTime(rs->getString(2));
  if (!expires_at.ok()) return expires_at.status();
  stored.expires_at = *expires_at;
  const std::string tracking_key_id = rs->getString(3);
  const std::string tracking_ct = rs->getString(4);
  std::string key_id;
  absl::StatusOr<Complaint> complaint = ReadComplaint(*rs, 5, keyring, &key_id);
  if (!complaint.ok()) return complaint.status();
  absl::StatusOr<std::string> code = DecryptColumn(
      keyring, tracking_key_id, tracking_ct, Aad(kAadTrackingCode, IdempotencyRow(principal_id, request_id)));
  if (!code.ok()) return code.status();
  stored.answer.complaint = *std::move(complaint);
  stored.answer.tracking_code = *std::move(code);
  stored.answer.replayed = true;
  return stored;
}

}  // namespace

MySqlStore::MySqlStore(std::unique_ptr<ConnectionPool> pool, Keyring keyring,
                       const MySqlOptions& options)
    : pool_(std::move(pool)),
      keys_(std::make_shared<const Keyring>(std::move(keyring))),
      dummy_tracking_hash_([] {
        std::string random(Keyring::kHashBytes, '\0');
        randombytes_buf(random.data(), random.size());
        return random;
      }()),
      tracking_cache_(options.tracking_cache_ttl, options.tracking_cache_entries) {}

MySqlStore::~MySqlStore() = default;

std::shared_ptr<const Keyring> MySqlStore::keyring() const {
  absl::ReaderMutexLock lock(&keys_mu_);
  return keys_;
}

void MySqlStore::SetEventsCommittedListener(std::function<void()> listener) {
  absl::MutexLock lock(&listener_mu_);
  events_committed_ = std::move(listener);
}

void MySqlStore::EventsCommitted() {
  absl::MutexLock lock(&listener_mu_);
  if (events_committed_) events_committed_();
}

absl::StatusOr<std::unique_ptr<MySqlStore>> MySqlStore::Open(const MySqlOptions& options,
                                                             Keyring keyring) {
  if (!IsValidDatabaseName(options.database)) {
    return absl::InvalidArgumentError(
        "MySqlOptions.database must be 1-64 characters of A-Z a-z 0-9 _");
  }
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(options);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<MySqlStore>(
      new MySqlStore(*std::move(pool), std::move(keyring), options));
}

absl::StatusOr<SubmittedComplaint> MySqlStore::Submit(
    const NewComplaint& in, absl::FunctionRef<std::string()> next_reference) {
  if (absl::Status status = CheckStorable(in); !status.ok()) return status;
  const ComplaintDraft& d = in.draft;
  const bool idempotent = !in.request_id.empty();
  const std::shared_ptr<const Keyring> keys = keyring();
  const absl::Time now = TruncateToMicros(absl::Now());
  const std::string now_text = FormatDateTime(now);
  const std::string nik_index = keys->NikBlindIndex(d.identity.nik);
  const std::string fingerprint =
      idempotent ? keys->RequestFingerprint(in.request_fingerprint) : std::string();
  const std::string idempotency_row = IdempotencyRow(in.submitted_by, in.request_id);

  const bool imported = !in.external_id.empty();
  // The identity commitment's salt, fixed for the retries of this call.
  std::string identity_salt(kIdentitySaltBytes, '\0');
  randombytes_buf(identity_salt.data(), identity_salt.size());
  const std::string commitment = IdentityCommitment(identity_salt, d.identity);

  SubmittedComplaint result;
  bool external_taken = false;  // a concurrent import of the external id won
  auto body = [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
    external_taken = false;
    // 0. An import is done once per external id: the stored one answers.
    if (imported) {
      sql::PreparedStatement& find = c.Statement(sql_text::kSelectComplaintByExternalId);
      find.setString(1, in.external_id);
      std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
      if (rs->next()) {
        absl::StatusOr<std::string> differs = FirstDifference(in, *rs, *keys);
        if (!differs.ok()) return differs.status();
        if (!differs->empty()) {
          FieldViolations violations;
          violations.Add(*differs, "differs from the complaint imported earlier under this "
                                   "external_id; an import is never overwritten");
          absl::Status exists = absl::AlreadyExistsError(absl::StrCat(
              "external_id was imported before with a different ", Absl(*differs)));
          exists.SetPayload(ToAbsl(kFieldViolationsPayload),
                            absl::Cord(EncodeFieldViolations(violations.violations())));
          return exists;
        }
        std::string key_id;
        absl::StatusOr<Complaint> stored =
            ReadComplaint(*rs, 1, *keys, &key_id, /*with_reply_address=*/false);
        if (!stored.ok()) return stored.status();
        result = SubmittedComplaint{};
        result.complaint = *std::move(stored);
        result.replayed = true;
        return TransactionEnd::kRollback;  // store nothing of this call
      }
    }

    // 1. The complaint, drawing reference numbers until one is free.
    int64_t id = 0;
    std::string reference;
    for (int draw = 1;; ++draw) {
      reference = next_reference();
      if (!PlausibleReference(reference)) {
        return absl::InternalError("the reference number generator returned a malformed value");
      }
      sql::PreparedStatement& insert = c.Statement(sql_text::kInsertComplaint);
      BindComplaint(insert, in, reference, *keys, nik_index, now_text, identity_salt);
      try {
        std::unique_ptr<sql::ResultSet> rs(insert.executeQuery());
        if (!rs->next()) return absl::InternalError("the complaint insert returned no id");
        id = rs->getInt64(1);
        break;
      } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == kErDupEntry && DuplicateKeyName(e) == "uq_complaints_external") {
          external_taken = true;  // answered by running again (step 0)
          return TransactionEnd::kRollback;
        }
        // The other unique key besides the id is reference_number.
        if (e.getErrorCode() == kErDupEntry && draw < kMaxReferenceDraws) continue;
        if (e.getErrorCode() == kErNoReferencedRow) return ForeignKeyStatus(e);
        throw;
      }
    }

    // 2. The idempotency record. Its primary key decides between
    // concurrent calls with the same request_id: the second waits for the
    // first to commit, then fails with a duplicate key and answers with
    // the first call's complaint.
    if (idempotent) {
      for (int attempt = 1;; ++attempt) {
        sql::PreparedStatement& insert = c.Statement(sql_text::kInsertIdempotencyKey);
        insert.setInt64(1, in.submitted_by);
        insert.setString(2, in.request_id);
        insert.setString(3, fingerprint);
        insert.setInt64(4, id);
        insert.setString(5, keys->active_key_id());
        insert.setString(6, keys->Encrypt(in.tracking_code,
                                             Aad(kAadTrackingCode, idempotency_row)));
        insert.setString(7, now_text);
        insert.setString(8, FormatDateTime(now + kIdempotencyWindow));
        try {
          insert.executeUpdate();
          break;
        } catch (const sql::SQLException& e) {
          if (e.getErrorCode() != kErDupEntry || attempt > 2) throw;
        }
        absl::StatusOr<std::optional<StoredSubmission>> stored =
            ReadStoredSubmission(c, *keys, in.submitted_by, in.request_id);
        if (!stored.ok()) return stored.status();
        if (!stored->has_value()) continue;  // deleted meanwhile: insert again
        if ((*stored)->expires_at <= now) {
          // Expired: the call is new. Drop the old record and insert ours.
          sql::PreparedStatement& remove = c.Statement(sql_text::kDeleteExpiredIdempotencyKey);
          remove.setInt64(1, in.submitted_by);
          remove.setString(2, in.request_id);
          remove.setString(3, now_text);
          remove.executeUpdate();
          continue;
        }
        if (!EqualSecrets((*stored)->fingerprint, fingerprint)) {
          return absl::AlreadyExistsError(
              "request_id was already used for a different request; use a new request_id");
        }
        result = std::move((*stored)->answer);
        return TransactionEnd::kRollback;  // store nothing of this call
      }
    }

    result = SubmittedComplaint{};
    Complaint& out = result.complaint;
    out.id = id;
    out.reference_number = reference;
    out.state = ComplaintState::kReceived;
    out.description = d.description;
    out.incident_time = d.incident_time;
    out.incident_location = d.incident_location;
    out.category_id = d.category_id;
    out.channel = d.channel;
    out.reply_address = d.reply_address;
    out.subject = d.subject;
    out.confidential = d.confidential;
    out.share_identity_with_kompolnas = d.share_identity_with_kompolnas;
    out.external_id = in.external_id;
    if (imported) out.external_receive_time = TruncateToMicros(*in.external_receive_time);
    out.create_time = now;
    out.update_time = now;
    out.version = 1;
    out.sp3d_due_date = in.sp3d_due_date;
    out.sp3d_due_provisional = in.sp3d_due_provisional;
    result.tracking_code = in.tracking_code;
    result.replayed = false;

    // 3. The first event: public, so the complainant sees it; its details
    // record the complaint as registered, for the transparency log.
    LogEntry received;
    received.reference_number = reference;
    received.type = kEventReceived;
    received.time = now;
    received.actor = in.submitted_by;
    received.to_state = static_cast<int>(ComplaintState::kReceived);
    received.is_public = true;
    received.public_message = kReceivedMessage;
    received.details = EncodeDetails(RegistrationDetails(out, commitment));
    const int64_t event_id = InsertEvent(c, *keys, id, received);
    if (event_id <= 0) return absl::InternalError("the event insert returned no id");

    // 4. The receipt to the complainant (it holds the tracking code: the
    // text is encrypted), delivered by the gateway of the channel.
    if (in.receipt_text) {
      InsertNotification(c, *keys, id, reference, event_id, NotificationKind::kReceipt,
                         d.channel, in.receipt_text(reference), now_text);
    }
    return TransactionEnd::kCommit;
  };
  absl::Status status = pool_->RunTransaction(body, idempotent || imported);
  // A concurrent import of the same external id committed first: answer as a
  // repeated import (or a conflict) by looking again.
  if (status.ok() && external_taken) status = pool_->RunTransaction(body, true);
  if (!status.ok()) return status;
  if (external_taken) return absl::AbortedError("a concurrent import holds this external_id");
  if (!result.replayed) EventsCommitted();
  // A lookup of this reference before it existed may be cached as unknown.
  tracking_cache_.Erase(result.complaint.reference_number);
  return result;
}

absl::StatusOr<TrackedComplaint> MySqlStore::Track(std::string_view reference_number,
                                                   std::string_view tracking_code) {
  // The keyed hash is computed whether or not the reference exists.
  const std::string presented = keyring()->TrackingCodeHash(reference_number, tracking_code);
  const absl::Status not_found =
      absl::NotFoundError("no complaint has this reference number and tracking code");
  if (!PlausibleReference(reference_number)) {
    EqualSecrets(dummy_tracking_hash_, presented);
    return not_found;
  }
  const absl::Time now = absl::Now();
  TrackingCache::Lookup cached = tracking_cache_.Find(reference_number, now);
  std::optional<TrackingCache::Entry>& entry = cached.entry;
  if (!entry.has_value()) {
    absl::StatusOr<TrackingCache::Entry> loaded = LoadTracking(reference_number);
    if (!loaded.ok()) return loaded.status();
    tracking_cache_.Put(reference_number, *loaded, now, cached.ticket);
    entry = *std::move(loaded);
  }
  const bool match =
      EqualSecrets(entry->found ? entry->tracking_hash : dummy_tracking_hash_, presented);
  if (!entry->found || !match) return not_found;
  TrackedComplaint tracked = std::move(entry->view);
  tracked.reference_number = std::string(reference_number);
  return tracked;
}

absl::StatusOr<TrackingCache::Entry> MySqlStore::LoadTracking(
    std::string_view reference_number) {
  TrackedComplaint tracked;
  bool found = false;
  std::string stored_hash;
  struct EventRow {
    int64_t id;
    absl::Time time;
    std::optional<ComplaintState> to_state;
    std::string message;
  };
  std::vector<EventRow> events;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    tracked = TrackedComplaint{};
    found = false;
    events.clear();
    sql::PreparedStatement& s = c.Statement(sql_text::kSelectTracking);
    s.setString(1, Sql(reference_number));
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) {
      if (!found) {  // the complaint's columns, on every row
        found = true;
        stored_hash = rs->getString(1).asStdString();
        tracked.state = static_cast<ComplaintState>(rs->getInt(2));
        tracked.category_id = rs->getString(3).asStdString();
        absl::StatusOr<absl::Time> create_time = ParseDateTime(rs->getString(4));
        if (!create_time.ok()) return create_time.status();
        tracked.create_time = *create_time;
        absl::StatusOr<absl::CivilDay> due = ParseDate(rs->getString(5));
        if (!due.ok()) return due.status();
        tracked.sp3d_due_date = *due;
        tracked.sp3d_sent = rs->getBoolean(6);
        if (!rs->isNull(7)) {
          absl::StatusOr<absl::CivilDay> result_due = ParseDate(rs->getString(7));
          if (!result_due.ok()) return result_due.status();
          tracked.result_due_date = *result_due;
        }
        if (!rs->isNull(8)) {
          absl::StatusOr<absl::Time> answer_time = ParseDateTime(rs->getString(8));
          if (!answer_time.ok()) return answer_time.status();
          tracked.answer = OfficialAnswer{rs->getString(9).asStdString(), *answer_time};
        }
        if (rs->getBoolean(10)) tracked.clarification_question = rs->getString(11);
        tracked.satisfaction_rating = rs->getInt(12);
        tracked.sp3d_due_provisional = rs->getBoolean(18);
        tracked.result_due_provisional = rs->getBoolean(19);
        tracked.share_identity_with_kompolnas = rs->getBoolean(20);
      }
      if (rs->isNull(13)) continue;  // no public event
      // The registration's place in the transparency log, once numbered.
      if (rs->getString(14) == "RECEIVED" && !rs->isNull(21)) {
        tracked.receipt_revision = rs->getInt64(21);
        tracked.receipt_leaf_hash = rs->getString(22).asStdString();
      }
      EventRow event;
      event.id = rs->getInt64(13);
      absl::StatusOr<absl::Time> time = ParseDateTime(rs->getString(15));
      if (!time.ok()) return time.status();
      event.time = *time;
      if (!rs->isNull(16)) event.to_state = static_cast<ComplaintState>(rs->getInt(16));
      event.message = rs->getString(17).asStdString();
      events.push_back(std::move(event));
    }
    return absl::OkStatus();
  });
  if (status.ok() && found) {
    std::sort(events.begin(), events.end(),
              [](const EventRow& a, const EventRow& b) { return a.id < b.id; });
    ComplaintState state = ComplaintState::kUnspecified;
    for (EventRow& row : events) {
      // An event that changes no state shows the state it happened in.
      if (row.to_state.has_value()) state = *row.to_state;
      tracked.timeline.push_back(PublicEvent{row.time, state, std::move(row.message)});
    }
  }
  if (!status.ok()) return status;
  TrackingCache::Entry entry;
  entry.found = found;
  if (found) {
    entry.tracking_hash = std::move(stored_hash);
    entry.view = std::move(tracked);
  }
  return entry;
}

absl::StatusOr<Complaint> MySqlStore::Get(std::string_view reference_number,
                                          const Principal& reader, bool want_identity,
                                          absl::FunctionRef<ReadAccess(const Complaint&)> access) {
  const absl::Status not_found = absl::NotFoundError("no complaint has this reference number");
  if (!PlausibleReference(reference_number)) return not_found;
  const std::shared_ptr<const Keyring> keys = keyring();
  std::optional<Complaint> complaint;
  // One read decides: the row (identity still encrypted) is what `access`
  // sees, and only what it allows is decrypted.
  auto read = [&](PooledConnection& c) -> absl::StatusOr<ReadAccess> {
    complaint.reset();
    sql::PreparedStatement& s = c.Statement(sql_text::kSelectComplaintWithIdentity);
    s.setString(1, Sql(reference_number));
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (!rs->next()) return ReadAccess::kNone;
    std::string key_id;
    absl::StatusOr<Complaint> row =
        ReadComplaint(*rs, 1, *keys, &key_id, /*with_reply_address=*/false);
    if (!row.ok()) return row.status();
    const ReadAccess allowed = access(*row);
    if (allowed == ReadAccess::kNone) return allowed;
    if (allowed == ReadAccess::kWithIdentity && want_identity) {
      absl::StatusOr<std::optional<Identity>> identity =
          ReadIdentity(*rs, 1 + kComplaintColumnCount, *keys, key_id, row->reference_number);
      if (!identity.ok()) return identity.status();
      // A purged identity is not there to read (nor recorded as read).
      if (identity->has_value()) {
        row->identity = **std::move(identity);
        absl::StatusOr<std::string> reply = DecryptColumn(
            *keys, key_id, rs->getString(9).asStdString(),
            Aad(kAadReplyAddress, row->reference_number));
        if (!reply.ok()) return reply.status();
        row->reply_address = *std::move(reply);
      }
    }
    complaint = *std::move(row);
    return complaint->identity.has_value() ? ReadAccess::kWithIdentity : ReadAccess::kBasic;
  };
  absl::Status status;
  if (!want_identity) {
    status = pool_->Run([&](PooledConnection& c) { return read(c).status(); });
  } else {
    // The read of the identity and its record commit together, or neither.
    status = pool_->RunTransaction(
        [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
          absl::StatusOr<ReadAccess> got = read(c);
          if (!got.ok()) return got.status();
          if (*got != ReadAccess::kWithIdentity) return TransactionEnd::kRollback;
          LogEntry read_event;
          read_event.reference_number = complaint->reference_number;
          read_event.type = kEventIdentityRead;
          read_event.time = TruncateToMicros(absl::Now());
          read_event.actor = reader.id;
          if (InsertEvent(c, *keys, complaint->id, read_event) <= 0) {
            return absl::InternalError("the event insert returned no id");
          }
          return TransactionEnd::kCommit;
        },
        /*idempotent=*/false);
  }
  if (!status.ok()) return status;
  if (!complaint.has_value()) return not_found;
  if (complaint->identity.has_value()) EventsCommitted();
  return *std::move(complaint);
}

absl::StatusOr<Principal> MySqlStore::Authenticate(std::string_view token) {
  const absl::Status not_found = absl::NotFoundError("unknown or revoked token");
  if (token.empty() || token.size() > kMaxTokenBytes) return not_found;
  const std::string digest = Sha256(token);
  std::optional<Principal> principal;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    principal.reset();
    sql::PreparedStatement& s = c.Statement(sql_text::kSelectPrincipalByToken);
    s.setString(1, digest);
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (!rs->next()) return absl::OkStatus();
    absl::StatusOr<Principal> p = ReadPrincipal(*rs);
    if (!p.ok()) return p.status();
    principal = *std::move(p);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!principal.has_value()) return not_found;
  return *std::move(principal);
}

absl::StatusOr<std::string> MySqlStore::CreatePrincipal(std::string_view name, Role role,
                                                        std::string_view unit_id,
                                                        ChannelSet channels) {
  Principal principal;
  principal.name = std::string(name);
  principal.role = role;
  principal.unit_id = std::string(unit_id);
  principal.channels = channels;
  absl::StatusOr<std::pair<Principal, std::string>> created = CreatePrincipalWithToken(principal);
  if (!created.ok()) return created.status();
  return std::move(created->second);
}

absl::StatusOr<std::vector<Principal>> MySqlStore::PrincipalsByCertificate(
    const std::vector<std::string>& identities) {
  if (identities.size() > kMaxCertificateIdentities) {
    return absl::InvalidArgumentError("a certificate has more identities than are looked up");
  }
  if (identities.empty()) return std::vector<Principal>{};
  std::string json = "[";
  for (const std::string& identity : identities) {
    if (json.size() > 1) json.push_back(',');
    json.push_back('"');
    for (char c : identity) {
      if (c == '"' || c == '\\') json.push_back('\\');
      json.push_back(c);
    }
    json.push_back('"');
  }
  json.push_back(']');
  return QueryRows<Principal>(
      *pool_, sql_text::kSelectPrincipalsByCertIdentity,
      [&](sql::PreparedStatement& s) { s.setString(1, json); }, ReadPrincipal);
}

absl::StatusOr<std::string> MySqlStore::RevocationMark() {
  std::string mark;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    std::unique_ptr<sql::ResultSet> rs(
        c.Statement(sql_text::kSelectRevocationMark).executeQuery());
    if (!rs->next()) return absl::InternalError("the revocation mark query returned no row");
    mark = absl::StrCat(rs->getInt64(1), "/", rs->getString(2).asStdString());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return mark;
}

absl::StatusOr<int> MySqlStore::RecordTrackFailure(std::string_view client_key, absl::Time now,
                                                   absl::Duration window) {
  if (window <= absl::ZeroDuration()) return absl::InvalidArgumentError("window must be positive");
  const std::string key = keyring()->ThrottleKeyHash(client_key);
  const absl::Time at = TruncateToMicros(now);
  if (!StorableTime(at) || !StorableTime(at - window)) {
    return absl::InvalidArgumentError("now is out of range");
  }
  const std::string now_text = FormatDateTime(at);
  const std::string cutoff = FormatDateTime(at - window);
  int failures = 0;
  // Counting again after an unknown COMMIT outcome would count one failure
  // twice: not idempotent, so the caller hears UNAVAILABLE instead.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        sql::PreparedStatement& count = c.Statement(sql_text::kCountTrackFailure);
        count.setString(1, key);
        count.setString(2, now_text);
        count.setString(3, cutoff);
        count.setString(4, cutoff);
        count.setString(5, now_text);
        count.executeUpdate();
        sql::PreparedStatement& read = c.Statement(sql_text::kSelectTrackFailures);
        read.setString(1, key);
        std::unique_ptr<sql::ResultSet> rs(read.executeQuery());
        if (!rs->next()) return absl::InternalError("the counted failure is missing");
        failures = rs->getInt(1);
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/false);
  if (!status.ok()) return status;
  return failures;
}

absl::StatusOr<int64_t> MySqlStore::PurgeTrackFailures(absl::Time before, int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  if (!StorableTime(before)) return absl::InvalidArgumentError("before is out of range");
  int64_t deleted = 0;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kPurgeTrackFailures);
    s.setString(1, FormatDateTime(TruncateToMicros(before)));
    s.setInt(2, limit);
    deleted = s.executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

absl::StatusOr<std::vector<Category>> MySqlStore::ListCategories(std::string_view after_id,
                                                                 int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  if (!IsAscii(after_id)) return absl::InvalidArgumentError("after_id must be ASCII");
  return QueryRows<Category>(
      *pool_, sql_text::kListCategories,
      [&](sql::PreparedStatement& s) {
        s.setString(1, Sql(after_id));
        s.setInt(2, std::min(limit, kMaxListLimit));
      },
      [](const sql::ResultSet& rs) -> absl::StatusOr<Category> {
        return Category{rs.getString(1).asStdString(), rs.getString(2).asStdString(),
                        rs.getString(3).asStdString()};
      });
}

absl::StatusOr<std::vector<Unit>> MySqlStore::ListUnits(std::string_view after_id, int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  if (!IsAscii(after_id)) return absl::InvalidArgumentError("after_id must be ASCII");
  return QueryRows<Unit>(
      *pool_, sql_text::kListUnits,
      [&](sql::PreparedStatement& s) {
        s.setString(1, Sql(after_id));
        s.setInt(2, std::min(limit, kMaxListLimit));
      },
      [](const sql::ResultSet& rs) -> absl::StatusOr<Unit> {
        return Unit{rs.getString(1).asStdString(), rs.getString(2).asStdString()};
      });
}

absl::StatusOr<std::vector<absl::CivilDay>> MySqlStore::ListHolidays() {
  std::vector<absl::CivilDay> days;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    days.clear();
    std::unique_ptr<sql::ResultSet> rs(c.Statement(sql_text::kListHolidays).executeQuery());
    while (rs->next()) {
      absl::StatusOr<absl::CivilDay> day = ParseDate(rs->getString(1));
      if (!day.ok()) return day.status();
      days.push_back(*day);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return days;
}

absl::Status MySqlStore::Ping() {
  return pool_->Run([](PooledConnection& c) -> absl::Status {
    std::unique_ptr<sql::ResultSet> rs(c.Statement(sql_text::kPing).executeQuery());
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> MySqlStore::PurgeExpiredIdempotencyKeys(absl::Time now, int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  int deleted = 0;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kPurgeExpiredIdempotencyKeys);
    s.setString(1, FormatDateTime(now));
    s.setInt(2, limit);
    deleted = s.executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

}  // namespace dumas
