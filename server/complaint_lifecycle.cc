// ComplaintService: listing and case handling (PRODUCT.md, "Lifecycle").
// The handlers parse and validate their fields into an ActionInput; every
// change then runs through ApplyStaffAction or ApplyComplainantAction, where
// the domain (domain/case_action.h) decides on the locked row and the store
// writes the change, its event and its notifications in one transaction.
#include <sodium.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/complaint_service.h"
#include "domain/case_action.h"
#include "server/deadline_recomputer.h"
#include "domain/complaint_validation.h"
#include "domain/reference_number.h"
#include "domain/working_day_calendar.h"
#include "server/proto_convert.h"
#include "server/rpc_support.h"

namespace dumas {
namespace {

constexpr PageLimits kComplaintPages{.default_size = 50, .max_size = 200};
constexpr PageLimits kEventPages{.default_size = 100, .max_size = 500};

constexpr TextLimits kNote{.max_chars = 2000, .multi_line = true};
constexpr TextLimits kRequiredReason{
    .required = true, .min_chars = 10, .max_chars = 2000, .multi_line = true};

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), PaluTimeZone()); }


absl::Status NoSuchComplaint() { return absl::NotFoundError("no such complaint"); }

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


}  // namespace

// --- Listing ---------------------------------------------------------------

