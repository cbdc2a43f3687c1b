// ComplaintService: listing and case handling (PRODUCT.md, "Lifecycle").
// Every change runs through ApplyStaffAction or ApplyComplainantAction, which
// check the caller, the etag and the transition on the locked row and write
// the change, its event and its notifications in one transaction.
#include <sodium.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/complaint_service.h"
#include "server/deadline_recomputer.h"
#include "domain/complaint_validation.h"
#include "domain/notification_text.h"
#include "domain/reference_number.h"
#include "domain/string_view_interop.h"
#include "domain/working_day_calendar.h"
#include "server/proto_convert.h"
#include "server/rpc_support.h"

namespace dumas {
namespace {

constexpr int kDefaultComplaintPage = 50;
constexpr int kMaxComplaintPage = 200;
constexpr int kDefaultEventPage = 100;
constexpr int kMaxEventPage = 500;

constexpr TextLimits kNote{.max_chars = 2000, .multi_line = true};
constexpr TextLimits kRequiredReason{
    .required = true, .min_chars = 10, .max_chars = 2000, .multi_line = true};

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), PaluTimeZone()); }

ComplaintScope ScopeOf(const Complaint& complaint) {
  return ComplaintScope{complaint.handling_unit_id, complaint.subject.unit_id,
                        complaint.confidential};
}

absl::Status NoSuchComplaint() { return absl::NotFoundError("no such complaint"); }

// Queues the notification `kind` about `complaint`, with `text` (the reason,
// question or answer) where the kind has one.
void Notify(ComplaintUpdate& update, NotificationKind kind, const Complaint& complaint,
            std::string text = "") {
  NotificationFacts facts;
  facts.reference_number = complaint.reference_number;
  facts.text = std::move(text);
  update.notifications.push_back({kind, NotificationText(kind, facts)});
}

// The id of "units/{id}" if it is a known unit; otherwise a violation.
std::optional<std::string> KnownUnit(absl::string_view field, const std::string& name,
                                     const ReferenceSnapshot& reference,
                                     FieldViolations& violations) {
  const std::optional<std::string> id = ResourceId("units", name);
  if (!id.has_value() || !reference.unit_ids.contains(*id)) {
    violations.Add(std::string(field), "must name an existing unit, units/{unit_id}; see ListUnits");
    return std::nullopt;
  }
  return id;
}

// The change of an action that records only the caller's internal note.
auto NoteOnly(const std::optional<std::string>& note) {
  return [&note](const Complaint&, const ReferenceSnapshot&, ComplaintUpdate& update) {
    update.event.internal_note = note.value_or("");
    return absl::OkStatus();
  };
}

// A short digest of a message, to bind page tokens to their filters.
std::string FilterDigest(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  unsigned char digest[8];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

void ToProto(const std::string& reference, const ComplaintEventRecord& event,
             v1::ComplaintEvent* out) {
  out->set_name(absl::StrCat("complaints/", reference, "/events/", event.id));
  dumas::ToProto(event.time, out->mutable_event_time());
  out->set_type(event.type);
  out->set_actor(event.actor_principal_id == 0
                     ? std::string("complainant")
                     : absl::StrCat("principals/", event.actor_principal_id));
  if (event.from_state.has_value()) {
    out->set_from_state(static_cast<v1::ComplaintState>(*event.from_state));
  }
  if (event.to_state.has_value()) {
    out->set_to_state(static_cast<v1::ComplaintState>(*event.to_state));
  }
  out->set_public_(event.is_public);
  out->set_public_message(event.public_message);
  out->set_internal_note(event.internal_note);
}

}  // namespace

// --- Listing ---------------------------------------------------------------

