// MySqlStore, part 2: CaseStore (state changes with their events and
// notifications, listings) and NotificationStore (the outbox).
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "domain/log_details.h"
#include "domain/log_entry.h"
#include "domain/request_id.h"
#include "domain/working_day_calendar.h"
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
using mysql_store_internal::QueryRows;
using mysql_store_internal::Absl;
using mysql_store_internal::FormatDate;
using mysql_store_internal::FormatDateTime;
using mysql_store_internal::InsertEvent;
using mysql_store_internal::InsertNotification;
using mysql_store_internal::IsAscii;
using mysql_store_internal::SetOptionalDate;
using mysql_store_internal::SetOptionalString;
using mysql_store_internal::kAadReplyAddress;
using mysql_store_internal::kComplaintColumnCount;
using mysql_store_internal::kMaxListLimit;
using mysql_store_internal::NotificationAad;
using mysql_store_internal::ParseDateTime;
using mysql_store_internal::PlausibleReference;
using mysql_store_internal::ReadComplaint;
using mysql_store_internal::Sql;
using mysql_store_internal::StorableDay;
using mysql_store_internal::StorableTime;
using mysql_store_internal::TruncateToMicros;

constexpr size_t kMaxEventTypeBytes = 32;  // complaint_events.type
constexpr size_t kMaxUnitIdBytes = 64;
constexpr size_t kMaxTextBytes = 65535;    // TEXT columns
constexpr int kMaxTinyInt = 127;
// The channel parameters of kLeaseNotifications.
constexpr int kChannelSlots = 8;
static_assert(kChannelSlots >= kMaxChannel);

// The bounds of DATETIME(6), for cursors and open-ended time filters.
constexpr char kMinDateTime[] = "1000-01-01 00:00:00.000000";
constexpr char kMaxDateTime[] = "9999-12-31 23:59:59.999999";

absl::Status NoSuchComplaint() {
  return absl::NotFoundError("no complaint has this reference number");
}

// An id of reference data that can match a row (ASCII, within the column).
bool PlausibleId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxUnitIdBytes && IsAscii(id);
}

// Checks that what `decide` returned can be stored; the message names the
// field, never the value.
absl::Status CheckUpdate(const ComplaintUpdate& u) {
  const int state = static_cast<int>(u.state);
  if (state < 1 || state > kMaxComplaintState) {
    return absl::InvalidArgumentError("the update's state is not a complaint state");
  }
  const ComplaintEventRecord& e = u.event;
  if (e.type.empty() || e.type.size() > kMaxEventTypeBytes || !IsAscii(e.type)) {
    return absl::InvalidArgumentError("the event type must be 1-32 ASCII characters");
  }
  if (u.handling_unit_id.has_value() && !u.handling_unit_id->empty() &&
      !PlausibleId(*u.handling_unit_id)) {
    return absl::InvalidArgumentError("handling_unit_id names no unit");
  }
  if ((u.sp3d_time.has_value() && !StorableTime(*u.sp3d_time)) ||
      (u.answer_time.has_value() && !StorableTime(*u.answer_time)) ||
      (u.result_due_date.has_value() && !StorableDay(*u.result_due_date)) ||
      (u.result_start_date.has_value() && !StorableDay(*u.result_start_date))) {
    return absl::InvalidArgumentError("a time of the update is out of range");
  }
  if ((u.outcome.has_value() && (*u.outcome < 0 || *u.outcome > kMaxTinyInt)) ||
      (u.satisfaction_rating.has_value() &&
       (*u.satisfaction_rating < 0 || *u.satisfaction_rating > kMaxTinyInt))) {
    return absl::InvalidArgumentError("outcome or satisfaction_rating is out of range");
  }
  const std::pair<std::string_view, const std::string*> texts[] = {
      {"public_message", &e.public_message},
      {"internal_note", &e.internal_note},
      {"answer_text", u.answer_text.has_value() ? &*u.answer_text : nullptr},
      {"clarification_question",
       u.clarification_question.has_value() ? &*u.clarification_question : nullptr}};
  for (const auto& [field, text] : texts) {
    if (text != nullptr && text->size() > kMaxTextBytes) {
      return absl::InvalidArgumentError(absl::StrCat(Absl(field), " is too long to store"));
    }
  }
  for (const NewNotification& n : u.notifications) {
    if (n.kind == NotificationKind::kUnspecified || static_cast<int>(n.kind) > kMaxTinyInt) {
      return absl::InvalidArgumentError("a notification has no kind");
    }
  }
  return absl::OkStatus();
}