grpc::Status ComplaintServiceImpl::ListComplaints(grpc::ServerContext* context,
                                                  const v1::ListComplaintsRequest* request,
                                                  v1::ListComplaintsResponse* response) {
  const CallLog call(Method::kListComplaints, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(List(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::List(grpc::ServerContext& context,
                                        const v1::ListComplaintsRequest& request,
                                        v1::ListComplaintsResponse& response) {
  absl::StatusOr<Principal> principal = authenticator_.Authorize(context, Method::kListComplaints);
  if (!principal.ok()) return principal.status();
  const Principal& reader = *principal;

  FieldViolations violations;
  ComplaintListQuery query;
  query.states.assign(request.states().begin(), request.states().end());
  query.category = request.category();
  query.channel = request.channel();
  query.handling_unit = request.handling_unit();
  query.subject_unit = request.subject_unit();
  if (request.has_received_after()) query.received_after = FromProto(request.received_after());
  if (request.has_received_before()) query.received_before = FromProto(request.received_before());
  query.overdue = request.overdue();
  std::optional<ComplaintFilter> filter = ParseComplaintFilter(query, Today(), violations);
  v1::ListComplaintsRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  const std::string scope = absl::StrCat("complaints:", FilterDigest(filters));
  const std::optional<PageRequest> page =
      ParsePage(scope, request.page_size(), request.page_token(), kComplaintPages, violations);
  std::optional<ComplaintCursor> after;
  if (page.has_value() && !page->after.empty()) {
    after = ParseComplaintCursor(page->after);
    if (!after.has_value()) {
      violations.Add("page_token", "is not a page token returned by this method");
    }
  }
  if (!violations.empty()) return violations.ToStatus();

  // The caller's scope: a unit sees its own cases; nobody sees complaints
  // about their own unit.
  if (reader.role == Role::kUnit) {
    if (reader.unit_id.empty()) return absl::OkStatus();  // a unit principal without a unit
    filter->scope_handling_unit_id = reader.unit_id;
  }
  filter->scope_exclude_subject_unit_id = reader.unit_id;

  absl::StatusOr<std::vector<ListedComplaint>> rows = ListPage<ListedComplaint>(
      scope, *page,
      [&](const std::string&, int limit) { return cases_.ListComplaints(*filter, after, limit); },
      [](const ListedComplaint& row) { return ComplaintCursorText(row.cursor); },
      response.mutable_next_page_token());
  if (!rows.ok()) return rows.status();
  for (const ListedComplaint& row : *rows) {
    ToProto(row.complaint, filter->today, response.add_complaints());
  }
  return absl::OkStatus();
}

grpc::Status ComplaintServiceImpl::ListComplaintEvents(
    grpc::ServerContext* context, const v1::ListComplaintEventsRequest* request,
    v1::ListComplaintEventsResponse* response) {
  const CallLog call(Method::kListComplaintEvents, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(ListEvents(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::ListEvents(grpc::ServerContext& context,
                                              const v1::ListComplaintEventsRequest& request,
                                              v1::ListComplaintEventsResponse& response) {
  absl::StatusOr<Principal> reader =
      authenticator_.Authorize(context, Method::kListComplaintEvents);
  if (!reader.ok()) return reader.status();
  absl::StatusOr<std::string> reference = ComplaintReference("parent", request.parent());
  if (!reference.ok()) return reference.status();
  const std::string scope = absl::StrCat("events:", *reference);
  FieldViolations violations;
  const std::optional<PageRequest> page =
      ParsePage(scope, request.page_size(), request.page_token(), kEventPages, violations);
  int64_t after_id = 0;
  if (page.has_value() && !page->after.empty()) {
    if (const std::optional<int64_t> id = ParseIdCursor(page->after)) {
      after_id = *id;
    } else {
      violations.Add("page_token", "is not a page token returned by this method");
    }
  }
  if (!violations.empty()) return violations.ToStatus();

  absl::StatusOr<Complaint> complaint =
      complaints_.Get(*reference, *reader, /*want_identity=*/false, [&](const Complaint& row) {
        return MayRead(*reader, ScopeOf(row)) ? ReadAccess::kBasic : ReadAccess::kNone;
      });
  if (absl::IsNotFound(complaint.status())) return NoSuchComplaint();
  if (!complaint.ok()) return complaint.status();

  absl::StatusOr<std::vector<ComplaintEventRecord>> events = ListPage<ComplaintEventRecord>(
      scope, *page,
      [&](const std::string&, int limit) { return cases_.ListEvents(*reference, after_id, limit); },
      [](const ComplaintEventRecord& event) { return IdCursor(event.id); },
      response.mutable_next_page_token());
  if (!events.ok()) return events.status();
  for (const ComplaintEventRecord& event : *events) {
    ToProto(event, *reference, response.add_events());
  }
  return absl::OkStatus();
}

// --- Staff actions -----------------------------------------------------------

absl::StatusOr<Complaint> ComplaintServiceImpl::ApplyStaffAction(
    grpc::ServerContext& context, Method method, Action action, const std::string& name,
    const std::string& etag, const google::protobuf::Message& request,
    const std::string& raw_request_id, FieldViolations& violations, ActionInput input) {
  absl::StatusOr<Principal> actor = authenticator_.Authorize(context, method);
  if (!actor.ok()) return actor.status();

  absl::StatusOr<std::string> reference = ComplaintReference("name", name);
  if (!reference.ok()) violations.Add("name", "must be complaints/{reference_number}");
  if (etag.empty()) violations.Add("etag", "is required: the etag of the complaint as last read");
  ChangeRequest change;
  change.actor_principal_id = actor->id;
  change.request_id = CheckRequestId(raw_request_id, violations);
  if (!violations.empty()) return violations.ToStatus();
  if (!change.request_id.empty()) change.fingerprint = RequestDigest(method, request);
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference_data = cache_.Current();
  if (!reference_data.ok()) return reference_data.status();
  const CaseContext case_context{absl::Now(), (*reference_data)->calendar,
                                 (*reference_data)->routing_rules, (*reference_data)->unit_names};

  absl::StatusOr<Complaint> changed = cases_.Mutate(
      *reference, change,
      [&](const Complaint& current) {
        return MayRead(*actor, ScopeOf(current)) ? absl::OkStatus() : NoSuchComplaint();
      },
      [&](const Complaint& current) {
        return PlanStaffAction(*actor, action, current, etag, input, case_context);
      });
  if (absl::IsNotFound(changed.status())) return NoSuchComplaint();
  // A result deadline that reaches into a year without holidays is logged,
  // so that the year gets loaded.
  if (changed.ok() && (action == Action::kAssign || action == Action::kStartInvestigation) &&
      changed->result_due_provisional && changed->result_start_date.has_value() &&
      changed->result_due_date.has_value()) {
    FlagProvisionalDeadline("result", (*reference_data)->calendar, *changed->result_start_date,
                            *changed->result_due_date);
  }
  return changed;
}

namespace {

// Answers a staff action with the complaint after it.
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
  const CallLog call(Method::kVerifyComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.internal_note = CheckText("internal_note", request->internal_note(), kNote, violations)
                            .value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kVerifyComplaint, Action::kVerify, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::ArchiveComplaint(grpc::ServerContext* context,
                                                    const v1::ArchiveComplaintRequest* request,
                                                    v1::ArchiveComplaintResponse* response) {
  const CallLog call(Method::kArchiveComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.public_reason =
      CheckText("public_reason", request->public_reason(), kRequiredReason, violations)
          .value_or("");
  input.internal_note = CheckText("internal_note", request->internal_note(), kNote, violations)
                            .value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kArchiveComplaint, Action::kArchive, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::RejectComplaint(grpc::ServerContext* context,
                                                   const v1::RejectComplaintRequest* request,
                                                   v1::RejectComplaintResponse* response) {
  const CallLog call(Method::kRejectComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  if (request->reason() == v1::REJECTION_REASON_UNSPECIFIED ||
      !v1::RejectionReason_IsValid(request->reason())) {
    violations.Add("reason", "must be DUPLICATE, MISUSE or INCOMPLETE");
  } else {
    input.rejection_reason = static_cast<RejectionReason>(request->reason());
  }
  input.public_reason =
      CheckText("public_reason", request->public_reason(), kRequiredReason, violations)
          .value_or("");
  input.internal_note = CheckText("internal_note", request->internal_note(), kNote, violations)
                            .value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kRejectComplaint, Action::kReject, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::AssignComplaint(grpc::ServerContext* context,
                                                   const v1::AssignComplaintRequest* request,
                                                   v1::AssignComplaintResponse* response) {
  const CallLog call(Method::kAssignComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.internal_note = CheckText("internal_note", request->internal_note(), kNote, violations)
                            .value_or("");
  if (!request->handling_unit().empty()) {
    absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference = cache_.Current();
    if (!reference.ok()) return call.Finish(reference.status());
    input.handling_unit_id =
        KnownUnit("handling_unit", request->handling_unit(), **reference, violations)
            .value_or("");
  }
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kAssignComplaint, Action::kAssign, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::StartInvestigation(
    grpc::ServerContext* context, const v1::StartInvestigationRequest* request,
    v1::StartInvestigationResponse* response) {
  const CallLog call(Method::kStartInvestigation, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.internal_note = CheckText("internal_note", request->internal_note(), kNote, violations)
                            .value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kStartInvestigation, Action::kStartInvestigation,
                       request->name(), request->etag(), *request, request->request_id(),
                       violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::RequestClarification(
    grpc::ServerContext* context, const v1::RequestClarificationRequest* request,
    v1::RequestClarificationResponse* response) {
  const CallLog call(Method::kRequestClarification, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.question =
      CheckText("question", request->question(), kRequiredReason, violations).value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kRequestClarification, Action::kRequestClarification,
                       request->name(), request->etag(), *request, request->request_id(),
                       violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::ConcludeComplaint(grpc::ServerContext* context,
                                                     const v1::ConcludeComplaintRequest* request,
                                                     v1::ConcludeComplaintResponse* response) {
  const CallLog call(Method::kConcludeComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  if (request->outcome() == v1::OUTCOME_UNSPECIFIED || !v1::Outcome_IsValid(request->outcome())) {
    violations.Add("outcome", "must be an Outcome other than UNSPECIFIED");
  } else {
    input.outcome = static_cast<Outcome>(request->outcome());
  }
  input.findings =
      CheckText("findings", request->findings(),
                {.required = true, .min_chars = 10, .max_chars = 20000, .multi_line = true},
                violations)
          .value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kConcludeComplaint, Action::kConclude, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::AnswerComplaint(grpc::ServerContext* context,
                                                   const v1::AnswerComplaintRequest* request,
                                                   v1::AnswerComplaintResponse* response) {
  const CallLog call(Method::kAnswerComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.answer =
      CheckText("answer", request->answer(),
                {.required = true, .min_chars = 10, .max_chars = 10000, .multi_line = true},
                violations)
          .value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kAnswerComplaint, Action::kAnswer, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::CloseComplaint(grpc::ServerContext* context,
                                                  const v1::CloseComplaintRequest* request,
                                                  v1::CloseComplaintResponse* response) {
  const CallLog call(Method::kCloseComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.internal_note = CheckText("internal_note", request->internal_note(), kNote, violations)
                            .value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kCloseComplaint, Action::kClose, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::ReopenComplaint(grpc::ServerContext* context,
                                                   const v1::ReopenComplaintRequest* request,
                                                   v1::ReopenComplaintResponse* response) {
  const CallLog call(Method::kReopenComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.internal_note =
      CheckText("internal_note", request->internal_note(), kRequiredReason, violations)
          .value_or("");
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kReopenComplaint, Action::kReopen, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

grpc::Status ComplaintServiceImpl::AddComplaintNote(grpc::ServerContext* context,
                                                    const v1::AddComplaintNoteRequest* request,
                                                    v1::AddComplaintNoteResponse* response) {
  const CallLog call(Method::kAddComplaintNote, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.text = CheckText("text", request->text(),
                         {.required = true, .min_chars = 1, .max_chars = 5000, .multi_line = true},
                         violations)
                   .value_or("");
  input.text_public = request->public_();
  return FinishStaffAction(
      call,
      ApplyStaffAction(*context, Method::kAddComplaintNote, Action::kAddNote, request->name(),
                       request->etag(), *request, request->request_id(), violations, input),
      response);
}

// --- The complainant, through the tracking code ------------------------------

absl::StatusOr<TrackedComplaint> ComplaintServiceImpl::ApplyComplainantAction(
    grpc::ServerContext& context, Method method, Action action,
    const std::string& reference_number, const std::string& tracking_code,
    const google::protobuf::Message& request, const std::string& raw_request_id,
    FieldViolations& violations, ActionInput input) {
  ChangeRequest change;  // actor 0: the complainant
  change.request_id = CheckRequestId(raw_request_id, violations);
  absl::StatusOr<std::pair<std::string, TrackedComplaint>> tracked =
      tracking_.Check(context, reference_number, tracking_code, violations);
  if (!tracked.ok()) return tracked.status();
  if (!change.request_id.empty()) change.fingerprint = RequestDigest(method, request);
  const std::string& reference = tracked->first;
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference_data = cache_.Current();
  if (!reference_data.ok()) return reference_data.status();
  const CaseContext case_context{absl::Now(), (*reference_data)->calendar,
                                 (*reference_data)->routing_rules, (*reference_data)->unit_names};

  absl::StatusOr<Complaint> changed = cases_.Mutate(
      reference, change,
      // The tracking code was checked: the complainant sees their complaint.
      [](const Complaint&) { return absl::OkStatus(); },
      [&](const Complaint& current) {
        return PlanComplainantAction(action, current, input, case_context);
      });
  if (!changed.ok()) return changed.status();
  // The view after the change, timeline included.
  return complaints_.Track(reference, *TrackingCode::Canonicalize(tracking_code));
}

grpc::Status ComplaintServiceImpl::RespondToClarification(
    grpc::ServerContext* context, const v1::RespondToClarificationRequest* request,
    v1::RespondToClarificationResponse* response) {
  const CallLog call(Method::kRespondToClarification, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.text = CheckText("text", request->text(),
                         {.required = true, .min_chars = 1, .max_chars = 5000, .multi_line = true},
                         violations)
                   .value_or("");
  absl::StatusOr<TrackedComplaint> tracked = ApplyComplainantAction(
      *context, Method::kRespondToClarification, Action::kRespondToClarification,
      request->reference_number(), request->tracking_code(), *request, request->request_id(),
      violations, input);
  if (tracked.ok()) ToProto(*tracked, response->mutable_complaint());
  return call.Finish(tracked.status());
}

grpc::Status ComplaintServiceImpl::DisputeAnswer(grpc::ServerContext* context,
                                                 const v1::DisputeAnswerRequest* request,
                                                 v1::DisputeAnswerResponse* response) {
  const CallLog call(Method::kDisputeAnswer, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  input.text = CheckText("reason", request->reason(),
                         {.required = true, .min_chars = 10, .max_chars = 5000, .multi_line = true},
                         violations)
                   .value_or("");
  absl::StatusOr<TrackedComplaint> tracked = ApplyComplainantAction(
      *context, Method::kDisputeAnswer, Action::kDispute, request->reference_number(),
      request->tracking_code(), *request, request->request_id(), violations, input);
  if (tracked.ok()) ToProto(*tracked, response->mutable_complaint());
  return call.Finish(tracked.status());
}

grpc::Status ComplaintServiceImpl::RateComplaintHandling(
    grpc::ServerContext* context, const v1::RateComplaintHandlingRequest* request,
    v1::RateComplaintHandlingResponse* response) {
  const CallLog call(Method::kRateComplaintHandling, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  ActionInput input;
  if (request->rating() < 1 || request->rating() > 5) {
    violations.Add("rating", "must be 1 (poor) to 5 (excellent)");
  }
  input.rating = request->rating();
  input.comment = CheckText("comment", request->comment(), {.max_chars = 2000, .multi_line = true},
                            violations)
                      .value_or("");
  absl::StatusOr<TrackedComplaint> tracked = ApplyComplainantAction(
      *context, Method::kRateComplaintHandling, Action::kRate, request->reference_number(),
      request->tracking_code(), *request, request->request_id(), violations, input);
  if (tracked.ok()) ToProto(*tracked, response->mutable_complaint());
  return call.Finish(tracked.status());
}

}  // namespace dumas
