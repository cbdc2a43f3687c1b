// The field-violation payload of a status (domain/field_violations.h):
// what decodes encodes back to the same bytes, and survives a round trip
// through an absl::Status.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "domain/field_violations.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = dumas::fuzz::Bytes(data, size);
  const std::optional<std::vector<dumas::FieldViolation>> decoded =
      dumas::DecodeFieldViolations(bytes);
  if (!decoded.has_value()) return 0;
  DUMAS_FUZZ_CHECK(dumas::EncodeFieldViolations(*decoded) == bytes,
                   "decoded violations do not encode back to the same bytes");
  if (decoded->empty()) return 0;
  dumas::FieldViolations violations;
  for (const dumas::FieldViolation& v : *decoded) violations.Add(v.field, v.description);
  const absl::Status status = violations.ToStatus();
  DUMAS_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument,
                   "violations are not INVALID_ARGUMENT");
  DUMAS_FUZZ_CHECK(dumas::FieldViolationsOf(status) == decoded,
                   "violations do not survive a round trip through a status");
  return 0;
}