// The complaint after `u`, as the UPDATE writes it.
Complaint Apply(const Complaint& c, const ComplaintUpdate& u, absl::Time now) {
  Complaint next = ApplyUpdate(c, u);
  if (next.sp3d_time.has_value()) next.sp3d_time = TruncateToMicros(*next.sp3d_time);
  if (next.answer_time.has_value()) next.answer_time = TruncateToMicros(*next.answer_time);
  // A result deadline set without its start counts from the day of the change.
  if (!u.result_start_date.has_value() && u.result_due_date.has_value()) {
    next.result_start_date = absl::ToCivilDay(now, PaluTimeZone());
  }
  next.version = c.version + 1;
  next.update_time = now;
  return next;
}

// The key a change's request_id is recorded under (change_requests).
std::string ActorKey(const ChangeRequest& request, int64_t complaint_id) {
  return request.actor_principal_id > 0 ? absl::StrCat("p", request.actor_principal_id)
                                        : absl::StrCat("c", complaint_id);
}

void SetOptionalTime(sql::PreparedStatement& s, int index, const std::optional<absl::Time>& t) {
  if (t.has_value()) {
    s.setString(index, FormatDateTime(*t));
  } else {
    s.setNull(index, sql::DataType::TIMESTAMP);
  }
}

// Binds kUpdateComplaintCase for `next`, the row after the change of the row
// at `version`.
void BindCaseUpdate(sql::PreparedStatement& s, const Complaint& next, int64_t version) {
  s.setInt(1, static_cast<int>(next.state));
  SetOptionalString(s, 2, next.handling_unit_id);
  SetOptionalTime(s, 3, next.sp3d_time);
  SetOptionalDate(s, 4, next.result_due_date);
  SetOptionalTime(s, 5, next.answer_time);
  SetOptionalString(s, 6, next.answer_text);
  s.setInt(7, next.outcome);
  s.setBoolean(8, next.clarification_pending);
  SetOptionalString(s, 9, next.clarification_question);
  s.setInt(10, next.satisfaction_rating);
  SetOptionalDate(s, 11, next.result_start_date);
  s.setBoolean(12, next.result_due_provisional);
  s.setString(13, FormatDateTime(next.update_time));
  s.setInt64(14, next.id);
  s.setInt64(15, version);
}

// Clamps a time filter into DATETIME's range.
std::string TimeBound(absl::Time t) {
  static const absl::Time kMin =
      absl::FromCivil(absl::CivilSecond(1000, 1, 1), absl::UTCTimeZone());
  if (t < kMin) return kMinDateTime;
  if (!StorableTime(t)) return kMaxDateTime;
  return FormatDateTime(TruncateToMicros(t));
}

// Ids as a JSON array of integers, for DUMAS_SQL_ID_LIST (storage/sql.h).
std::string JsonIds(const std::vector<int64_t>& ids) {
  return absl::StrCat("[", absl::StrJoin(ids, ","), "]");
}

}  // namespace

// --- CaseStore -----------------------------------------------------------------

