#include "server/complaint_service.h"

#include <sodium.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "domain/complaint_validation.h"
#include "domain/field_violations.h"
#include "domain/lifecycle.h"
#include "domain/notification_text.h"
#include "domain/reference_number.h"
#include "domain/working_day_calendar.h"
#include "server/deadline_recomputer.h"
#include "server/log.h"
#include "server/proto_convert.h"
#include "server/registration.h"
#include "server/rpc_support.h"
#include "server/status_mapping.h"

namespace dumas {
namespace {

constexpr PageLimits kReferenceDataPages{.default_size = 50, .max_size = 100};


// A digest of the request's complaint, to tell a retry from a different
// request under the same request_id.
std::string Fingerprint(const v1::Complaint& complaint) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    complaint.SerializeToCodedStream(&coded);
  }
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     nullptr, 0);
  sodium_memzero(bytes.data(), bytes.size());
  return digest;
}

}  // namespace

ComplaintServiceImpl::ComplaintServiceImpl(ComplaintStore& complaints, CaseStore& cases,
                                           ReferenceDataStore& reference_data,
                                           ReferenceDataCache& cache,
                                           Authenticator& authenticator, CallAdmission& admission,
                                           TrackingGate& tracking)
    : complaints_(complaints),
      cases_(cases),
      reference_data_(reference_data),
      cache_(cache),
      authenticator_(authenticator),
      admission_(admission),
      tracking_(tracking) {}