grpc::Status ComplaintServiceImpl::ListComplaints(grpc::ServerContext* context,
                                                  const v1::ListComplaintsRequest* request,
                                                  v1::ListComplaintsResponse* response) {
  const CallLog call(Method::kListComplaints);
  return call.Finish(List(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::List(grpc::ServerContext& context,
                                        const v1::ListComplaintsRequest& request,
                                        v1::ListComplaintsResponse& response) {
  absl::StatusOr<std::optional<Principal>> principal =
      authenticator_.Authorize(context, Method::kListComplaints);
  if (!principal.ok()) return principal.status();
  const Principal& reader = **principal;

  FieldViolations violations;
  ComplaintFilter filter;
  for (int i = 0; i < request.states_size(); ++i) {
    const int state = request.states(i);
    if (state <= 0 || state > kMaxComplaintState) {
      violations.Add(absl::StrCat("states[", i, "]"), "must be a ComplaintState other than UNSPECIFIED");
    } else {
      filter.states.push_back(static_cast<ComplaintState>(state));
    }
  }
  if (!request.category().empty()) {
    const std::optional<std::string> id = ResourceId("categories", request.category());
    if (id.has_value()) {
      filter.category_id = *id;
    } else {
      violations.Add("category", "must be categories/{category_id}");
    }
  }
  if (!v1::Channel_IsValid(request.channel())) {
    violations.Add("channel", "is not a Channel value");
  } else {
    filter.channel = static_cast<Channel>(request.channel());
  }
  const auto unit_filter = [&](const char* field, const std::string& value, std::string& into) {
    if (value.empty()) return;
    if (const std::optional<std::string> id = ResourceId("units", value)) {
      into = *id;
    } else {
      violations.Add(field, "must be units/{unit_id}");
    }
  };
  unit_filter("handling_unit", request.handling_unit(), filter.handling_unit_id);
  unit_filter("subject_unit", request.subject_unit(), filter.subject_unit_id);
  if (request.has_received_after()) {
    filter.received_after = FromProto(request.received_after());
    if (*filter.received_after == absl::InfinitePast()) {
      violations.Add("received_after", "is not a valid timestamp");
    }
  }
  if (request.has_received_before()) {
    filter.received_before = FromProto(request.received_before());
    if (*filter.received_before == absl::InfinitePast()) {
      violations.Add("received_before", "is not a valid timestamp");
    }
  }
  filter.overdue_only = request.overdue();
  filter.today = Today();
  absl::StatusOr<int> size =
      PageSize(request.page_size(), kDefaultComplaintPage, kMaxComplaintPage);
  if (!size.ok()) violations.Add("page_size", "must not be negative");

  v1::ListComplaintsRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  const std::string scope = absl::StrCat("complaints:", FilterDigest(filters));
  std::optional<ComplaintCursor> after;
  absl::StatusOr<std::string> payload = DecodePageToken(scope, request.page_token());
  if (!payload.ok()) {
    violations.Add("page_token", "is not a page token returned by this method for these filters");
  } else if (!payload->empty()) {
    const std::vector<absl::string_view> parts = absl::StrSplit(*payload, ':');
    int64_t micros = 0;
    int64_t id = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &micros) ||
        !absl::SimpleAtoi(parts[1], &id)) {
      violations.Add("page_token", "is not a page token returned by this method");
    } else {
      after = ComplaintCursor{absl::FromUnixMicros(micros), id};
    }
  }
  if (!violations.empty()) return violations.ToStatus();

  // The caller's scope: a unit sees its own cases; nobody sees complaints
  // about their own unit.
  if (reader.role == Role::kUnit) {
    if (reader.unit_id.empty()) return absl::OkStatus();  // a unit principal without a unit
    filter.scope_handling_unit_id = reader.unit_id;
  }
  filter.scope_exclude_subject_unit_id = reader.unit_id;

  absl::StatusOr<std::vector<ListedComplaint>> rows =
      cases_.ListComplaints(filter, after, *size + 1);
  if (!rows.ok()) return rows.status();
  const bool more = static_cast<int>(rows->size()) > *size;
  if (more) rows->resize(*size);
  for (const ListedComplaint& row : *rows) {
    ToProto(row.complaint, filter.today, response.add_complaints());
  }
  if (more) {
    const ComplaintCursor& last = rows->back().cursor;
    response.set_next_page_token(EncodePageToken(
        scope, absl::StrCat(absl::ToUnixMicros(last.create_time), ":", last.id)));
  }
  return absl::OkStatus();
}

grpc::Status ComplaintServiceImpl::ListComplaintEvents(
    grpc::ServerContext* context, const v1::ListComplaintEventsRequest* request,
    v1::ListComplaintEventsResponse* response) {
  const CallLog call(Method::kListComplaintEvents);
  return call.Finish(ListEvents(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::ListEvents(grpc::ServerContext& context,
                                              const v1::ListComplaintEventsRequest& request,
                                              v1::ListComplaintEventsResponse& response) {
  absl::StatusOr<std::optional<Principal>> principal =
      authenticator_.Authorize(context, Method::kListComplaintEvents);
  if (!principal.ok()) return principal.status();
  absl::StatusOr<std::string> reference = ComplaintReference("parent", request.parent());
  if (!reference.ok()) return reference.status();
  absl::StatusOr<int> size = PageSize(request.page_size(), kDefaultEventPage, kMaxEventPage);
  if (!size.ok()) return size.status();
  const std::string scope = absl::StrCat("events:", *reference);
  absl::StatusOr<std::string> payload = DecodePageToken(scope, request.page_token());
  if (!payload.ok()) return payload.status();
  int64_t after_id = 0;
  if (!payload->empty() && !absl::SimpleAtoi(*payload, &after_id)) {
    return InvalidField("page_token", "is not a page token returned by this method");
  }

  absl::StatusOr<Complaint> complaint = complaints_.Get(*reference, false, **principal);
  if (absl::IsNotFound(complaint.status())) return NoSuchComplaint();
  if (!complaint.ok()) return complaint.status();
  if (!MayRead(**principal, ScopeOf(*complaint))) return NoSuchComplaint();

  absl::StatusOr<std::vector<ComplaintEventRecord>> events =
      cases_.ListEvents(*reference, after_id, *size + 1);
  if (!events.ok()) return events.status();
  const bool more = static_cast<int>(events->size()) > *size;
  if (more) events->resize(*size);
  for (const ComplaintEventRecord& event : *events) {
    ToProto(*reference, event, response.add_events());
  }
  if (more) response.set_next_page_token(EncodePageToken(scope, absl::StrCat(events->back().id)));
  return absl::OkStatus();
}

// --- Staff actions -----------------------------------------------------------

absl::StatusOr<Complaint> ComplaintServiceImpl::ApplyStaffAction(
    grpc::ServerContext& context, Method method, Action action, const std::string& name,
    const std::string& etag, const std::string& request_id, FieldViolations& violations,
    FillChange fill) {
  absl::StatusOr<std::optional<Principal>> principal = authenticator_.Authorize(context, method);
  if (!principal.ok()) return principal.status();
  const Principal& actor = **principal;

  absl::StatusOr<std::string> reference = ComplaintReference("name", name);
  if (!reference.ok()) violations.Add("name", "must be complaints/{reference_number}");
  if (etag.empty()) violations.Add("etag", "is required: the etag of the complaint as last read");
  CheckRequestId(request_id, violations);
  if (!violations.empty()) return violations.ToStatus();
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference_data = cache_.Current();
  if (!reference_data.ok()) return reference_data.status();

  absl::StatusOr<Complaint> changed = cases_.Mutate(
      *reference, actor.id, request_id,
      [&](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
        const ComplaintScope scope = ScopeOf(current);
        if (!MayRead(actor, scope)) return NoSuchComplaint();
        // The etag first: a caller that read an older version must read again
        // before anything else is decided for it.
        if (etag != Etag(current)) {
          return absl::AbortedError(
              "the complaint has changed since it was read (stale etag); read it again and "
              "retry");
        }
        if (!MayAct(actor, action, current.state, scope)) {
          return absl::PermissionDeniedError(absl::StrCat(
              "role ", RoleName(actor.role), " may not take this action on this complaint"));
        }
        absl::StatusOr<ComplaintState> next = NextState(current.state, action);
        if (!next.ok()) return next.status();
        ComplaintUpdate update;
        update.state = *next;
        update.event.type = std::string(ActionEventType(action));
        update.event.actor_principal_id = actor.id;
        if (*next != current.state) {
          update.event.from_state = current.state;
          update.event.to_state = *next;
        }
        update.event.public_message = PublicMessageFor(action, *next);
        update.event.is_public = !update.event.public_message.empty();
        if (absl::Status status = fill(current, **reference_data, update); !status.ok()) {
          return status;
        }
        return update;
      });
  if (absl::IsNotFound(changed.status())) return NoSuchComplaint();
  return changed;
}

namespace {

// Runs a staff action and fills the response's complaint.
template <typename Response>
grpc::Status FinishStaffAction(const CallLog& call, const absl::StatusOr<Complaint>& complaint,
                               Response* response) {
  if (complaint.ok()) ToProto(*complaint, Today(), response->mutable_complaint());
  return call.Finish(complaint.status());
}

}  // namespace

grpc::Status ComplaintServiceImpl::VerifyComplaint(grpc::ServerContext* context,
                                                   const v1::VerifyComplaintRequest* request,
                                                   v1::VerifyComplaintResponse* response) {
  const CallLog call(Method::kVerifyComplaint);
  FieldViolations violations;
  const auto note = CheckText("internal_note", request->internal_note(), kNote, violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kVerifyComplaint, Action::kVerify, request->name(),
                       request->etag(), request->request_id(), violations,
                       NoteOnly(note)),
      response);
}

grpc::Status ComplaintServiceImpl::ArchiveComplaint(grpc::ServerContext* context,
                                                    const v1::ArchiveComplaintRequest* request,
                                                    v1::ArchiveComplaintResponse* response) {
  const CallLog call(Method::kArchiveComplaint);
  FieldViolations violations;
  const auto reason =
      CheckText("public_reason", request->public_reason(), kRequiredReason, violations);
  const auto note = CheckText("internal_note", request->internal_note(), kNote, violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(
          *context, Method::kArchiveComplaint, Action::kArchive, request->name(),
          request->etag(), request->request_id(), violations,
          [&](const Complaint& current, const ReferenceSnapshot&, ComplaintUpdate& update) {
            update.event.public_message = absl::StrCat(update.event.public_message, " ", *reason);
            update.event.internal_note = note.value_or("");
            Notify(update, NotificationKind::kArchived, current, *reason);
            return absl::OkStatus();
          }),
      response);
}

grpc::Status ComplaintServiceImpl::RejectComplaint(grpc::ServerContext* context,
                                                   const v1::RejectComplaintRequest* request,
                                                   v1::RejectComplaintResponse* response) {
  const CallLog call(Method::kRejectComplaint);
  FieldViolations violations;
  if (request->reason() == v1::REJECTION_REASON_UNSPECIFIED ||
      !v1::RejectionReason_IsValid(request->reason())) {
    violations.Add("reason", "must be DUPLICATE, MISUSE or INCOMPLETE");
  }
  const auto reason =
      CheckText("public_reason", request->public_reason(), kRequiredReason, violations);
  const auto note = CheckText("internal_note", request->internal_note(), kNote, violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(
          *context, Method::kRejectComplaint, Action::kReject, request->name(), request->etag(),
          request->request_id(), violations,
          [&](const Complaint& current, const ReferenceSnapshot&, ComplaintUpdate& update) {
            if (request->reason() == v1::REJECTION_REASON_INCOMPLETE &&
                !current.clarification_pending) {
              return absl::FailedPreconditionError(
                  "a complaint is rejected as incomplete only while a clarification request "
                  "to the complainant is unanswered; use RequestClarification first");
            }
            update.event.public_message = absl::StrCat(update.event.public_message, " ", *reason);
            update.event.internal_note =
                absl::StrCat("reason: ", v1::RejectionReason_Name(request->reason()),
                             note->empty() ? "" : "\n", *note);
            update.clarification_pending = false;
            update.clarification_question = "";
            Notify(update, NotificationKind::kRejected, current, *reason);
            return absl::OkStatus();
          }),
      response);
}

grpc::Status ComplaintServiceImpl::AssignComplaint(grpc::ServerContext* context,
                                                   const v1::AssignComplaintRequest* request,
                                                   v1::AssignComplaintResponse* response) {
  const CallLog call(Method::kAssignComplaint);
  FieldViolations violations;
  const auto note = CheckText("internal_note", request->internal_note(), kNote, violations);
  std::optional<std::string> unit;
  if (!request->handling_unit().empty()) {
    absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference = cache_.Current();
    if (!reference.ok()) return call.Finish(reference.status());
    unit = KnownUnit("handling_unit", request->handling_unit(), **reference, violations);
  }
  const absl::Time now = absl::Now();
  return FinishStaffAction(
      call,
      ApplyStaffAction(
          *context, Method::kAssignComplaint, Action::kAssign, request->name(), request->etag(),
          request->request_id(), violations,
          [&](const Complaint& current, const ReferenceSnapshot& reference,
              ComplaintUpdate& update) {
            std::string handling_unit;
            if (unit.has_value()) {
              handling_unit = *unit;
            } else if (const auto rule = reference.routing_rules.find(current.category_id);
                       rule != reference.routing_rules.end()) {
              handling_unit = rule->second;
            } else {
              return absl::FailedPreconditionError(absl::StrCat(
                  "category ", current.category_id,
                  " has no routing rule; name the handling_unit"));
            }
            if (handling_unit == current.subject.unit_id) {
              return absl::FailedPreconditionError(
                  "a complaint is never assigned to the unit it is about; name another "
                  "handling_unit");
            }
            update.handling_unit_id = handling_unit;
            update.event.internal_note =
                absl::StrCat("handling unit: ", handling_unit, note->empty() ? "" : "\n", *note);
            // The first disposition starts the result deadline; a disposition
            // after reopening keeps it.
            absl::CivilDay result_due;
            if (current.sp3d_time.has_value() && current.result_due_date.has_value()) {
              result_due = *current.result_due_date;
            } else {
              result_due = reference.calendar.AddWorkingDays(
                  absl::ToCivilDay(now, PaluTimeZone()), kResultWorkingDays);
              update.sp3d_time = now;
              update.result_due_date = result_due;
              update.result_start_date = absl::ToCivilDay(now, PaluTimeZone());
              update.result_due_provisional = FlagProvisionalDeadline(
                  "result", reference.calendar, *update.result_start_date, result_due);
            }
            const auto name = reference.unit_names.find(handling_unit);
            update.notifications.push_back(
                {NotificationKind::kSp3d,
                 NotificationText(
                     NotificationKind::kSp3d,
                     {.reference_number = current.reference_number,
                      .due_date = result_due,
                      .unit_name = name == reference.unit_names.end() ? "" : name->second})});
            return absl::OkStatus();
          }),
      response);
}

grpc::Status ComplaintServiceImpl::StartInvestigation(
    grpc::ServerContext* context, const v1::StartInvestigationRequest* request,
    v1::StartInvestigationResponse* response) {
  const CallLog call(Method::kStartInvestigation);
  FieldViolations violations;
  const auto note = CheckText("internal_note", request->internal_note(), kNote, violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kStartInvestigation, Action::kStartInvestigation,
                       request->name(), request->etag(), request->request_id(), violations,
                       NoteOnly(note)),
      response);
}

grpc::Status ComplaintServiceImpl::RequestClarification(
    grpc::ServerContext* context, const v1::RequestClarificationRequest* request,
    v1::RequestClarificationResponse* response) {
  const CallLog call(Method::kRequestClarification);
  FieldViolations violations;
  const auto question = CheckText("question", request->question(), kRequiredReason, violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(
          *context, Method::kRequestClarification, Action::kRequestClarification,
          request->name(), request->etag(), request->request_id(), violations,
          [&](const Complaint& current, const ReferenceSnapshot&, ComplaintUpdate& update) {
            update.clarification_pending = true;
            update.clarification_question = *question;
            update.event.public_message =
                absl::StrCat(update.event.public_message, " ", *question);
            update.event.is_public = true;
            Notify(update, NotificationKind::kClarificationRequest, current, *question);
            return absl::OkStatus();
          }),
      response);
}

grpc::Status ComplaintServiceImpl::ConcludeComplaint(grpc::ServerContext* context,
                                                     const v1::ConcludeComplaintRequest* request,
                                                     v1::ConcludeComplaintResponse* response) {
  const CallLog call(Method::kConcludeComplaint);
  FieldViolations violations;
  if (request->outcome() == v1::OUTCOME_UNSPECIFIED || !v1::Outcome_IsValid(request->outcome())) {
    violations.Add("outcome", "must be an Outcome other than UNSPECIFIED");
  }
  const auto findings = CheckText(
      "findings", request->findings(),
      {.required = true, .min_chars = 10, .max_chars = 20000, .multi_line = true}, violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kConcludeComplaint, Action::kConclude, request->name(),
                       request->etag(), request->request_id(), violations,
                       [&](const Complaint&, const ReferenceSnapshot&, ComplaintUpdate& update) {
                         update.outcome = request->outcome();
                         update.event.internal_note =
                             absl::StrCat("outcome: ", v1::Outcome_Name(request->outcome()),
                                          "\n", *findings);
                         return absl::OkStatus();
                       }),
      response);
}

grpc::Status ComplaintServiceImpl::AnswerComplaint(grpc::ServerContext* context,
                                                   const v1::AnswerComplaintRequest* request,
                                                   v1::AnswerComplaintResponse* response) {
  const CallLog call(Method::kAnswerComplaint);
  FieldViolations violations;
  const auto answer = CheckText(
      "answer", request->answer(),
      {.required = true, .min_chars = 10, .max_chars = 10000, .multi_line = true}, violations);
  const absl::Time now = absl::Now();
  return FinishStaffAction(
      call,
      ApplyStaffAction(
          *context, Method::kAnswerComplaint, Action::kAnswer, request->name(), request->etag(),
          request->request_id(), violations,
          [&](const Complaint& current, const ReferenceSnapshot&, ComplaintUpdate& update) {
            update.answer_text = *answer;
            update.answer_time = now;
            Notify(update, NotificationKind::kAnswer, current, *answer);
            return absl::OkStatus();
          }),
      response);
}

grpc::Status ComplaintServiceImpl::CloseComplaint(grpc::ServerContext* context,
                                                  const v1::CloseComplaintRequest* request,
                                                  v1::CloseComplaintResponse* response) {
  const CallLog call(Method::kCloseComplaint);
  FieldViolations violations;
  const auto note = CheckText("internal_note", request->internal_note(), kNote, violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(
          *context, Method::kCloseComplaint, Action::kClose, request->name(), request->etag(),
          request->request_id(), violations,
          [&](const Complaint& current, const ReferenceSnapshot&, ComplaintUpdate& update) {
            update.event.internal_note = note.value_or("");
            Notify(update, NotificationKind::kClosure, current);
            return absl::OkStatus();
          }),
      response);
}

grpc::Status ComplaintServiceImpl::ReopenComplaint(grpc::ServerContext* context,
                                                   const v1::ReopenComplaintRequest* request,
                                                   v1::ReopenComplaintResponse* response) {
  const CallLog call(Method::kReopenComplaint);
  FieldViolations violations;
  const auto note =
      CheckText("internal_note", request->internal_note(), kRequiredReason, violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kReopenComplaint, Action::kReopen, request->name(),
                       request->etag(), request->request_id(), violations,
                       [&](const Complaint&, const ReferenceSnapshot&, ComplaintUpdate& update) {
                         update.event.internal_note = *note;
                         return absl::OkStatus();
                       }),
      response);
}

