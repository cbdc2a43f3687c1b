// What every gRPC handler of Dumas shares: the per-call log line, the
// caller's address, request_id checks, and paging with opaque page tokens
// (AIP-158; the parsers are in server/request_parsing.h).
#ifndef DUMAS_SERVER_RPC_SUPPORT_H_
#define DUMAS_SERVER_RPC_SUPPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "domain/field_violations.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "server/access_policy.h"
#include "server/request_parsing.h"
#include "server/call_admission.h"
#include "storage/call_deadline.h"

namespace dumas {

// One call from start to end. On construction it decides whether the call
// may start (admission()), and for its lifetime it makes the client's
// deadline the current thread's call deadline, which bounds the call's waits
// and SQL in the store (storage/call_deadline.h). Finish logs one line per
// call (method, code, duration; never request content) and maps the outcome
// to a grpc::Status. INTERNAL, UNKNOWN and DATA_LOSS are logged at error
// level with their detail (never personal data), which the caller does not
// see.
//
// Every handler starts with
//   const CallLog call(Method::kX, *context, admission_);
//   if (!call.admission().ok()) return call.Finish(call.admission());
class CallLog {
 public:
  // Admits the call through `admission` unless it is served from memory or
  // is a long-lived stream (see Counted). `admission` must outlive the call.
  CallLog(Method method, const grpc::ServerContext& context, CallAdmission& admission);
  ~CallLog();
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  // OK when the call may start; DEADLINE_EXCEEDED when the client's deadline
  // had passed before it started (nothing is done for it); RESOURCE_EXHAUSTED
  // when as many calls as the server admits are in flight.
  const absl::Status& admission() const { return admission_; }

  grpc::Status Finish(const absl::Status& status) const;

  // Whether calls of `method` count against the admission limit: not the
  // ones answered from memory (categories, units) nor the long-lived streams.
  static bool Counted(Method method);

 private:
  const Method method_;
  const absl::Time start_;
  const ScopedCallDeadline deadline_;
  CallAdmission* admitted_ = nullptr;  // set when a slot was taken
  absl::Status admission_;
};

// The peer's IP address without port or brackets ("203.0.113.7", "::1");
// empty when the connection is not over IP (a Unix socket).
std::string PeerAddress(const grpc::ServerContext& context);

// The canonical request_id (domain/request_id.h) of `request_id`; a
// violation of field "request_id", and "", when it is not empty and not a
// UUID.
std::string CheckRequestId(absl::string_view request_id, FieldViolations& violations);

// A digest of what a call asks for, to bind its request_id to it: the
// method and the request serialized deterministically without its
// `request_id` field.
std::string RequestDigest(Method method, const google::protobuf::Message& request);

// Lists one page: asks `list` for one row more than the page holds, to know
// whether another page follows; keeps the page's rows and sets
// *next_page_token to the token of the next page (empty after the last),
// made from `cursor_of` the last row kept.
template <typename Row>
absl::StatusOr<std::vector<Row>> ListPage(
    absl::string_view scope, const PageRequest& page,
    absl::FunctionRef<absl::StatusOr<std::vector<Row>>(const std::string& after, int limit)> list,
    absl::FunctionRef<std::string(const Row&)> cursor_of, std::string* next_page_token);

// --- Implementation ---------------------------------------------------------

template <typename Row>
absl::StatusOr<std::vector<Row>> ListPage(
    absl::string_view scope, const PageRequest& page,
    absl::FunctionRef<absl::StatusOr<std::vector<Row>>(const std::string& after, int limit)> list,
    absl::FunctionRef<std::string(const Row&)> cursor_of, std::string* next_page_token) {
  absl::StatusOr<std::vector<Row>> rows = list(page.after, page.size + 1);
  if (!rows.ok()) return rows.status();
  next_page_token->clear();
  if (static_cast<int>(rows->size()) > page.size) {
    rows->resize(page.size);
    *next_page_token = EncodePageToken(scope, cursor_of(rows->back()));
  }
  return rows;
}

}  // namespace dumas

#endif  // DUMAS_SERVER_RPC_SUPPORT_H_
