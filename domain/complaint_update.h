// What a change to a complaint writes: the row's new values, the event that
// records it, and the notifications it queues to the complainant. Decided by
// the domain (domain/case_action.h) on the locked current complaint and
// written by the store in one transaction. Plain data.
#ifndef DUMAS_DOMAIN_COMPLAINT_UPDATE_H_
#define DUMAS_DOMAIN_COMPLAINT_UPDATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/notification_text.h"

namespace dumas {

// One entry of a complaint's append-only event log.
struct ComplaintEventRecord {
  int64_t id = 0;                   // set by the store
  absl::Time time;                  // set by the store
  std::string type;                 // "RECEIVED", "VERIFIED", "NOTE", "IDENTITY_READ", ...
  int64_t actor_principal_id = 0;   // 0: the complainant (through the tracking code)
  std::optional<ComplaintState> from_state;  // unset for events that change no state
  std::optional<ComplaintState> to_state;
  bool is_public = false;
  std::string public_message;       // what the complainant sees; empty if internal
  std::string internal_note;        // for staff only
  int64_t revision = 0;             // in the transparency log; 0 until numbered
};

// A notification to queue with a change, for the complaint's channel.
struct NewNotification {
  NotificationKind kind = NotificationKind::kUnspecified;
  std::string text;  // stored encrypted: it may hold the tracking code
};

// The change of one complaint. Unset optionals leave their column as it is.
struct ComplaintUpdate {
  ComplaintState state = ComplaintState::kUnspecified;  // the state after
  std::optional<std::string> handling_unit_id;
  std::optional<absl::Time> sp3d_time;
  std::optional<absl::CivilDay> result_due_date;
  std::optional<absl::Time> answer_time;
  std::optional<int> outcome;
  std::optional<bool> clarification_pending;
  std::optional<std::string> clarification_question;
  std::optional<std::string> answer_text;
  std::optional<int> satisfaction_rating;
  // Set with result_due_date: the day it counts from (when unset, the store
  // records the day of the change, WITA) and whether it is provisional.
  std::optional<absl::CivilDay> result_start_date;
  std::optional<bool> result_due_provisional;
  // Clears the official answer (answer_text and answer_time): the answer was
  // disputed and a new one is owed. Applied before answer_text/answer_time.
  bool clear_answer = false;
  ComplaintEventRecord event;
  std::vector<NewNotification> notifications;
};

// `complaint` after `update`, as the store writes it (the version and
// update_time are the store's).
Complaint ApplyUpdate(Complaint complaint, const ComplaintUpdate& update);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_COMPLAINT_UPDATE_H_
