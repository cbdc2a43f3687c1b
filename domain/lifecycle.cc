#include "domain/lifecycle.h"

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace dumas {
namespace {

using State = ComplaintState;

// Sets of states and roles as bit masks, so the rules below read as a table.
constexpr uint32_t StateBit(State state) { return uint32_t{1} << static_cast<int>(state); }
constexpr uint32_t RoleBit(Role role) { return uint32_t{1} << static_cast<int>(role); }

bool IsKnownState(State state) {
  const int value = static_cast<int>(state);
  return value > 0 && value <= kMaxComplaintState;
}

constexpr uint32_t kTerminalStates =
    StateBit(State::kArchived) | StateBit(State::kRejected) | StateBit(State::kClosed);
// Every state a stored complaint can be in (all but UNSPECIFIED).
constexpr uint32_t kAllStates = ((uint32_t{1} << (kMaxComplaintState + 1)) - 1) & ~uint32_t{1};
constexpr uint32_t kNonTerminalStates = kAllStates & ~kTerminalStates;

constexpr uint32_t kIntakeOrSupervisor = RoleBit(Role::kIntake) | RoleBit(Role::kSupervisor);
constexpr uint32_t kUnitOrSupervisor = RoleBit(Role::kUnit) | RoleBit(Role::kSupervisor);

struct ActionRule {
  absl::string_view name;        // "start investigation": in error messages
  absl::string_view verb;        // "cannot <verb> a complaint in state ..."
  absl::string_view event_type;  // ComplaintEvent.type
  uint32_t from;                 // the states the action is allowed from
  // The state after; UNSPECIFIED for actions that keep the state.
  State to;
  // Staff roles that may take it (UNIT: of the handling unit; MayRead checks
  // that). 0 for the complainant's actions.
  uint32_t roles;
};

// Indexed by Action.
constexpr std::array<ActionRule, kActionCount> kRules = {{
    {"verify", "verify", "VERIFIED", StateBit(State::kReceived), State::kVerified,
     kIntakeOrSupervisor},
    {"archive", "archive", "ARCHIVED", StateBit(State::kReceived), State::kArchived,
     kIntakeOrSupervisor},
    {"reject", "reject", "REJECTED", StateBit(State::kReceived) | StateBit(State::kVerified),
     State::kRejected, kIntakeOrSupervisor},
    {"assign", "assign", "ASSIGNED", StateBit(State::kVerified) | StateBit(State::kReopened),
     State::kAssigned, RoleBit(Role::kSupervisor)},
    {"start investigation", "start investigating", "INVESTIGATION_STARTED",
     StateBit(State::kAssigned) | StateBit(State::kReopened), State::kUnderInvestigation,
     kUnitOrSupervisor},
    {"request clarification", "request clarification on", "CLARIFICATION_REQUESTED",
     StateBit(State::kReceived) | StateBit(State::kVerified) |
         StateBit(State::kUnderInvestigation) | StateBit(State::kReopened),
     State::kUnspecified, kIntakeOrSupervisor | kUnitOrSupervisor},
    {"conclude", "conclude", "CONCLUDED", StateBit(State::kUnderInvestigation),
     State::kConcluded, kUnitOrSupervisor},
    {"answer", "answer", "ANSWERED", StateBit(State::kConcluded), State::kAnswered,
     RoleBit(Role::kSupervisor)},
    {"close", "close", "CLOSED",
     StateBit(State::kAnswered) | StateBit(State::kArchived) | StateBit(State::kRejected),
     State::kClosed, RoleBit(Role::kSupervisor)},
    {"reopen", "reopen", "REOPENED", StateBit(State::kAnswered) | StateBit(State::kClosed),
     State::kReopened, RoleBit(Role::kSupervisor)},
    {"dispute", "dispute the answer to", "DISPUTED",
     StateBit(State::kAnswered) | StateBit(State::kClosed), State::kReopened, 0},
    {"add note", "add a note to", "NOTE", kAllStates, State::kUnspecified,
     kIntakeOrSupervisor | RoleBit(Role::kUnit)},
    {"respond to clarification", "respond to a clarification request on",
     "CLARIFICATION_ANSWERED", kNonTerminalStates, State::kUnspecified, 0},
    {"rate", "rate the handling of", "RATED",
     StateBit(State::kAnswered) | StateBit(State::kClosed), State::kUnspecified, 0},
}};

const ActionRule* RuleFor(Action action) {
  const auto i = static_cast<size_t>(action);
  return i < kRules.size() ? &kRules[i] : nullptr;
}

// "RECEIVED, VERIFIED".
std::string StateNames(uint32_t states) {
  std::string names;
  for (int i = 1; i <= kMaxComplaintState; ++i) {
    const auto state = static_cast<State>(i);
    if ((states & StateBit(state)) == 0) continue;
    absl::StrAppend(&names, names.empty() ? "" : ", ", ComplaintStateName(state));
  }
  return names;
}

}  // namespace

absl::string_view ActionEventType(Action action) {
  const ActionRule* rule = RuleFor(action);
  return rule == nullptr ? absl::string_view() : rule->event_type;
}

absl::StatusOr<ComplaintState> NextState(ComplaintState from, Action action) {
  const ActionRule* rule = RuleFor(action);
  if (rule == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown action ", static_cast<int>(action)));
  }
  if (IsKnownState(from) && (rule->from & StateBit(from)) != 0) {
    return rule->to == State::kUnspecified ? from : rule->to;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot ", rule->verb, " a complaint in state ", ComplaintStateName(from), "; ",
      rule->name, " is allowed from ", StateNames(rule->from)));
}

