#include "server/complaint_service.h"

#include <sodium.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
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
#include "server/rpc_support.h"
#include "server/status_mapping.h"

namespace dumas {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 100;

ComplaintScope ScopeOf(const Complaint& complaint) {
  return ComplaintScope{complaint.handling_unit_id, complaint.subject.unit_id,
                        complaint.confidential};
}

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

// Lists one page of a keyset-paged collection into `add`.
template <typename Row, typename ListFn, typename AddFn>
absl::Status ListPage(absl::string_view collection, int32_t page_size,
                      const std::string& page_token, ListFn list, AddFn add,
                      std::string* next_page_token) {
  absl::StatusOr<int> size = PageSize(page_size, kDefaultPageSize, kMaxPageSize);
  if (!size.ok()) return size.status();
  absl::StatusOr<std::string> after = DecodePageToken(collection, page_token);
  if (!after.ok()) return after.status();
  // One extra row tells whether another page follows.
  absl::StatusOr<std::vector<Row>> rows = list(*after, *size + 1);
  if (!rows.ok()) return rows.status();
  const bool more = static_cast<int>(rows->size()) > *size;
  if (more) rows->resize(*size);
  for (const Row& row : *rows) add(row);
  if (more) *next_page_token = EncodePageToken(collection, rows->back().id);
  return absl::OkStatus();
}

}  // namespace

ComplaintServiceImpl::ComplaintServiceImpl(ComplaintStore& complaints, CaseStore& cases,
                                           ReferenceDataStore& reference_data,
                                           ReferenceDataCache& cache,
                                           Authenticator& authenticator,
                                           TrackThrottle::Options throttle)
    : complaints_(complaints),
      cases_(cases),
      reference_data_(reference_data),
      cache_(cache),
      authenticator_(authenticator),
      throttle_(throttle) {}

