// Storage interfaces of case handling: state changes and notes with their
// events and notifications, listings, the notification outbox, the
// administration of reference data and the working calendar, and the
// recomputation of running deadlines. The MySQL implementation is MySqlStore
// (storage/mysql_store.h). Errors as in storage/complaint_store.h.
#ifndef DUMAS_STORAGE_CASE_STORE_H_
#define DUMAS_STORAGE_CASE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/complaint_deadlines.h"
#include "domain/complaint_update.h"
#include "domain/notification_text.h"

namespace dumas {

// Filters of ListComplaints; empty/unset fields match everything.
struct ComplaintFilter {
  std::vector<ComplaintState> states;
  std::string category_id;
  Channel channel = Channel::kUnspecified;
  std::string handling_unit_id;
  std::string subject_unit_id;
  std::optional<absl::Time> received_after;   // inclusive
  std::optional<absl::Time> received_before;  // exclusive
  bool overdue_only = false;
  absl::CivilDay today;  // for overdue_only (WITA)
  // The caller's scope: UNIT principals see only their unit's complaints, and
  // nobody sees complaints about their own unit.
  std::string scope_handling_unit_id;    // non-empty: only this handling unit
  std::string scope_exclude_subject_unit_id;  // non-empty: not about this unit
};

// The position after which a page of ListComplaints starts (newest first).
struct ComplaintCursor {
  absl::Time create_time;
  int64_t id = 0;
};

// A page entry of ListComplaints: the complaint (no identity) and its cursor.
struct ListedComplaint {
  Complaint complaint;
  ComplaintCursor cursor;
};

// A leased notification.
struct Notification {
  int64_t id = 0;
  std::string reference_number;
  NotificationKind kind = NotificationKind::kUnspecified;
  Channel channel = Channel::kUnspecified;
  std::string reply_address;  // decrypted
  std::string text;           // decrypted
  absl::Time create_time;
  int delivery_attempt = 0;
  absl::Time lease_expire_time;
};

// Who makes a change, and what makes a retry of it recognisable.
struct ChangeRequest {
  int64_t actor_principal_id = 0;  // 0: the complainant, through the tracking code
  // The canonical request id (domain/request_id.h); empty: not idempotent.
  std::string request_id;
  // A digest of what the call asks for: the method, the complaint and the
  // request's content without its request_id. A request_id is bound to it.
  std::string fingerprint;
};

// The settings of the working-day calendar (one row for every server).
struct CalendarSettings {
  // Whether cuti bersama are non-working days for deadlines.
  bool skip_cuti_bersama = true;
  absl::Time update_time;  // of skip_cuti_bersama
  // The years whose holidays were set, even to none, ascending.
  std::vector<int> loaded_years;
};

// Everything the working-day calendar is built from.
struct StoredCalendar {
  std::vector<Holiday> holidays;  // every year, by day
  CalendarSettings settings;
};

// The outcome of one DeadlineStore::RecomputeDeadlines batch.
struct DeadlineBatch {
  int64_t last_id = 0;  // the last complaint read; 0: none was
  int read = 0;
  int changed = 0;
};

// State changes, notes and listings of complaints.
class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // Locks the complaint with this canonical reference number and calls
  // `authorize` with its current state (no identity); a status from it ends
  // the call unchanged (the caller's NOT_FOUND for a complaint it may not
  // see). Then calls `decide` and writes what it returns — the row (version
  // + 1, update_time now), the event, the notifications — in one
  // transaction; returns the complaint as stored after COMMIT. A status from
  // `decide` aborts the change and is returned as it is. NOT_FOUND when there
  // is no such complaint.
  //
  // With a request_id, the change is recorded under (actor, request_id): for
  // a principal across all complaints, for the complainant per complaint. A
  // later call with the same pair and the same fingerprint is a retry:
  // `authorize` runs again on the complaint as it is now, `decide` does not,
  // nothing is written, and the complaint is returned as it is now. The same
  // pair with another fingerprint (another method, complaint or content) is
  // ALREADY_EXISTS.
  virtual absl::StatusOr<Complaint> Mutate(
      std::string_view reference_number, const ChangeRequest& request,
      absl::FunctionRef<absl::Status(const Complaint&)> authorize,
      absl::FunctionRef<absl::StatusOr<ComplaintUpdate>(const Complaint&)> decide) = 0;

  // Up to `limit` complaints matching `filter`, newest first (create_time,
  // then id, descending), strictly after `after` when given. No identities.
  virtual absl::StatusOr<std::vector<ListedComplaint>> ListComplaints(
      const ComplaintFilter& filter, const std::optional<ComplaintCursor>& after,
      int limit) = 0;

  // Up to `limit` events of the complaint with ids greater than `after_id`,
  // oldest first. NOT_FOUND when there is no such complaint.
  virtual absl::StatusOr<std::vector<ComplaintEventRecord>> ListEvents(
      std::string_view reference_number, int64_t after_id, int limit) = 0;
};

// A notification set aside because it cannot be delivered (its text failed
// to decrypt): it no longer blocks its channel, and waits for an operator.
struct UndeliverableNotification {
  int64_t id = 0;
  std::string reference_number;
  NotificationKind kind = NotificationKind::kUnspecified;
  Channel channel = Channel::kUnspecified;
  absl::Time create_time;
  absl::Time failure_time;
  std::string failure;  // why, for the operator: a status code name
};

