#include "domain/case_action.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "domain/string_view_interop.h"

namespace dumas {
namespace {


bool IsComplainantAction(Action action) {
  return action == Action::kDispute || action == Action::kRespondToClarification ||
         action == Action::kRate;
}

// "first\nsecond", or whichever is not empty.
std::string Lines(std::string_view first, std::string_view second) {
  if (first.empty()) return std::string(second);
  if (second.empty()) return std::string(first);
  return absl::StrCat(ToAbsl(first), "\n", ToAbsl(second));
}

// Queues the notification `kind` about `complaint`, with `text` (the reason,
// question or answer) where the kind has one.
void Notify(ComplaintUpdate& update, NotificationKind kind, const Complaint& complaint,
            std::string text = "") {
  NotificationFacts facts;
  facts.reference_number = complaint.reference_number;
  facts.text = std::move(text);
  update.notifications.push_back({kind, NotificationText(kind, facts)});
}

// The part every change shares: the state after, and the event with its
// public message.
absl::StatusOr<ComplaintUpdate> BaseUpdate(Action action, const Complaint& current,
                                           int64_t actor_id) {
  absl::StatusOr<ComplaintState> next = NextState(current.state, action);
  if (!next.ok()) return next.status();
  ComplaintUpdate update;
  update.state = *next;
  update.event.type = std::string(ActionEventType(action));
  update.event.actor_principal_id = actor_id;
  if (*next != current.state) {
    update.event.from_state = current.state;
    update.event.to_state = *next;
  }
  update.event.public_message = PublicMessageFor(action, *next);
  update.event.is_public = !update.event.public_message.empty();
  return update;
}

// Starts a new result deadline today: the SP3D's 40 working days, with the
// day it counts from and whether the calendar holds every year it spans.
absl::CivilDay StartResultDeadline(const CaseContext& context, ComplaintUpdate& update) {
  const absl::CivilDay today = absl::ToCivilDay(context.now, PaluTimeZone());
  const absl::CivilDay due = context.calendar.AddWorkingDays(today, kResultWorkingDays);
  update.result_due_date = due;
  update.result_start_date = today;
  update.result_due_provisional = context.calendar.IsProvisional(today, due);
  return due;
}

absl::Status PlanAssign(const Complaint& current, const ActionInput& input,
                        const CaseContext& context, ComplaintUpdate& update) {
  std::string unit = input.handling_unit_id;
  if (unit.empty()) {
    const auto rule = context.routing_rules.find(current.category_id);
    if (rule == context.routing_rules.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "category ", current.category_id, " has no routing rule; name the handling_unit"));
    }
    unit = rule->second;
  }
  // Conflict of interest: a unit never handles a complaint about itself.
  if (unit == current.subject.unit_id) {
    return absl::FailedPreconditionError(
        "a complaint is never assigned to the unit it is about; name another handling_unit");
  }
  update.handling_unit_id = unit;
  update.event.internal_note = Lines(absl::StrCat("handling unit: ", unit), input.internal_note);
  // The first disposition sends the SP3D and starts the result deadline; a
  // disposition after reopening starts a new result deadline (and tells the
  // complainant who handles the complaint now).
  absl::CivilDay result_due;
  if (!current.sp3d_time.has_value() || !current.result_due_date.has_value() ||
      current.state == ComplaintState::kReopened) {
    result_due = StartResultDeadline(context, update);
    if (!current.sp3d_time.has_value()) update.sp3d_time = context.now;
  } else {
    result_due = *current.result_due_date;
  }
  const auto name = context.unit_names.find(unit);
  update.notifications.push_back(
      {NotificationKind::kSp3d,
       NotificationText(NotificationKind::kSp3d,
                        {.reference_number = current.reference_number,
                         .due_date = result_due,
                         .unit_name = name == context.unit_names.end() ? "" : name->second})});
  return absl::OkStatus();
}

}  // namespace

std::string ComplaintEtag(const Complaint& complaint) {
  return absl::StrCat("v", complaint.version);
}