grpc::Status ComplaintServiceImpl::SubmitComplaint(grpc::ServerContext* context,
                                                   const v1::SubmitComplaintRequest* request,
                                                   v1::SubmitComplaintResponse* response) {
  const CallLog call(Method::kSubmitComplaint);
  return call.Finish(Submit(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::Submit(grpc::ServerContext& context,
                                          const v1::SubmitComplaintRequest& request,
                                          v1::SubmitComplaintResponse& response) {
  absl::StatusOr<std::optional<Principal>> principal =
      authenticator_.Authorize(context, Method::kSubmitComplaint);
  if (!principal.ok()) return principal.status();

  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference = cache_.Current();
  if (!reference.ok()) return reference.status();

  const absl::Time now = absl::Now();
  FieldViolations violations;
  CheckRequestId(request.request_id(), violations);
  std::optional<ComplaintDraft> draft;
  if (!request.has_complaint()) {
    violations.Add("complaint", "is required");
  } else {
    const KnownIds known{&(*reference)->category_ids, &(*reference)->unit_ids};
    draft = ValidateSubmission(SubmissionFromProto(request.complaint()), "complaint.", now,
                               known, violations);
  }
  if (!violations.empty()) return violations.ToStatus();

  NewComplaint complaint;
  complaint.draft = *std::move(draft);
  complaint.tracking_code = TrackingCode::Generate();
  complaint.sp3d_due_date = (*reference)->calendar.AddWorkingDays(
      absl::ToCivilDay(now, PaluTimeZone()), kSp3dWorkingDays);
  complaint.sp3d_due_provisional =
      FlagProvisionalDeadline("sp3d", (*reference)->calendar,
                              absl::ToCivilDay(now, PaluTimeZone()), complaint.sp3d_due_date);
  complaint.submitted_by = (*principal)->id;
  complaint.receipt_text = [code = complaint.tracking_code,
                            due = complaint.sp3d_due_date](const std::string& reference) {
    return NotificationText(NotificationKind::kReceipt,
                            {.reference_number = reference, .tracking_code = code,
                             .due_date = due});
  };
  complaint.request_id = absl::AsciiStrToLower(request.request_id());
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
  const CallLog call(Method::kTrackComplaint);
  return call.Finish(Track(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::Track(grpc::ServerContext& context,
                                         const v1::TrackComplaintRequest& request,
                                         v1::TrackComplaintResponse& response) {
  FieldViolations violations;
  absl::StatusOr<std::pair<std::string, TrackedComplaint>> tracked = CheckTracking(
      context, request.reference_number(), request.tracking_code(), violations);
  if (!tracked.ok()) return tracked.status();
  ToProto(tracked->second, response.mutable_complaint());
  return absl::OkStatus();
}

absl::StatusOr<std::pair<std::string, TrackedComplaint>> ComplaintServiceImpl::CheckTracking(
    grpc::ServerContext& context, const std::string& reference_number,
    const std::string& tracking_code, FieldViolations& violations) {
  const std::optional<std::string> reference = ReferenceNumber::Canonicalize(reference_number);
  if (reference_number.empty()) {
    violations.Add("reference_number", "is required");
  } else if (!reference.has_value()) {
    violations.Add("reference_number",
                   "is not a valid reference number: 12 letters and digits without 0, O, "
                   "1, I or L, such as K7QM-4R9X-2HTZ; check it for a typo");
  }
  const std::optional<std::string> code = TrackingCode::Canonicalize(tracking_code);
  if (tracking_code.empty()) {
    violations.Add("tracking_code", "is required");
  } else if (!code.has_value()) {
    violations.Add("tracking_code",
                   "is not a valid tracking code: 14 letters and digits without 0, O, 1, "
                   "I or L, as given at submission");
  }
  if (!violations.empty()) return violations.ToStatus();

  const std::string caller = CallerAddress(context);
  if (!throttle_.Allowed(caller, *reference, absl::Now())) {
    return absl::ResourceExhaustedError(
        "too many failed tracking attempts; wait 15 minutes before trying again");
  }
  absl::StatusOr<TrackedComplaint> tracked = complaints_.Track(*reference, *code);
  if (absl::IsNotFound(tracked.status())) {
    throttle_.RecordFailure(caller, *reference, absl::Now());
    return absl::NotFoundError("no complaint matches this reference number and tracking code");
  }
  if (!tracked.ok()) return tracked.status();
  return std::make_pair(*reference, *std::move(tracked));
}

grpc::Status ComplaintServiceImpl::GetComplaint(grpc::ServerContext* context,
                                                const v1::GetComplaintRequest* request,
                                                v1::GetComplaintResponse* response) {
  const CallLog call(Method::kGetComplaint);
  return call.Finish(Get(*context, *request, *response));
}

absl::Status ComplaintServiceImpl::Get(grpc::ServerContext& context,
                                       const v1::GetComplaintRequest& request,
                                       v1::GetComplaintResponse& response) {
  absl::StatusOr<std::optional<Principal>> principal =
      authenticator_.Authorize(context, Method::kGetComplaint);
  if (!principal.ok()) return principal.status();
  const Principal& reader = **principal;

  absl::StatusOr<std::string> reference = ComplaintReference("name", request.name());
  if (!reference.ok()) return reference.status();
  if (!v1::ComplaintView_IsValid(request.view())) {
    return InvalidField("view", "is not a ComplaintView value");
  }
  // Authorization needs the complaint's units, so read it first without the
  // identity; only a permitted FULL read decrypts and records the identity.
  absl::StatusOr<Complaint> complaint = complaints_.Get(*reference, false, reader);
  if (absl::IsNotFound(complaint.status())) return absl::NotFoundError("no such complaint");
  if (!complaint.ok()) return complaint.status();
  const ComplaintScope scope = ScopeOf(*complaint);
  if (!MayRead(reader, scope)) return absl::NotFoundError("no such complaint");
  if (request.view() == v1::COMPLAINT_VIEW_FULL && MayReadIdentity(reader, scope)) {
    complaint = complaints_.Get(*reference, true, reader);
    if (!complaint.ok()) return complaint.status();
  }
  ToProto(*complaint, absl::ToCivilDay(absl::Now(), PaluTimeZone()),
          response.mutable_complaint());
  return absl::OkStatus();
}

grpc::Status ComplaintServiceImpl::ListCategories(grpc::ServerContext* context,
                                                  const v1::ListCategoriesRequest* request,
                                                  v1::ListCategoriesResponse* response) {
  const CallLog call(Method::kListCategories);
  absl::StatusOr<std::optional<Principal>> principal =
      authenticator_.Authorize(*context, Method::kListCategories);
  if (!principal.ok()) return call.Finish(principal.status());
  return call.Finish(ListPage<Category>(
      "categories", request->page_size(), request->page_token(),
      [this](const std::string& after, int limit) {
        return reference_data_.ListCategories(after, limit);
      },
      [response](const Category& row) { ToProto(row, response->add_categories()); },
      response->mutable_next_page_token()));
}

grpc::Status ComplaintServiceImpl::ListUnits(grpc::ServerContext* context,
                                             const v1::ListUnitsRequest* request,
                                             v1::ListUnitsResponse* response) {
  const CallLog call(Method::kListUnits);
  absl::StatusOr<std::optional<Principal>> principal =
      authenticator_.Authorize(*context, Method::kListUnits);
  if (!principal.ok()) return call.Finish(principal.status());
  return call.Finish(ListPage<Unit>(
      "units", request->page_size(), request->page_token(),
      [this](const std::string& after, int limit) {
        return reference_data_.ListUnits(after, limit);
      },
      [response](const Unit& row) { ToProto(row, response->add_units()); },
      response->mutable_next_page_token()));
}

}  // namespace dumas
