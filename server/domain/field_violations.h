// FieldViolations collects the invalid fields of a request, so that one
// INVALID_ARGUMENT names every one of them (AIP-193).
#ifndef DUMAS_SERVER_DOMAIN_FIELD_VIOLATIONS_H_
#define DUMAS_SERVER_DOMAIN_FIELD_VIOLATIONS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace dumas {

// The absl::Status payload key under which ToStatus() stores a serialized
// google.rpc.BadRequest; the gRPC edge turns it into status details.
inline constexpr std::string_view kBadRequestPayloadUrl =
    "type.googleapis.com/google.rpc.BadRequest";

class FieldViolations {
 public:
  // Records that `field` (a dotted snake_case path such as
  // "complaint.complainant.nik") is invalid, and why. The description must not
  // repeat the value: it may be personal data.
  void Add(std::string field, std::string description);

  bool empty() const { return violations_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& violations() const {
    return violations_;
  }

  // OK when empty; otherwise INVALID_ARGUMENT whose message lists the fields
  // and whose payload kBadRequestPayloadUrl is a google.rpc.BadRequest.
  absl::Status ToStatus() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
};

// INVALID_ARGUMENT for a single field, with the BadRequest payload.
absl::Status InvalidField(std::string field, std::string description);

}  // namespace dumas

#endif  // DUMAS_SERVER_DOMAIN_FIELD_VIOLATIONS_H_
