// The lifecycle of a complaint (Perpol 2/2024 and PRODUCT.md): which action
// may move a complaint from which state, who may take it, and what the
// complainant is told. Plain C++: no gRPC, no SQL.
#ifndef DUMAS_DOMAIN_LIFECYCLE_H_
#define DUMAS_DOMAIN_LIFECYCLE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "domain/complaint.h"

namespace dumas {

// What staff or the complainant do to a complaint.
enum class Action : int {
  kVerify,                // RECEIVED -> VERIFIED
  kArchive,               // RECEIVED -> ARCHIVED
  kReject,                // RECEIVED, VERIFIED -> REJECTED
  kAssign,                // VERIFIED, REOPENED -> ASSIGNED
  kStartInvestigation,    // ASSIGNED, REOPENED -> UNDER_INVESTIGATION
  kRequestClarification,  // RECEIVED, VERIFIED, UNDER_INVESTIGATION, REOPENED -> same
  kConclude,              // UNDER_INVESTIGATION -> CONCLUDED
  kAnswer,                // CONCLUDED -> ANSWERED
  kClose,                 // ANSWERED, ARCHIVED, REJECTED -> CLOSED
  kReopen,                // ANSWERED, CLOSED -> REOPENED (staff)
  kDispute,               // ANSWERED, CLOSED -> REOPENED (complainant)
  kAddNote,               // any state -> same
  // (complainant) any non-terminal state -> same; whether a request is open is
  // the caller's check.
  kRespondToClarification,
  kRate,                  // (complainant) ANSWERED, CLOSED -> same
};
inline constexpr int kActionCount = 14;

// Upper-case name of the event an action records ("VERIFIED", "NOTE", ...).
absl::string_view ActionEventType(Action action);

// The state `action` leads to from `from`: the same state for actions that
// change none. FAILED_PRECONDITION naming the current state (and the states
// the action is allowed from) when it is not allowed, such as "cannot verify a
// complaint in state ASSIGNED; verify is allowed from RECEIVED". No action is
// allowed from UNSPECIFIED: no stored complaint is in it. INVALID_ARGUMENT for
// a value outside Action.
absl::StatusOr<ComplaintState> NextState(ComplaintState from, Action action);

// Whether the state is final for the deadlines (nothing more is owed):
// ARCHIVED, REJECTED (answered ends that may still be CLOSED) and CLOSED.
bool IsTerminal(ComplaintState state);

// Whether a complaint in this state is closed for the retention of personal
// data (UU 27/2022): nothing more is owed to the complainant and nothing is
// pending from them. ARCHIVED and REJECTED (answered with the reason), CLOSED,
// and ANSWERED (the official answer given and not disputed: a dispute moves
// it to REOPENED). Its retention period counts from when it entered that
// state; a later dispute or reopening ends the closure.
bool ClosedForRetention(ComplaintState state);

// Where a complaint sits for authorization.
struct ComplaintScope {
  std::string handling_unit_id;  // empty until assigned
  std::string subject_unit_id;   // empty when the complaint names no unit
  bool confidential = false;
  bool share_identity_with_kompolnas = false;  // the complainant's consent
};

// The scope of a stored complaint.
ComplaintScope ScopeOf(const Complaint& complaint);

// Whether `principal` may see the complaint at all. No principal sees a
// complaint about its own unit (conflict of interest). INTAKE, SUPERVISOR and
// OVERSIGHT see the resort; UNIT sees what is assigned to its unit; GATEWAY
// and ADMIN see none.
bool MayRead(const Principal& principal, const ComplaintScope& scope);

// Whether `principal` may read the complainant's identity: INTAKE and
// SUPERVISOR always, UNIT (of the handling unit) only when not
// confidential, OVERSIGHT (Kompolnas) only when the complainant consented to
// share it with Kompolnas, nobody else. Implies MayRead.
bool MayReadIdentity(const Principal& principal, const ComplaintScope& scope);

// Whether `principal` may take staff action `action` (not kDispute,
// kRespondToClarification, kRate, which are the complainant's) on the
// complaint in `state`: MayRead, and the role of the action (see
// complaint_service.proto). kRequestClarification depends on the state:
// INTAKE and SUPERVISOR in RECEIVED and VERIFIED, the handling unit and
// SUPERVISOR in UNDER_INVESTIGATION and REOPENED. In a state the action is not
// allowed from, any role that may take it in some state passes, so that
// NextState's FAILED_PRECONDITION, not a permission error, tells the caller.
bool MayAct(const Principal& principal, Action action, ComplaintState state,
            const ComplaintScope& scope);

// The Indonesian text the complainant is shown on the timeline for a state
// change, such as "Pengaduan telah diverifikasi ...". It names no officer,
// handler or unit, and tells no findings. Empty for kAddNote: a public note
// is its own text. The text depends on the action; `to` is the state after.
std::string PublicMessageFor(Action action, ComplaintState to);

// Deadlines (Perpol 2/2024) of one complaint, in WITA civil days.
struct DeadlineFacts {
  ComplaintState state = ComplaintState::kUnspecified;
  absl::CivilDay sp3d_due;
  std::optional<absl::CivilDay> sp3d_sent;      // the SP3D went out that day
  std::optional<absl::CivilDay> result_due;     // set once the SP3D went out
  std::optional<absl::CivilDay> answered;       // the official answer that day
};

// The status of a deadline; values equal dumas.v1.DeadlineStatus.
enum class DeadlineStatus : int {
  kUnspecified = 0,
  kPending = 1,
  kMet = 2,
  kOverdue = 3,
  kMissed = 4,
  kNotApplicable = 5,
};

// The SP3D deadline: MET or MISSED once sent (on or before, after the due
// day); unsent, NOT_APPLICABLE in a terminal state (archived or rejected
// first), OVERDUE after the due day, PENDING until then.
DeadlineStatus Sp3dStatus(const DeadlineFacts& facts, absl::CivilDay today);

// The result deadline (the official answer): UNSPECIFIED until the SP3D went
// out (no result_due), NOT_APPLICABLE instead in a terminal state; then MET
// or MISSED once answered, NOT_APPLICABLE in a terminal state without an
// answer, OVERDUE after the due day, PENDING until then.
DeadlineStatus ResultStatus(const DeadlineFacts& facts, absl::CivilDay today);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_LIFECYCLE_H_