bool IsTerminal(ComplaintState state) {
  return IsKnownState(state) && (kTerminalStates & StateBit(state)) != 0;
}

bool ClosedForRetention(ComplaintState state) {
  return IsKnownState(state) && ((kTerminalStates | StateBit(State::kAnswered)) & StateBit(state)) != 0;
}

ComplaintScope ScopeOf(const Complaint& complaint) {
  return ComplaintScope{complaint.handling_unit_id, complaint.subject.unit_id,
                        complaint.confidential, complaint.share_identity_with_kompolnas};
}

bool MayRead(const Principal& principal, const ComplaintScope& scope) {
  // Conflict of interest: whatever the role, staff of the unit complained
  // about must not see the complaint.
  if (!principal.unit_id.empty() && principal.unit_id == scope.subject_unit_id) return false;
  switch (principal.role) {
    case Role::kIntake:
    case Role::kSupervisor:
    case Role::kOversight:
      return true;
    case Role::kUnit:
      return !principal.unit_id.empty() && principal.unit_id == scope.handling_unit_id;
    default:
      return false;
  }
}

bool MayReadIdentity(const Principal& principal, const ComplaintScope& scope) {
  if (!MayRead(principal, scope)) return false;
  switch (principal.role) {
    case Role::kIntake:
    case Role::kSupervisor:
      return true;
    case Role::kUnit:
      return !scope.confidential;
    case Role::kOversight:
      return scope.share_identity_with_kompolnas;
    default:
      return false;
  }
}

bool MayAct(const Principal& principal, Action action, ComplaintState state,
            const ComplaintScope& scope) {
  const ActionRule* rule = RuleFor(action);
  if (rule == nullptr || !MayRead(principal, scope)) return false;
  const int role = static_cast<int>(principal.role);
  if (role <= 0 || role > kMaxRole) return false;
  uint32_t roles = rule->roles;
  if (action == Action::kRequestClarification) {
    // Intake clarifies what the complaint is; once it is investigated, the
    // unit asks its own questions. Other states keep the union (see header).
    if (state == State::kReceived || state == State::kVerified) {
      roles = kIntakeOrSupervisor;
    } else if (state == State::kUnderInvestigation || state == State::kReopened) {
      roles = kUnitOrSupervisor;
    }
  }
  return (roles & RoleBit(principal.role)) != 0;
}