grpc::Status ComplaintServiceImpl::SubmitComplaint(grpc::ServerContext* context,
                                                   const v1::SubmitComplaintRequest* request,
                                                   v1::SubmitComplaintResponse* response) {
  const CallLog call(Method::kSubmitComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(Submit(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::Submit(grpc::ServerContext& context,
                                          const v1::SubmitComplaintRequest& request,
                                          v1::SubmitComplaintResponse& response) {
  absl::StatusOr<Principal> principal = authenticator_.Authorize(context, Method::kSubmitComplaint);
  if (!principal.ok()) return principal.status();

  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference = cache_.Current();
  if (!reference.ok()) return reference.status();

  const absl::Time now = absl::Now();
  FieldViolations violations;
  const std::string request_id = CheckRequestId(request.request_id(), violations);
  std::optional<ComplaintDraft> draft =
      ValidateComplaint(request.has_complaint() ? &request.complaint() : nullptr, "complaint.",
                        **reference, now, violations);
  if (!violations.empty()) return violations.ToStatus();
  // A gateway speaks for the channels it serves only.
  if (principal->role == Role::kGateway && !principal->channels.contains(draft->channel)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "this gateway serves ", principal->channels.empty() ? "no channel" : principal->channels.Names(),
        ", not ", ChannelName(draft->channel)));
  }

  NewComplaint complaint = NewRegistration(*std::move(draft), **reference, now, principal->id);
  complaint.request_id = request_id;
  if (!complaint.request_id.empty()) {
    complaint.request_fingerprint = Fingerprint(request.complaint());
  }

  absl::StatusOr<SubmittedComplaint> submitted =
      complaints_.Submit(complaint, [] { return ReferenceNumber::Generate(); });
  if (absl::IsAlreadyExists(submitted.status())) {
    return absl::AlreadyExistsError(
        "request_id was already used for a different request; use a new request_id");
  }
  if (!submitted.ok()) return submitted.status();

  response.set_reference_number(submitted->complaint.reference_number);
  response.set_tracking_code(submitted->tracking_code);
  ToProto(submitted->complaint, absl::ToCivilDay(now, PaluTimeZone()),
          response.mutable_complaint());
  return absl::OkStatus();
}

grpc::Status ComplaintServiceImpl::TrackComplaint(grpc::ServerContext* context,
                                                  const v1::TrackComplaintRequest* request,
                                                  v1::TrackComplaintResponse* response) {
  const CallLog call(Method::kTrackComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(Track(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::Track(grpc::ServerContext& context,
                                         const v1::TrackComplaintRequest& request,
                                         v1::TrackComplaintResponse& response) {
  FieldViolations violations;
  absl::StatusOr<std::pair<std::string, TrackedComplaint>> tracked = tracking_.Check(
      context, request.reference_number(), request.tracking_code(), violations);
  if (!tracked.ok()) return tracked.status();
  ToProto(tracked->second, response.mutable_complaint());
  return absl::OkStatus();
}

grpc::Status ComplaintServiceImpl::GetComplaint(grpc::ServerContext* context,
                                                const v1::GetComplaintRequest* request,
                                                v1::GetComplaintResponse* response) {
  const CallLog call(Method::kGetComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(Get(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::Get(grpc::ServerContext& context,
                                       const v1::GetComplaintRequest& request,
                                       v1::GetComplaintResponse& response) {
  absl::StatusOr<Principal> reader = authenticator_.Authorize(context, Method::kGetComplaint);
  if (!reader.ok()) return reader.status();

  absl::StatusOr<std::string> reference = ComplaintReference("name", request.name());
  if (!reference.ok()) return reference.status();
  if (!v1::ComplaintView_IsValid(request.view())) {
    return InvalidField("view", "is not a ComplaintView value");
  }
  // Authorization and decryption decide on one read: only a permitted FULL
  // read decrypts the identity, and records it.
  absl::StatusOr<Complaint> complaint = complaints_.Get(
      *reference, *reader, request.view() == v1::COMPLAINT_VIEW_FULL,
      [&](const Complaint& row) {
        const ComplaintScope scope = ScopeOf(row);
        if (!MayRead(*reader, scope)) return ReadAccess::kNone;
        return MayReadIdentity(*reader, scope) ? ReadAccess::kWithIdentity : ReadAccess::kBasic;
      });
  if (absl::IsNotFound(complaint.status())) return absl::NotFoundError("no such complaint");
  if (!complaint.ok()) return complaint.status();
  ToProto(*complaint, absl::ToCivilDay(absl::Now(), PaluTimeZone()),
          response.mutable_complaint());
  return absl::OkStatus();
}

grpc::Status ComplaintServiceImpl::ListCategories(grpc::ServerContext* context,
                                                  const v1::ListCategoriesRequest* request,
                                                  v1::ListCategoriesResponse* response) {
  const CallLog call(Method::kListCategories, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  const std::optional<PageRequest> page = ParsePage(
      "categories", request->page_size(), request->page_token(), kReferenceDataPages, violations);
  if (!page.has_value()) return call.Finish(violations.ToStatus());
  absl::StatusOr<std::vector<Category>> rows = ListPage<Category>(
      "categories", *page,
      [this](const std::string& after, int limit) {
        return reference_data_.ListCategories(after, limit);
      },
      [](const Category& row) { return row.id; }, response->mutable_next_page_token());
  if (rows.ok()) {
    for (const Category& row : *rows) ToProto(row, response->add_categories());
  }
  return call.Finish(rows.status());
}

grpc::Status ComplaintServiceImpl::ListUnits(grpc::ServerContext* context,
                                             const v1::ListUnitsRequest* request,
                                             v1::ListUnitsResponse* response) {
  const CallLog call(Method::kListUnits, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  const std::optional<PageRequest> page = ParsePage(
      "units", request->page_size(), request->page_token(), kReferenceDataPages, violations);
  if (!page.has_value()) return call.Finish(violations.ToStatus());
  absl::StatusOr<std::vector<Unit>> rows = ListPage<Unit>(
      "units", *page,
      [this](const std::string& after, int limit) {
        return reference_data_.ListUnits(after, limit);
      },
      [](const Unit& row) { return row.id; }, response->mutable_next_page_token());
  if (rows.ok()) {
    for (const Unit& row : *rows) ToProto(row, response->add_units());
  }
  return call.Finish(rows.status());
}

}  // namespace dumas
