// What a staff member's or the complainant's action changes: the rules of
// case handling applied to the locked current complaint (who may act, the
// etag, the transition, routing, the conflict of interest, deadlines, what
// the complainant is told and sent). The store runs the plan in the
// transaction that locked the row. Plain C++: no gRPC, no SQL.
#ifndef DUMAS_DOMAIN_CASE_ACTION_H_
#define DUMAS_DOMAIN_CASE_ACTION_H_

#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/complaint_update.h"
#include "domain/lifecycle.h"
#include "domain/working_day_calendar.h"

namespace dumas {

// The inputs of an action, already validated at the edge (texts checked by
// CheckText, units known). Fields an action does not use stay empty.
struct ActionInput {
  // A note for staff (every staff action; required text for kReopen).
  std::string internal_note{};
  // kArchive, kReject: the reason the complainant is told.
  std::string public_reason{};
  // kReject.
  RejectionReason rejection_reason = RejectionReason::kUnspecified;
  // kAssign: the handling unit's id; empty for the routing rule of the
  // complaint's category.
  std::string handling_unit_id{};
  // kRequestClarification: the question to the complainant.
  std::string question{};
  // kConclude.
  Outcome outcome = Outcome::kUnspecified;
  std::string findings{};
  // kAnswer: the official answer.
  std::string answer{};
  // kAddNote: the note and whether the complainant sees it;
  // kRespondToClarification: the complainant's answer; kDispute: the reason.
  std::string text{};
  bool text_public = false;
  // kRate: 1-5, and an optional comment.
  int rating = 0;
  std::string comment{};
};

// What the rules need to know besides the complaint. The references must
// outlive the call.
struct CaseContext {
  absl::Time now;
  const WorkingDayCalendar& calendar;
  // Category id -> the default handling unit's id (tupoksi).
  const absl::flat_hash_map<std::string, std::string>& routing_rules;
  // Unit id -> display name, for the SP3D letter.
  const absl::flat_hash_map<std::string, std::string>& unit_names;
};

// The etag of a complaint's current version (AIP-154): plain text ("v7"), so
// that it pastes into a JSON request without escaping.
std::string ComplaintEtag(const Complaint& complaint);

// The change staff action `action` makes to `current` (no identity needed).
// Checks, in this order, each failing alone:
//   NOT_FOUND            `actor` may not see the complaint (MayRead); the
//                        caller cannot tell it from a missing one.
//   ABORTED              `etag` is not ComplaintEtag(current): read again.
//   PERMISSION_DENIED    the actor's role may not take the action (MayAct).
//   FAILED_PRECONDITION  the action is not allowed from the current state
//                        (NextState), or a rule of the action fails: a
//                        rejection as INCOMPLETE without an open
//                        clarification request; an assignment without a
//                        handling unit when the category has no routing rule;
//                        an assignment to the unit complained about.
//   INVALID_ARGUMENT     `action` is one of the complainant's.
// Deadlines: the first disposition (kAssign) sends the SP3D and starts the
// result deadline, 40 working days after its day. After a dispute or a
// reopening (REOPENED), the next disposition or the start of a new
// investigation starts a new result deadline the same way; until then the
// earlier due date stands, and it shows overdue once it has passed (the
// disputed answer no longer counts as the result).
absl::StatusOr<ComplaintUpdate> PlanStaffAction(const Principal& actor, Action action,
                                                const Complaint& current, std::string_view etag,
                                                const ActionInput& input,
                                                const CaseContext& context);

// The change the complainant's action (kRespondToClarification, kDispute,
// kRate; through the tracking code) makes to `current`.
//   FAILED_PRECONDITION  the action is not allowed from the current state, or
//                        kRespondToClarification without an open request.
//   INVALID_ARGUMENT     `action` is a staff action, or a rating outside 1-5.
// A dispute (ANSWERED or CLOSED -> REOPENED) clears the official answer: the
// disputed one stays on the timeline, in the ANSWERED event.
absl::StatusOr<ComplaintUpdate> PlanComplainantAction(Action action, const Complaint& current,
                                                      const ActionInput& input,
                                                      const CaseContext& context);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_CASE_ACTION_H_