absl::StatusOr<Complaint> MySqlStore::Mutate(
    std::string_view reference_number, const ChangeRequest& request,
    absl::FunctionRef<absl::Status(const Complaint&)> authorize,
    absl::FunctionRef<absl::StatusOr<ComplaintUpdate>(const Complaint&)> decide) {
  if (!PlausibleReference(reference_number)) return NoSuchComplaint();
  const bool idempotent = !request.request_id.empty();
  if (idempotent && (CanonicalRequestId(request.request_id) != request.request_id ||
                     request.fingerprint.empty())) {
    return absl::InvalidArgumentError(
        "request_id must be a canonical UUID, with the request's fingerprint");
  }
  const std::shared_ptr<const Keyring> keys = keyring();
  const std::string fingerprint =
      idempotent ? keys->RequestFingerprint(request.fingerprint) : std::string();
  bool found = false;
  absl::Status verdict;        // authorize's or decide's own error, returned as it is
  bool request_taken = false;  // a concurrent call recorded the request_id first
  bool wrote = false;          // the change was written (not a retry)
  std::optional<Complaint> result;
  auto body = [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
    found = false;
    verdict = absl::OkStatus();
    request_taken = false;
    wrote = false;
    result.reset();

    // 1. The row, locked.
    std::optional<Complaint> current;
    {
      sql::PreparedStatement& s = c.Statement(sql_text::kSelectComplaintForUpdate);
      s.setString(1, Sql(reference_number));
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      if (!rs->next()) return TransactionEnd::kRollback;
      std::string key_id;
      absl::StatusOr<Complaint> row =
          ReadComplaint(*rs, 1, *keys, &key_id, /*with_reply_address=*/false);
      if (!row.ok()) return row.status();
      current = *std::move(row);
    }
    found = true;
    // 2. Whether the caller may see it at all: asked on every call, retries
    // included, so a replay never shows what the caller may no longer see.
    // An error ends the transaction as a rollback (never as an ABORTED the
    // pool would retry: a stale etag is final).
    if (absl::Status allowed = authorize(*current); !allowed.ok()) {
      verdict = allowed;
      return TransactionEnd::kRollback;
    }
    // 3. Whether this request_id was used before, and for what.
    const std::string actor_key = ActorKey(request, current->id);
    if (idempotent) {
      sql::PreparedStatement& s = c.Statement(sql_text::kSelectChangeRequest);
      s.setString(1, actor_key);
      s.setString(2, request.request_id);
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      if (rs->next()) {
        if (!EqualSecrets(rs->getString(1).asStdString(), fingerprint)) {
          verdict = absl::AlreadyExistsError(
              "request_id was already used for a different request; use a new request_id");
        } else {
          result = *std::move(current);  // a retry: nothing is written
        }
        return TransactionEnd::kRollback;
      }
    }

    // 4. The domain's decision.
    absl::StatusOr<ComplaintUpdate> update = decide(*current);
    if (!update.ok()) {
      verdict = update.status();
      return TransactionEnd::kRollback;
    }
    if (absl::Status check = CheckUpdate(*update); !check.ok()) return check;
    const absl::Time now = TruncateToMicros(absl::Now());
    const std::string now_text = FormatDateTime(now);
    Complaint next = Apply(*current, *update, now);

    // 5. The row.
    sql::PreparedStatement& write = c.Statement(sql_text::kUpdateComplaintCase);
    BindCaseUpdate(write, next, current->version);
    int updated = 0;
    try {
      updated = write.executeUpdate();
    } catch (const sql::SQLException& e) {
      if (ForeignKeyConstraintName(e) == "fk_complaints_handling_unit") {
        return absl::InvalidArgumentError("handling_unit_id names no unit");
      }
      throw;
    }
    if (updated != 1) return absl::InternalError("the locked complaint changed");

    // 6. The event, with what the change set, for the transparency log.
    const ComplaintEventRecord& event = update->event;
    LogEntry entry;
    entry.reference_number = current->reference_number;
    entry.type = event.type;
    entry.time = now;
    entry.actor = request.actor_principal_id;
    entry.from_state = event.from_state.has_value() ? static_cast<int>(*event.from_state) : 0;
    entry.to_state = event.to_state.has_value() ? static_cast<int>(*event.to_state) : 0;
    entry.is_public = event.is_public;
    entry.public_message = event.public_message;
    entry.internal_note = event.internal_note;
    entry.details = EncodeDetails(ChangeDetails(*update, next));
    const AnevEventFacts facts = AnevFactsOf(event.type, event.from_state, *current, next);
    const int64_t event_id = InsertEvent(c, *keys, current->id, entry, &facts);
    if (event_id <= 0) return absl::InternalError("the event insert returned no id");

    // 7. The request_id, bound to what it asked for. Its primary key decides
    // between concurrent calls with the same one (on two complaints, where
    // the row locks do not order them): the second waits for the first to
    // commit and fails with a duplicate key; it is then answered as a retry
    // or refused, by running again.
    if (idempotent) {
      sql::PreparedStatement& s = c.Statement(sql_text::kInsertChangeRequest);
      s.setString(1, actor_key);
      s.setString(2, request.request_id);
      s.setString(3, fingerprint);
      s.setInt64(4, current->id);
      s.setInt64(5, event_id);
      s.setString(6, now_text);
      try {
        s.executeUpdate();
      } catch (const sql::SQLException& e) {
        if (e.getErrorCode() != kErDupEntry) throw;
        request_taken = true;
        return TransactionEnd::kRollback;
      }
    }

    // 8. The notifications, for the complaint's channel.
    for (const NewNotification& n : update->notifications) {
      InsertNotification(c, *keys, current->id, current->reference_number, event_id,
                         n.kind, current->channel, n.text, now_text);
    }
    result = std::move(next);
    wrote = true;
    return TransactionEnd::kCommit;
  };
  // With a request_id, running the whole transaction again after an unknown
  // COMMIT outcome is harmless: the retry finds its record and writes nothing.
  absl::Status status = pool_->RunTransaction(body, idempotent);
  if (status.ok() && request_taken) status = pool_->RunTransaction(body, idempotent);
  // Whatever happened, the next Track reads what is committed now.
  tracking_cache_.Erase(reference_number);
  if (!status.ok()) return status;
  if (!found) return NoSuchComplaint();
  if (!verdict.ok()) return verdict;
  if (request_taken) return absl::AbortedError("a concurrent call holds this request_id; retry");
  if (!result.has_value()) return absl::InternalError("the change left no complaint");
  if (wrote) EventsCommitted();
  return *std::move(result);
}

