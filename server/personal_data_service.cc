#include "server/personal_data_service.h"

#include <string>
#include <utility>

#include "domain/complaint_validation.h"
#include "domain/field_violations.h"
#include "domain/personal_data.h"
#include "domain/reference_number.h"
#include "server/proto_convert.h"
#include "server/rpc_support.h"

namespace dumas {
namespace {

// The unit's display name, or its id when the cache does not know it.
std::string UnitName(const ReferenceSnapshot& reference, const std::string& unit_id) {
  if (unit_id.empty()) return "";
  const auto it = reference.unit_names.find(unit_id);
  return it == reference.unit_names.end() ? unit_id : it->second;
}

// The facts of the copy, with ids turned into names.
PersonalDataFacts Facts(const PersonalDataRecord& record, const ReferenceSnapshot& reference) {
  const Complaint& c = record.complaint;
  PersonalDataFacts facts;
  facts.reference_number = c.reference_number;
  if (c.identity.has_value()) facts.identity = *c.identity;
  facts.reply_address = c.reply_address;
  facts.channel = c.channel;
  facts.create_time = c.create_time;
  facts.state = c.state;
  facts.description = c.description;
  facts.incident_time = c.incident_time;
  facts.incident_location = c.incident_location;
  const auto category = reference.category_names.find(c.category_id);
  facts.category_name =
      category == reference.category_names.end() ? c.category_id : category->second;
  facts.subject_unit_name = UnitName(reference, c.subject.unit_id);
  facts.officer_name = c.subject.officer_name;
  facts.officer_description = c.subject.officer_description;
  facts.confidential = c.confidential;
  facts.share_identity_with_kompolnas = c.share_identity_with_kompolnas;
  for (const IdentityRead& read : record.identity_reads) {
    facts.identity_reads.push_back({read.time, read.role, UnitName(reference, read.unit_id)});
  }
  return facts;
}

}  // namespace

grpc::Status PersonalDataServiceImpl::RequestPersonalData(
    grpc::ServerContext* context, const v1::RequestPersonalDataRequest* request,
    v1::RequestPersonalDataResponse* response) {
  const CallLog call(Method::kRequestPersonalData, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(Copy(*context, *request, *response));
}

absl::Status PersonalDataServiceImpl::Copy(grpc::ServerContext& context,
                                           const v1::RequestPersonalDataRequest& request,
                                           v1::RequestPersonalDataResponse& response) {
  FieldViolations violations;
  ChangeRequest change;  // actor 0: the complainant
  change.request_id = CheckRequestId(request.request_id(), violations);
  absl::StatusOr<std::pair<std::string, TrackedComplaint>> tracked = tracking_.Check(
      context, request.reference_number(), request.tracking_code(), violations);
  if (!tracked.ok()) return tracked.status();
  if (!change.request_id.empty()) {
    change.fingerprint = RequestDigest(Method::kRequestPersonalData, request);
  }
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference = cache_.Current();
  if (!reference.ok()) return reference.status();
  const std::string& reference_number = tracked->first;
  absl::Status queued = personal_data_.QueuePersonalDataCopy(
      reference_number, change, kCopyInterval, [&](const PersonalDataRecord& record) {
        return PersonalDataCopyText(Facts(record, **reference));
      });
  if (!queued.ok()) return queued;
  // The view after the request, timeline included.
  absl::StatusOr<TrackedComplaint> after =
      complaints_.Track(reference_number, *TrackingCode::Canonicalize(request.tracking_code()));
  if (!after.ok()) return after.status();
  ToProto(*after, response.mutable_complaint());
  return absl::OkStatus();
}

grpc::Status PersonalDataServiceImpl::CorrectContactDetails(
    grpc::ServerContext* context, const v1::CorrectContactDetailsRequest* request,
    v1::CorrectContactDetailsResponse* response) {
  const CallLog call(Method::kCorrectContactDetails, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(Correct(*context, *request, *response));
}

absl::Status PersonalDataServiceImpl::Correct(grpc::ServerContext& context,
                                              const v1::CorrectContactDetailsRequest& request,
                                              v1::CorrectContactDetailsResponse& response) {
  FieldViolations violations;
  ChangeRequest change;  // actor 0: the complainant
  change.request_id = CheckRequestId(request.request_id(), violations);
  // The details named, as given; checked once the complaint's channel is
  // known.
  ContactDetails given;
  const v1::ContactDetails& contact = request.contact();
  if (!request.has_update_mask() || request.update_mask().paths().empty()) {
    violations.Add("update_mask",
                   "must name the details to replace: phone, email, address, reply_address");
  } else {
    for (const std::string& path : request.update_mask().paths()) {
      if (path == "phone") {
        given.phone = contact.phone();
      } else if (path == "email") {
        given.email = contact.email();
      } else if (path == "address") {
        given.address = contact.address();
      } else if (path == "reply_address") {
        given.reply_address = contact.reply_address();
      } else {
        violations.Add("update_mask",
                       "may name only phone, email, address and reply_address");
        break;
      }
    }
  }
  absl::StatusOr<std::pair<std::string, TrackedComplaint>> tracked = tracking_.Check(
      context, request.reference_number(), request.tracking_code(), violations);
  if (!tracked.ok()) return tracked.status();
  if (!violations.empty()) return violations.ToStatus();
  if (!change.request_id.empty()) {
    change.fingerprint = RequestDigest(Method::kCorrectContactDetails, request);
  }
  const std::string& reference_number = tracked->first;
  absl::StatusOr<bool> changed = personal_data_.CorrectContactDetails(
      reference_number, change, [&](const Complaint& current) -> absl::StatusOr<ContactDetails> {
        FieldViolations invalid;
        std::optional<ContactDetails> checked =
            ValidateContactCorrection(given, current.channel, "contact.", invalid);
        if (!checked.has_value()) return invalid.ToStatus();
        return *std::move(checked);
      });
  if (!changed.ok()) return changed.status();
  absl::StatusOr<TrackedComplaint> after =
      complaints_.Track(reference_number, *TrackingCode::Canonicalize(request.tracking_code()));
  if (!after.ok()) return after.status();
  ToProto(*after, response.mutable_complaint());
  response.set_changed(*changed);
  return absl::OkStatus();
}

}  // namespace dumas