grpc::Status ComplaintServiceImpl::AddComplaintNote(grpc::ServerContext* context,
                                                    const v1::AddComplaintNoteRequest* request,
                                                    v1::AddComplaintNoteResponse* response) {
  const CallLog call(Method::kAddComplaintNote);
  FieldViolations violations;
  const auto text = CheckText("text", request->text(),
                              {.required = true, .min_chars = 1, .max_chars = 5000,
                               .multi_line = true},
                              violations);
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kAddComplaintNote, Action::kAddNote, request->name(),
                       request->etag(), request->request_id(), violations,
                       [&](const Complaint&, const ReferenceSnapshot&, ComplaintUpdate& update) {
                         update.event.is_public = request->public_();
                         if (request->public_()) {
                           update.event.public_message = *text;
                         } else {
                           update.event.public_message.clear();
                           update.event.internal_note = *text;
                         }
                         return absl::OkStatus();
                       }),
      response);
}

// --- The complainant, through the tracking code ------------------------------

absl::StatusOr<TrackedComplaint> ComplaintServiceImpl::ApplyComplainantAction(
    grpc::ServerContext& context, Action action, const std::string& reference_number,
    const std::string& tracking_code, const std::string& request_id,
    FieldViolations& violations, FillChange fill) {
  CheckRequestId(request_id, violations);
  absl::StatusOr<std::pair<std::string, TrackedComplaint>> tracked =
      CheckTracking(context, reference_number, tracking_code, violations);
  if (!tracked.ok()) return tracked.status();
  const std::string& reference = tracked->first;
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference_data = cache_.Current();
  if (!reference_data.ok()) return reference_data.status();

  absl::StatusOr<Complaint> changed = cases_.Mutate(
      reference, /*actor_principal_id=*/0, request_id,
      [&](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
        absl::StatusOr<ComplaintState> next = NextState(current.state, action);
        if (!next.ok()) return next.status();
        ComplaintUpdate update;
        update.state = *next;
        update.event.type = std::string(ActionEventType(action));
        if (*next != current.state) {
          update.event.from_state = current.state;
          update.event.to_state = *next;
        }
        update.event.public_message = PublicMessageFor(action, *next);
        update.event.is_public = !update.event.public_message.empty();
        if (absl::Status status = fill(current, **reference_data, update); !status.ok()) {
          return status;
        }
        return update;
      });
  if (!changed.ok()) return changed.status();
  // The view after the change, timeline included.
  absl::StatusOr<TrackedComplaint> after =
      complaints_.Track(reference, *TrackingCode::Canonicalize(tracking_code));
  return after;
}

