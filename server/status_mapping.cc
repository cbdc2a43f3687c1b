#include "server/status_mapping.h"

#include <optional>
#include <string>
#include <vector>

#include "domain/field_violations.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace dumas {
namespace {

constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      message = "internal error; the operation may be retried later";
      break;
    case absl::StatusCode::kDataLoss:
      message = "stored data failed its integrity check; the operators have been alerted";
      break;
    default:
      break;
  }
  const std::optional<std::vector<FieldViolation>> violations = FieldViolationsOf(status);
  if (!violations.has_value()) return grpc::Status(code, message);

  google::rpc::BadRequest bad_request;
  for (const FieldViolation& violation : *violations) {
    google::rpc::BadRequest::FieldViolation* out = bad_request.add_field_violations();
    out->set_field(violation.field);
    out->set_description(violation.description);
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  google::protobuf::Any* any = details.add_details();
  any->set_type_url(kBadRequestTypeUrl);
  any->set_value(bad_request.SerializeAsString());
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace dumas
