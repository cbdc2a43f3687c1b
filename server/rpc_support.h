// What every gRPC handler of Dumas shares: the per-call log line, request_id
// and resource-name checks, and opaque page tokens (AIP-158).
#ifndef DUMAS_SERVER_RPC_SUPPORT_H_
#define DUMAS_SERVER_RPC_SUPPORT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "server/access_policy.h"
#include "domain/field_violations.h"

namespace dumas {

// Logs one line per call (method, code, duration; never request content) and
// maps the outcome to a grpc::Status.
class CallLog {
 public:
  explicit CallLog(Method method) : method_(method), start_(absl::Now()) {}
  grpc::Status Finish(const absl::Status& status) const;

 private:
  const Method method_;
  const absl::Time start_;
};

// The peer's address without its port: the unit of per-caller throttling.
std::string CallerAddress(const grpc::ServerContext& context);

// Whether `id` is a UUID in its 8-4-4-4-12 hexadecimal form (AIP-155).
bool IsUuid(absl::string_view id);

// Adds a violation of field "request_id" unless `request_id` is empty or a
// UUID.
void CheckRequestId(absl::string_view request_id, FieldViolations& violations);

// The canonical reference number in `name` ("complaints/{reference_number}"),
// or INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> ComplaintReference(absl::string_view field, absl::string_view name);

// The page size to use: `fallback` for 0, at most `max`; INVALID_ARGUMENT for
// a negative one.
absl::StatusOr<int> PageSize(int requested, int fallback, int max);

// An opaque page token: `payload` bound to `scope` (the collection and any
// filters the token is valid for), in URL-safe base64.
std::string EncodePageToken(absl::string_view scope, absl::string_view payload);

// The payload of a token made by EncodePageToken with the same scope; "" for
// an empty token; INVALID_ARGUMENT naming page_token otherwise.
absl::StatusOr<std::string> DecodePageToken(absl::string_view scope, absl::string_view token);

}  // namespace dumas

#endif  // DUMAS_SERVER_RPC_SUPPORT_H_