std::string PublicMessageFor(Action action, ComplaintState /*to*/) {
  // Each action leads to one state, so the action alone picks the text.
  switch (action) {
    case Action::kVerify:
      return "Pengaduan Anda telah diverifikasi dan akan ditindaklanjuti sesuai prosedur.";
    case Action::kArchive:
      return "Pengaduan Anda diarsipkan karena tidak termasuk perkara pengawasan. Alasannya "
             "telah kami sampaikan melalui saluran pengaduan Anda.";
    case Action::kReject:
      return "Mohon maaf, pengaduan Anda tidak dapat ditindaklanjuti. Alasannya telah kami "
             "sampaikan melalui saluran pengaduan Anda.";
    case Action::kAssign:
      return "Pengaduan Anda telah didisposisikan kepada satuan kerja yang berwenang. Surat "
             "Pemberitahuan Perkembangan Penanganan Dumas (SP3D) telah dikirimkan kepada Anda.";
    case Action::kStartInvestigation:
      return "Pengaduan Anda sedang dalam proses penyelidikan dan klarifikasi.";
    case Action::kRequestClarification:
      return "Kami memerlukan keterangan tambahan dari Anda. Mohon sampaikan tanggapan Anda "
             "melalui layanan pelacakan pengaduan.";
    case Action::kConclude:
      return "Pemeriksaan atas pengaduan Anda telah selesai dan hasilnya telah dilaporkan "
             "kepada pimpinan. Jawaban resmi akan segera disampaikan kepada Anda.";
    case Action::kAnswer:
      return "Jawaban resmi atas pengaduan Anda telah dikirimkan melalui saluran pengaduan "
             "Anda.";
    case Action::kClose:
      return "Penanganan pengaduan Anda telah selesai dan pengaduan ditutup. Terima kasih atas "
             "partisipasi Anda.";
    case Action::kReopen:
      return "Pengaduan Anda dibuka kembali untuk ditangani lebih lanjut.";
    case Action::kDispute:
      return "Keberatan Anda atas jawaban telah kami terima. Pengaduan Anda dibuka kembali "
             "untuk ditangani lebih lanjut.";
    case Action::kRespondToClarification:
      return "Keterangan tambahan dari Anda telah kami terima. Terima kasih.";
    case Action::kRate:
      return "Terima kasih atas penilaian Anda terhadap penanganan pengaduan ini.";
    case Action::kAddNote:
      break;
  }
  return "";
}

DeadlineStatus Sp3dStatus(const DeadlineFacts& facts, absl::CivilDay today) {
  if (facts.sp3d_sent.has_value()) {
    return *facts.sp3d_sent <= facts.sp3d_due ? DeadlineStatus::kMet : DeadlineStatus::kMissed;
  }
  // Archived or rejected before disposition: no SP3D is owed any more.
  if (IsTerminal(facts.state)) return DeadlineStatus::kNotApplicable;
  return today > facts.sp3d_due ? DeadlineStatus::kOverdue : DeadlineStatus::kPending;
}

DeadlineStatus ResultStatus(const DeadlineFacts& facts, absl::CivilDay today) {
  if (!facts.result_due.has_value()) {
    // The result deadline starts with the SP3D; a complaint that ended before
    // it will never owe a result.
    return IsTerminal(facts.state) ? DeadlineStatus::kNotApplicable
                                   : DeadlineStatus::kUnspecified;
  }
  if (facts.answered.has_value()) {
    return *facts.answered <= *facts.result_due ? DeadlineStatus::kMet : DeadlineStatus::kMissed;
  }
  if (IsTerminal(facts.state)) return DeadlineStatus::kNotApplicable;
  return today > *facts.result_due ? DeadlineStatus::kOverdue : DeadlineStatus::kPending;
}

}  // namespace dumas