absl::StatusOr<std::vector<ListedComplaint>> MySqlStore::ListComplaints(
    const ComplaintFilter& filter, const std::optional<ComplaintCursor>& after, int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  std::vector<ListedComplaint> page;
  // A filter on an id no row can have matches nothing.
  const auto unmatchable = [](const std::string& id) { return !id.empty() && !PlausibleId(id); };
  if (unmatchable(filter.category_id) || unmatchable(filter.handling_unit_id) ||
      unmatchable(filter.subject_unit_id) || unmatchable(filter.scope_handling_unit_id)) {
    return page;
  }
  int64_t states = 0;
  for (ComplaintState state : filter.states) {
    const int value = static_cast<int>(state);
    if (value < 1 || value > kMaxComplaintState) {
      return absl::InvalidArgumentError("states holds a value that is not a complaint state");
    }
    states |= int64_t{1} << value;
  }
  const int channel = static_cast<int>(filter.channel);
  if (channel < 0 || channel > kMaxChannel) {
    return absl::InvalidArgumentError("channel is not a known channel");
  }
  if (filter.overdue_only && !StorableDay(filter.today)) {
    return absl::InvalidArgumentError("today is out of range");
  }
  const std::string cursor_time =
      after.has_value() ? TimeBound(after->create_time) : std::string(kMaxDateTime);
  const int64_t cursor_id =
      after.has_value() ? after->id : std::numeric_limits<int64_t>::max();
  const std::string received_after = filter.received_after.has_value()
                                         ? TimeBound(*filter.received_after)
                                         : std::string(kMinDateTime);
  const std::string received_before = filter.received_before.has_value()
                                          ? TimeBound(*filter.received_before)
                                          : std::string(kMaxDateTime);
  const std::string today = FormatDate(filter.today);
  // Excluding a unit no row can name excludes nothing.
  const std::string exclude_subject =
      PlausibleId(filter.scope_exclude_subject_unit_id) ? filter.scope_exclude_subject_unit_id
                                                        : std::string();

  const std::shared_ptr<const Keyring> keys = keyring();
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    page.clear();
    sql::PreparedStatement& s = c.Statement(sql_text::kListComplaints);
    int i = 0;
    s.setString(++i, cursor_time);
    s.setString(++i, cursor_time);
    s.setInt64(++i, cursor_id);
    s.setString(++i, received_after);
    s.setString(++i, received_before);
    s.setInt64(++i, states);
    s.setInt64(++i, states);
    const auto bind_range = [&](const std::string& id) {  // NULL or [id, id]
      for (int n = 0; n < 3; ++n) SetOptionalString(s, ++i, id);
    };
    bind_range(filter.category_id);
    s.setInt(++i, channel);
    s.setInt(++i, channel);
    bind_range(filter.handling_unit_id);
    bind_range(filter.subject_unit_id);
    bind_range(filter.scope_handling_unit_id);
    SetOptionalString(s, ++i, exclude_subject);
    SetOptionalString(s, ++i, exclude_subject);
    s.setInt(++i, filter.overdue_only ? 1 : 0);
    s.setString(++i, today);
    s.setString(++i, today);
    s.setInt(++i, std::min(limit, kMaxListLimit));
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) {
      std::string key_id;
      absl::StatusOr<Complaint> complaint =
          ReadComplaint(*rs, 1, *keys, &key_id, /*with_reply_address=*/false);
      if (!complaint.ok()) return complaint.status();
      ListedComplaint& listed = page.emplace_back();
      listed.cursor = ComplaintCursor{complaint->create_time, complaint->id};
      listed.complaint = *std::move(complaint);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<std::vector<ComplaintEventRecord>> MySqlStore::ListEvents(
    std::string_view reference_number, int64_t after_id, int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  if (!PlausibleReference(reference_number)) return NoSuchComplaint();
  std::vector<ComplaintEventRecord> events;
  bool found = false;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    events.clear();
    sql::PreparedStatement& s = c.Statement(sql_text::kListEvents);
    s.setString(1, Sql(reference_number));
    s.setInt64(2, after_id);
    s.setInt(3, std::min(limit, kMaxListLimit));
    {
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      while (rs->next()) {
        ComplaintEventRecord& e = events.emplace_back();
        e.id = rs->getInt64(1);
        absl::StatusOr<absl::Time> time = ParseDateTime(rs->getString(2));
        if (!time.ok()) return time.status();
        e.time = *time;
        e.actor_principal_id = rs->getInt64(3);
        e.type = rs->getString(4).asStdString();
        if (!rs->isNull(5)) e.from_state = static_cast<ComplaintState>(rs->getInt(5));
        if (!rs->isNull(6)) e.to_state = static_cast<ComplaintState>(rs->getInt(6));
        e.is_public = rs->getBoolean(7);
        e.public_message = rs->getString(8).asStdString();
        e.internal_note = rs->getString(9).asStdString();
        e.revision = rs->getInt64(10);
      }
    }
    found = !events.empty();
    if (!found) {  // an empty page: is there such a complaint at all?
      sql::PreparedStatement& exists = c.Statement(sql_text::kComplaintExists);
      exists.setString(1, Sql(reference_number));
      std::unique_ptr<sql::ResultSet> rs(exists.executeQuery());
      found = rs->next();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found) return NoSuchComplaint();
  return events;
}

// --- NotificationStore -----------------------------------------------------------

namespace {

// Locks the gateway's principal row in share mode for the transaction; false
// when the principal has been revoked (see kLockActivePrincipal).
bool LockActivePrincipal(PooledConnection& c, int64_t principal_id) {
  sql::PreparedStatement& s = c.Statement(sql_text::kLockActivePrincipal);
  s.setInt64(1, principal_id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  return rs->next();
}

absl::Status Revoked() {
  return absl::UnauthenticatedError("the principal has been revoked");
}

}  // namespace

absl::StatusOr<std::vector<Notification>> MySqlStore::LeaseNotifications(
    const Principal& gateway, int limit, absl::Duration lease) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  if (lease <= absl::ZeroDuration()) return absl::InvalidArgumentError("lease must be positive");
  const std::vector<Channel> channels = gateway.channels.channels();
  if (channels.empty()) return absl::InvalidArgumentError("the principal serves no channel");
  std::vector<Notification> leased;
  bool revoked = false;
  const std::shared_ptr<const Keyring> keys = keyring();
  // Not idempotent: after an unknown COMMIT outcome the caller hears
  // UNAVAILABLE, and what was leased comes back when the lease ends.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        leased.clear();
        revoked = !LockActivePrincipal(c, gateway.id);
        if (revoked) return TransactionEnd::kRollback;
        const absl::Time now = TruncateToMicros(absl::Now());
        const absl::Time until = TruncateToMicros(now + lease);
        if (!StorableTime(until)) return absl::InvalidArgumentError("lease is too long");
        const std::string now_text = FormatDateTime(now);

        // 1. Which: the oldest free ones of its channels, locked; others'
        // leases are skipped.
        std::vector<int64_t> ids;
        {
          sql::PreparedStatement& s = c.Statement(sql_text::kLeaseNotifications);
          for (int i = 0; i < kChannelSlots; ++i) {
            s.setInt(i + 1, static_cast<int>(channels[i % channels.size()]));
          }
          s.setString(kChannelSlots + 1, now_text);
          s.setInt(kChannelSlots + 2, std::min(limit, kMaxListLimit));
          std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
          while (rs->next()) ids.push_back(rs->getInt64(1));
        }
        if (ids.empty()) return TransactionEnd::kRollback;
        const std::string id_list = JsonIds(ids);

        // 2. The lease and the attempt.
        sql::PreparedStatement& extend = c.Statement(sql_text::kExtendNotificationLeases);
        extend.setString(1, id_list);
        extend.setString(2, FormatDateTime(until));
        extend.executeUpdate();

        // 3. What to deliver, and where. One that cannot be decrypted is set
        // aside, so that it does not block the others of its channel.
        std::vector<std::pair<int64_t, absl::Status>> undeliverable;
        {
          sql::PreparedStatement& select = c.Statement(sql_text::kSelectNotifications);
          select.setString(1, id_list);
          std::unique_ptr<sql::ResultSet> rs(select.executeQuery());
          while (rs->next()) {
            Notification n;
            n.id = rs->getInt64(1);
            const int64_t event_id = rs->getInt64(2);
            const int kind = rs->getInt(3);
            n.kind = static_cast<NotificationKind>(kind);
            n.channel = static_cast<Channel>(rs->getInt(4));
            const std::string text_key_id = rs->getString(5);
            const std::string text_ct = rs->getString(6);
            absl::StatusOr<absl::Time> created = ParseDateTime(rs->getString(7));
            if (!created.ok()) return created.status();
            n.create_time = *created;
            n.delivery_attempt = rs->getInt(8);
            absl::StatusOr<absl::Time> expires = ParseDateTime(rs->getString(9));
            if (!expires.ok()) return expires.status();
            n.lease_expire_time = *expires;
            n.reference_number = rs->getString(10).asStdString();
            const std::string complaint_key_id = rs->getString(11);
            const std::string reply_ct = rs->getString(12);
            absl::StatusOr<std::string> text =
                DecryptColumn(*keys, text_key_id, text_ct,
                              NotificationAad(n.reference_number, event_id, kind));
            absl::StatusOr<std::string> reply =
                DecryptColumn(*keys, complaint_key_id, reply_ct,
                              Aad(kAadReplyAddress, n.reference_number));
            if (!text.ok() || !reply.ok()) {
              undeliverable.emplace_back(n.id, !text.ok() ? text.status() : reply.status());
              continue;
            }
            n.text = *std::move(text);
            n.reply_address = *std::move(reply);
            leased.push_back(std::move(n));
          }
        }
        for (const auto& [id, why] : undeliverable) {
          sql::PreparedStatement& aside = c.Statement(sql_text::kSetNotificationAside);
          aside.setString(1, now_text);
          aside.setString(2, absl::StatusCodeToString(why.code()));
          aside.setInt64(3, id);
          aside.executeUpdate();
        }
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/false);
  if (!status.ok()) return status;
  if (revoked) return Revoked();
  return leased;
}

