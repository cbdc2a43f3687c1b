// FieldViolations collects the invalid fields of a request, so that one
// INVALID_ARGUMENT names every one of them (AIP-193). Plain data: the gRPC
// edge turns it into a google.rpc.BadRequest (server/status_mapping.h).
#ifndef DUMAS_DOMAIN_FIELD_VIOLATIONS_H_
#define DUMAS_DOMAIN_FIELD_VIOLATIONS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace dumas {

// One invalid field: a dotted snake_case path such as
// "complaint.complainant.nik", and why. The description never repeats the
// value: it may be personal data.
struct FieldViolation {
  std::string field;
  std::string description;

  bool operator==(const FieldViolation&) const = default;
};

// The absl::Status payload key under which ToStatus() stores the violations,
// encoded by EncodeFieldViolations.
inline constexpr std::string_view kFieldViolationsPayload = "dumas.domain/field-violations";

class FieldViolations {
 public:
  // Records that `field` is invalid, and why.
  void Add(std::string field, std::string description);

  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  // OK when empty; otherwise INVALID_ARGUMENT whose message lists the fields
  // (each once) and whose payload kFieldViolationsPayload holds every
  // violation with its description.
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> violations_;
};

// INVALID_ARGUMENT for a single field, with the payload.
absl::Status InvalidField(std::string field, std::string description);

// The violations a status carries in kFieldViolationsPayload; nullopt when it
// carries none (or a malformed one).
std::optional<std::vector<FieldViolation>> FieldViolationsOf(const absl::Status& status);

// The payload encoding: for each violation, the field and the description,
// each as a 4-byte big-endian length and the bytes.
std::string EncodeFieldViolations(const std::vector<FieldViolation>& violations);
std::optional<std::vector<FieldViolation>> DecodeFieldViolations(std::string_view bytes);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_FIELD_VIOLATIONS_H_