// The outbox of notifications to complainants.
class NotificationStore {
 public:
  virtual ~NotificationStore() = default;

  // Leases to the GATEWAY principal `gateway` up to `limit` unacknowledged
  // notifications of its channels whose lease has ended (or never began),
  // oldest first: each gets lease_expire_time = now + lease and its delivery
  // attempt counted. Concurrent callers never get the same notification
  // while its lease runs. A notification whose text or reply address fails to
  // decrypt is set aside (ListUndeliverableNotifications) and the rest flow.
  // UNAUTHENTICATED when the principal was revoked: a revocation that
  // committed before the lease leaves nothing leased.
  virtual absl::StatusOr<std::vector<Notification>> LeaseNotifications(
      const Principal& gateway, int limit, absl::Duration lease) = 0;

  // Marks the notifications delivered and drops their text. Already
  // acknowledged ones are fine. NOT_FOUND when an id does not exist or is not
  // of the gateway's channels; then nothing changes. UNAUTHENTICATED when the
  // principal was revoked.
  virtual absl::Status AcknowledgeNotifications(const Principal& gateway,
                                                const std::vector<int64_t>& ids) = 0;

  // Up to `limit` notifications set aside, with ids greater than `after_id`,
  // by id.
  virtual absl::StatusOr<std::vector<UndeliverableNotification>> ListUndeliverableNotifications(
      int64_t after_id, int limit) = 0;
};

// Administration of principals and reference data.
class AdminStore {
 public:
  virtual ~AdminStore() = default;

  // Creates a principal; returns it with its id and its new bearer token
  // (empty for a principal bound to a certificate identity without
  // token_required: it has no usable token). ALREADY_EXISTS when an active
  // principal has that name or certificate identity; INVALID_ARGUMENT for an
  // unknown unit, a GATEWAY without channels, channels on another role, a
  // certificate identity that is not canonical
  // (domain/certificate_identity.h), or token_required false without one.
  virtual absl::StatusOr<std::pair<Principal, std::string>> CreatePrincipalWithToken(
      const Principal& principal) = 0;
  // Up to `limit` principals with ids greater than `after_id`, by id.
  virtual absl::StatusOr<std::vector<Principal>> ListPrincipals(int64_t after_id,
                                                                int limit) = 0;
  // Revokes an active principal. NOT_FOUND if none is active with that id.
  virtual absl::StatusOr<Principal> RevokePrincipalById(int64_t id) = 0;
  // Revokes the active principal of that name. NOT_FOUND if none.
  virtual absl::Status RevokePrincipal(std::string_view name) = 0;

  // ALREADY_EXISTS when the id is taken.
  virtual absl::Status CreateUnit(const Unit& unit) = 0;
  virtual absl::Status CreateCategory(const Category& category) = 0;

  virtual absl::StatusOr<std::vector<RoutingRule>> ListRoutingRules() = 0;
  // Inserts or replaces the rule of the category. INVALID_ARGUMENT for an
  // unknown category or unit.
  virtual absl::Status SetRoutingRule(const RoutingRule& rule) = 0;

  // The holidays of `year` with their names and kinds, by day.
  virtual absl::StatusOr<std::vector<Holiday>> ListHolidays(int year) = 0;
  // Replaces the holidays of `year` with `holidays` (kinds kUnspecified are
  // stored as kLiburNasional) and marks the year loaded, in one transaction.
  virtual absl::Status SetHolidays(int year, const std::vector<Holiday>& holidays) = 0;

  // The calendar's settings and loaded years.
  virtual absl::StatusOr<CalendarSettings> GetCalendarSettings() = 0;
  // Sets whether deadlines skip cuti bersama; returns the settings after.
  virtual absl::StatusOr<CalendarSettings> SetSkipCutiBersama(bool skip_cuti_bersama) = 0;
  // Every holiday of every year with its kind, and the settings: what the
  // working-day calendar in memory is built from.
  virtual absl::StatusOr<StoredCalendar> LoadCalendar() = 0;
};

// The running deadlines of complaints, recomputed when the calendar changes.
class DeadlineStore {
 public:
  // The new deadlines of the complaint with this id; nullopt to leave them.
  using Recompute =
      absl::FunctionRef<std::optional<ComplaintDeadlines>(int64_t id, const ComplaintDeadlines&)>;

  virtual ~DeadlineStore() = default;

  // Locks up to `limit` complaints in one of `states` with ids greater than
  // `after_id`, by id; calls `recompute` with each one's id and deadlines and
  // writes the due dates and provisional flags of those it returns a value
  // for, in one transaction (no event; version and update_time stay, so etags
  // do not go stale). Returns the last id read (0 when none was: the end), how
  // many were read and how many changed. `recompute` may be called again for
  // the same rows when the transaction is retried.
  virtual absl::StatusOr<DeadlineBatch> RecomputeDeadlines(
      int64_t after_id, int limit, const std::vector<ComplaintState>& states,
      Recompute recompute) = 0;

  // The digest of the calendar the stored deadlines follow (see
  // WorkingDayCalendar::Digest); empty when none was recorded.
  virtual absl::StatusOr<std::string> DeadlinesCalendarDigest() = 0;
  // Records it, once every running deadline follows that calendar.
  virtual absl::Status RecordDeadlinesCalendarDigest(std::string_view digest) = 0;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_CASE_STORE_H_