absl::Status MySqlStore::AcknowledgeNotifications(const Principal& gateway,
                                                  const std::vector<int64_t>& ids) {
  if (gateway.channels.empty()) {
    return absl::InvalidArgumentError("the principal serves no channel");
  }
  const absl::Status not_found =
      absl::NotFoundError("a notification does not exist for this channel");
  std::vector<int64_t> unique = ids;
  std::sort(unique.begin(), unique.end());  // also the lock order
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  if (unique.empty()) return absl::OkStatus();
  if (unique.front() <= 0) return not_found;
  if (unique.size() > static_cast<size_t>(kMaxListLimit)) {
    return absl::InvalidArgumentError("at most 1000 notifications per call");
  }
  const std::string id_list = JsonIds(unique);
  bool all_found = false;
  bool revoked = false;
  // Idempotent: acknowledging again changes nothing.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        all_found = false;
        revoked = !LockActivePrincipal(c, gateway.id);
        if (revoked) return TransactionEnd::kRollback;
        {
          sql::PreparedStatement& count = c.Statement(sql_text::kCountNotifications);
          count.setString(1, id_list);
          count.setInt64(2, gateway.channels.mask());
          std::unique_ptr<sql::ResultSet> rs(count.executeQuery());
          if (!rs->next() || rs->getInt64(1) != static_cast<int64_t>(unique.size())) {
            return TransactionEnd::kRollback;
          }
        }
        all_found = true;
        sql::PreparedStatement& ack = c.Statement(sql_text::kAcknowledgeNotifications);
        ack.setString(1, id_list);
        ack.setString(2, FormatDateTime(TruncateToMicros(absl::Now())));
        ack.executeUpdate();
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
  if (!status.ok()) return status;
  if (revoked) return Revoked();
  if (!all_found) return not_found;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<UndeliverableNotification>>
MySqlStore::ListUndeliverableNotifications(int64_t after_id, int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  return QueryRows<UndeliverableNotification>(
      *pool_, sql_text::kListUndeliverableNotifications,
      [&](sql::PreparedStatement& s) {
        s.setInt64(1, after_id);
        s.setInt(2, std::min(limit, kMaxListLimit));
      },
      [](const sql::ResultSet& rs) -> absl::StatusOr<UndeliverableNotification> {
        UndeliverableNotification n;
        n.id = rs.getInt64(1);
        n.reference_number = rs.getString(2).asStdString();
        n.kind = static_cast<NotificationKind>(rs.getInt(3));
        n.channel = static_cast<Channel>(rs.getInt(4));
        absl::StatusOr<absl::Time> created = ParseDateTime(rs.getString(5));
        if (!created.ok()) return created.status();
        n.create_time = *created;
        absl::StatusOr<absl::Time> failed = ParseDateTime(rs.getString(6));
        if (!failed.ok()) return failed.status();
        n.failure_time = *failed;
        n.failure = rs.getString(7).asStdString();
        return n;
      });
}

}  // namespace dumas
