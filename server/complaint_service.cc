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

// The metadata in which a GATEWAY states the end client's IP address.
constexpr char kEndClientMetadata[] = "dumas-end-client-ip";


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

// The end client's IP address as a gateway states it; empty when it does not.
std::string StatedEndClient(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(kEndClientMetadata);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

ComplaintServiceImpl::ComplaintServiceImpl(ComplaintStore& complaints, CaseStore& cases,
                                           ReferenceDataStore& reference_data,
                                           TrackThrottleStore& throttle,
                                           ReferenceDataCache& cache,
                                           Authenticator& authenticator, CallAdmission& admission,
                                           TrackThrottlePolicy throttle_policy)
    : complaints_(complaints),
      cases_(cases),
      reference_data_(reference_data),
      cache_(cache),
      throttle_(throttle),
      authenticator_(authenticator), admission_(admission),
      throttle_policy_(throttle_policy) {}

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

  // Whose attempt it is: a gateway may speak for the citizen behind it.
  absl::StatusOr<std::optional<Principal>> caller = authenticator_.Identify(context);
  if (!caller.ok()) return caller.status();
  TrackCaller who;
  who.peer_address = PeerAddress(context);
  if (caller->has_value() && (*caller)->role == Role::kGateway) {
    who.gateway_id = (*caller)->id;
    who.stated_end_client = StatedEndClient(context);
  }
  absl::StatusOr<std::string> key = TrackThrottleKey(who);
  if (!key.ok()) return key.status();

  // A correct pair is always answered; only wrong ones spend the budget.
  absl::StatusOr<TrackedComplaint> tracked = complaints_.Track(*reference, *code);
  if (absl::IsNotFound(tracked.status())) return TrackingFailure(*key);
  if (!tracked.ok()) return tracked.status();
  return std::make_pair(*reference, *std::move(tracked));
}

absl::Status ComplaintServiceImpl::TrackingFailure(const std::string& key) {
  const absl::Status not_found =
      absl::NotFoundError("no complaint matches this reference number and tracking code");
  const absl::Status exhausted = absl::ResourceExhaustedError(
      "too many failed tracking attempts from this client; check the reference number and "
      "tracking code, and try again in 15 minutes");
  const absl::Time now = absl::Now();
  // A client known to be over its budget costs no database write.
  if (throttled_clients_.Contains(key, now)) return exhausted;
  absl::StatusOr<int> failures = throttle_.RecordTrackFailure(key, now, throttle_policy_.window);
  if (!failures.ok()) return failures.status();
  if (*failures <= throttle_policy_.max_failures) return not_found;
  // Over budget: until the window ends at the latest (it began at or after
  // now - window), this client's wrong pairs are refused here.
  throttled_clients_.Add(key, now + throttle_policy_.window);
  return exhausted;
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
