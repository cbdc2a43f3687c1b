#include "server/rpc_support.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/field_violations.h"
#include "domain/reference_number.h"
#include "server/log.h"
#include "server/status_mapping.h"

namespace dumas {

grpc::Status CallLog::Finish(const absl::Status& status) const {
  const double ms = absl::ToDoubleMilliseconds(absl::Now() - start_);
  const std::string code = absl::StatusCodeToString(status.code());
  if (status.code() == absl::StatusCode::kInternal ||
      status.code() == absl::StatusCode::kUnknown ||
      status.code() == absl::StatusCode::kDataLoss) {
    // Store messages carry no SQL or personal data; they help the operator.
    Log(LogLevel::kError, "rpc",
        {{"method", AccessOf(method_).name}, {"code", code}, {"ms", ms},
         {"detail", status.message()}});
  } else {
    Log(LogLevel::kInfo, "rpc", {{"method", AccessOf(method_).name}, {"code", code}, {"ms", ms}});
  }
  return ToGrpcStatus(status);
}

std::string CallerAddress(const grpc::ServerContext& context) {
  std::string peer = context.peer();
  const size_t colon = peer.rfind(':');
  const size_t bracket = peer.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket) &&
      colon > peer.find(':')) {
    peer.resize(colon);
  }
  return peer;
}

bool IsUuid(absl::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return false;
    } else if (!absl::ascii_isxdigit(static_cast<unsigned char>(id[i]))) {
      return false;
    }
  }
  return true;
}

void CheckRequestId(absl::string_view request_id, FieldViolations& violations) {
  if (request_id.empty() || IsUuid(request_id)) return;
  violations.Add("request_id", "must be a UUID such as 123e4567-e89b-42d3-a456-426614174000");
}

absl::StatusOr<std::string> ComplaintReference(absl::string_view field, absl::string_view name) {
  constexpr absl::string_view kPrefix = "complaints/";
  if (name.empty()) return InvalidField(std::string(field), "is required");
  std::optional<std::string> reference;
  if (absl::StartsWith(name, kPrefix)) {
    const absl::string_view id = name.substr(kPrefix.size());
    reference = ReferenceNumber::Canonicalize(std::string_view(id.data(), id.size()));
  }
  if (!reference.has_value()) {
    return InvalidField(std::string(field),
                        "must be complaints/{reference_number}, such as "
                        "complaints/K7QM-4R9X-2HTZ");
  }
  return *std::move(reference);
}

absl::StatusOr<int> PageSize(int requested, int fallback, int max) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return fallback;
  return std::min(requested, max);
}

std::string EncodePageToken(absl::string_view scope, absl::string_view payload) {
  return absl::WebSafeBase64Escape(absl::StrCat(scope, "|", payload));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view scope, absl::string_view token) {
  if (token.empty()) return std::string();
  std::string decoded;
  const std::string prefix = absl::StrCat(scope, "|");
  if (!absl::WebSafeBase64Unescape(token, &decoded) || !absl::StartsWith(decoded, prefix)) {
    return InvalidField("page_token",
                        "is not a page token returned by this method for these filters");
  }
  return decoded.substr(prefix.size());
}

}  // namespace dumas