absl::StatusOr<ComplaintUpdate> PlanStaffAction(const Principal& actor, Action action,
                                                const Complaint& current, std::string_view etag,
                                                const ActionInput& input,
                                                const CaseContext& context) {
  if (IsComplainantAction(action)) {
    return absl::InvalidArgumentError("a complainant's action is not a staff action");
  }
  const ComplaintScope scope = ScopeOf(current);
  if (!MayRead(actor, scope)) return absl::NotFoundError("no such complaint");
  // The etag first: a caller that read an older version must read again
  // before anything else is decided for it.
  if (etag != ComplaintEtag(current)) {
    return absl::AbortedError(
        "the complaint has changed since it was read (stale etag); read it again and retry");
  }
  if (!MayAct(actor, action, current.state, scope)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "role ", RoleName(actor.role), " may not take this action on this complaint"));
  }
  absl::StatusOr<ComplaintUpdate> planned = BaseUpdate(action, current, actor.id);
  if (!planned.ok()) return planned.status();
  ComplaintUpdate& update = *planned;

  switch (action) {
    case Action::kVerify:
    case Action::kClose:
      update.event.internal_note = input.internal_note;
      if (action == Action::kClose) Notify(update, NotificationKind::kClosure, current);
      break;
    case Action::kStartInvestigation:
      update.event.internal_note = input.internal_note;
      // The same unit resumes a reopened complaint: a new result is owed.
      if (current.state == ComplaintState::kReopened) StartResultDeadline(context, update);
      break;
    case Action::kArchive:
      update.event.public_message = absl::StrCat(update.event.public_message, " ",
                                                 input.public_reason);
      update.event.internal_note = input.internal_note;
      Notify(update, NotificationKind::kArchived, current, input.public_reason);
      break;
    case Action::kReject:
      if (input.rejection_reason == RejectionReason::kIncomplete &&
          !current.clarification_pending) {
        return absl::FailedPreconditionError(
            "a complaint is rejected as incomplete only while a clarification request to the "
            "complainant is unanswered; use RequestClarification first");
      }
      update.event.public_message = absl::StrCat(update.event.public_message, " ",
                                                 input.public_reason);
      update.event.internal_note = Lines(
          absl::StrCat("reason: ", RejectionReasonName(input.rejection_reason)),
          input.internal_note);
      update.clarification_pending = false;
      update.clarification_question = "";
      Notify(update, NotificationKind::kRejected, current, input.public_reason);
      break;
    case Action::kAssign:
      if (absl::Status status = PlanAssign(current, input, context, update); !status.ok()) {
        return status;
      }
      break;
    case Action::kRequestClarification:
      update.clarification_pending = true;
      update.clarification_question = input.question;
      update.event.public_message =
          absl::StrCat(update.event.public_message, " ", input.question);
      update.event.is_public = true;
      update.event.internal_note = input.internal_note;
      Notify(update, NotificationKind::kClarificationRequest, current, input.question);
      break;
    case Action::kConclude:
      update.outcome = static_cast<int>(input.outcome);
      update.event.internal_note =
          Lines(absl::StrCat("outcome: ", OutcomeName(input.outcome)), input.findings);
      break;
    case Action::kAnswer:
      update.answer_text = input.answer;
      update.answer_time = context.now;
      // The timeline keeps every answer given, so a disputed one stays visible
      // after a new one replaces it.
      update.event.public_message =
          absl::StrCat(update.event.public_message, "\n\n", input.answer);
      update.event.internal_note = input.internal_note;
      Notify(update, NotificationKind::kAnswer, current, input.answer);
      break;
    case Action::kReopen:
      update.clear_answer = true;
      update.event.internal_note = input.internal_note;
      break;
    case Action::kAddNote:
      update.event.is_public = input.text_public;
      if (input.text_public) {
        update.event.public_message = input.text;
      } else {
        update.event.public_message.clear();
        update.event.internal_note = input.text;
      }
      break;
    case Action::kDispute:
    case Action::kRespondToClarification:
    case Action::kRate:
      break;  // refused above
  }
  return planned;
}

absl::StatusOr<ComplaintUpdate> PlanComplainantAction(Action action, const Complaint& current,
                                                      const ActionInput& input,
                                                      const CaseContext& /*context*/) {
  if (!IsComplainantAction(action)) {
    return absl::InvalidArgumentError("a staff action is not the complainant's");
  }
  absl::StatusOr<ComplaintUpdate> planned = BaseUpdate(action, current, /*actor_id=*/0);
  if (!planned.ok()) return planned.status();
  ComplaintUpdate& update = *planned;
  switch (action) {
    case Action::kRespondToClarification:
      if (!current.clarification_pending) {
        return absl::FailedPreconditionError(
            "no clarification request is open for this complaint");
      }
      update.clarification_pending = false;
      update.clarification_question = "";
      update.event.internal_note = input.text;
      break;
    case Action::kDispute:
      update.clear_answer = true;
      update.event.internal_note = input.text;
      break;
    case Action::kRate:
      if (input.rating < 1 || input.rating > 5) {
        return absl::InvalidArgumentError("a rating is 1 to 5");
      }
      update.satisfaction_rating = input.rating;
      update.event.internal_note =
          Lines(absl::StrCat("rating: ", input.rating), input.comment);
      break;
    default:
      break;  // refused above
  }
  return planned;
}

}  // namespace dumas