grpc::Status ComplaintServiceImpl::RespondToClarification(
    grpc::ServerContext* context, const v1::RespondToClarificationRequest* request,
    v1::RespondToClarificationResponse* response) {
  const CallLog call(Method::kRespondToClarification);
  FieldViolations violations;
  const auto text = CheckText(
      "text", request->text(),
      {.required = true, .min_chars = 1, .max_chars = 5000, .multi_line = true}, violations);
  absl::StatusOr<TrackedComplaint> tracked = ApplyComplainantAction(
      *context, Action::kRespondToClarification, request->reference_number(),
      request->tracking_code(), request->request_id(), violations,
      [&](const Complaint& current, const ReferenceSnapshot&, ComplaintUpdate& update) {
        if (!current.clarification_pending) {
          return absl::FailedPreconditionError(
              "no clarification request is open for this complaint");
        }
        update.clarification_pending = false;
        update.clarification_question = "";
        update.event.internal_note = *text;
        return absl::OkStatus();
      });
  if (tracked.ok()) ToProto(*tracked, response->mutable_complaint());
  return call.Finish(tracked.status());
}

grpc::Status ComplaintServiceImpl::DisputeAnswer(grpc::ServerContext* context,
                                                 const v1::DisputeAnswerRequest* request,
                                                 v1::DisputeAnswerResponse* response) {
  const CallLog call(Method::kDisputeAnswer);
  FieldViolations violations;
  const auto reason = CheckText(
      "reason", request->reason(),
      {.required = true, .min_chars = 10, .max_chars = 5000, .multi_line = true}, violations);
  absl::StatusOr<TrackedComplaint> tracked = ApplyComplainantAction(
      *context, Action::kDispute, request->reference_number(), request->tracking_code(),
      request->request_id(), violations, [&](const Complaint&, const ReferenceSnapshot&, ComplaintUpdate& update) {
        update.event.internal_note = *reason;
        return absl::OkStatus();
      });
  if (tracked.ok()) ToProto(*tracked, response->mutable_complaint());
  return call.Finish(tracked.status());
}

grpc::Status ComplaintServiceImpl::RateComplaintHandling(
    grpc::ServerContext* context, const v1::RateComplaintHandlingRequest* request,
    v1::RateComplaintHandlingResponse* response) {
  const CallLog call(Method::kRateComplaintHandling);
  FieldViolations violations;
  if (request->rating() < 1 || request->rating() > 5) {
    violations.Add("rating", "must be 1 (poor) to 5 (excellent)");
  }
  const auto comment = CheckText("comment", request->comment(),
                                 {.max_chars = 2000, .multi_line = true}, violations);
  absl::StatusOr<TrackedComplaint> tracked = ApplyComplainantAction(
      *context, Action::kRate, request->reference_number(), request->tracking_code(),
      request->request_id(), violations, [&](const Complaint&, const ReferenceSnapshot&, ComplaintUpdate& update) {
        update.satisfaction_rating = request->rating();
        update.event.internal_note =
            absl::StrCat("rating: ", request->rating(), comment->empty() ? "" : "\n", *comment);
        return absl::OkStatus();
      });
  if (tracked.ok()) ToProto(*tracked, response->mutable_complaint());
  return call.Finish(tracked.status());
}

}  // namespace dumas
