#include "server/rpc_support.h"

#include <sodium.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "domain/request_id.h"
#include "domain/string_view_interop.h"
#include "server/log.h"
#include "server/status_mapping.h"

namespace dumas {

CallLog::CallLog(Method method, const grpc::ServerContext& context, CallAdmission& admission)
    : method_(method), start_(absl::Now()), deadline_(absl::FromChrono(context.deadline())) {
  if (CurrentCallDeadline() <= start_) {
    admission_ = absl::DeadlineExceededError(
        "the call's deadline had passed when the server took it up; nothing was done: retry "
        "with a longer deadline");
  } else if (Counted(method)) {
    if (admission.TryEnter()) {
      admitted_ = &admission;
    } else {
      admission_ = absl::ResourceExhaustedError(
          "the server is at its limit of calls in flight; retry with exponential backoff");
    }
  }
}

CallLog::~CallLog() {
  if (admitted_ != nullptr) admitted_->Leave();
}

bool CallLog::Counted(Method method) {
  switch (method) {
    case Method::kListCategories:
    case Method::kListUnits:
    case Method::kWatchChanges:
    case Method::kStreamNotifications:
      return false;
    default:
      return true;
  }
}

grpc::Status CallLog::Finish(const absl::Status& status) const {
  const double ms = absl::ToDoubleMilliseconds(absl::Now() - start_);
  const std::string code = absl::StatusCodeToString(status.code());
  if (status.code() == absl::StatusCode::kInternal ||
      status.code() == absl::StatusCode::kUnknown ||
      status.code() == absl::StatusCode::kDataLoss) {
    // Store messages carry no SQL or personal data; they help the operator,
    // and are replaced by a generic one for the caller (ToGrpcStatus).
    Log(LogLevel::kError, "rpc",
        {{"method", AccessOf(method_).name}, {"code", code}, {"ms", ms},
         {"detail", status.message()}});
  } else {
    Log(LogLevel::kInfo, "rpc", {{"method", AccessOf(method_).name}, {"code", code}, {"ms", ms}});
  }
  return ToGrpcStatus(status);
}

std::string PeerAddress(const grpc::ServerContext& context) {
  const std::string peer = context.peer();
  absl::string_view rest = peer;
  if (absl::ConsumePrefix(&rest, "ipv4:")) {
    const size_t colon = rest.rfind(':');
    return std::string(colon == absl::string_view::npos ? rest : rest.substr(0, colon));
  }
  if (absl::ConsumePrefix(&rest, "ipv6:")) {
    if (absl::ConsumePrefix(&rest, "[")) {
      const size_t bracket = rest.find(']');
      if (bracket != absl::string_view::npos) rest = rest.substr(0, bracket);
    }
    // A zone ("%25eth0") names no other client.
    const size_t zone = rest.find('%');
    return std::string(zone == absl::string_view::npos ? rest : rest.substr(0, zone));
  }
  return "";
}

std::string CheckRequestId(absl::string_view request_id, FieldViolations& violations) {
  std::optional<std::string> canonical = CanonicalRequestId(ToStd(request_id));
  if (!canonical.has_value()) {
    violations.Add("request_id", "must be a UUID such as 123e4567-e89b-42d3-a456-426614174000");
    return "";
  }
  return *std::move(canonical);
}

std::string RequestDigest(Method method, const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const google::protobuf::FieldDescriptor* field =
          copy->GetDescriptor()->FindFieldByName("request_id")) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  const absl::string_view name = AccessOf(method).name;
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(name.data()),
                            name.size());
  const unsigned char separator = 0;
  crypto_generichash_update(&state, &separator, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(digest.data()),
                           digest.size());
  sodium_memzero(bytes.data(), bytes.size());
  return digest;
}

}  // namespace dumas
