// Resource names and request ids (domain/complaint_validation.h ResourceId,
// server/request_parsing.h, domain/request_id.h): what parses is exactly
// the canonical name written back; a bad complaint name is INVALID_ARGUMENT
// naming its field, never repeating the value.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "domain/complaint_validation.h"
#include "domain/field_violations.h"
#include "domain/reference_number.h"
#include "domain/request_id.h"
#include "fuzz/fuzz_support.h"
#include "server/request_parsing.h"

namespace dumas {
namespace {

void CheckResourceId(absl::string_view collection, absl::string_view name) {
  const std::optional<std::string> id =
      ResourceId(std::string_view(collection.data(), collection.size()),
                 std::string_view(name.data(), name.size()));
  if (!id.has_value()) return;
  DUMAS_FUZZ_CHECK(!id->empty() && id->size() <= 64, "a resource id is not 1-64 characters");
  for (char c : *id) {
    DUMAS_FUZZ_CHECK(absl::ascii_islower(static_cast<unsigned char>(c)) ||
                         absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-',
                     "a resource id holds a character outside [a-z0-9-]");
  }
  DUMAS_FUZZ_CHECK(absl::StrCat(collection, "/", *id) == name,
                   "a resource name is not its collection and id");
}

void CheckComplaintReference(absl::string_view name) {
  const absl::StatusOr<std::string> reference = ComplaintReference("name", name);
  if (!reference.ok()) {
    DUMAS_FUZZ_CHECK(reference.status().code() == absl::StatusCode::kInvalidArgument,
                     "a bad complaint name is not INVALID_ARGUMENT");
    const std::optional<std::vector<FieldViolation>> violations =
        FieldViolationsOf(reference.status());
    DUMAS_FUZZ_CHECK(violations.has_value() && violations->size() == 1 &&
                         (*violations)[0].field == "name",
                     "a bad complaint name is not one violation of its field");
    DUMAS_FUZZ_CHECK(!fuzz::Repeats(reference.status().message(), name) &&
                         !fuzz::Repeats((*violations)[0].description, name),
                     "the error repeats the name");
    return;
  }
  DUMAS_FUZZ_CHECK(ReferenceNumber::Canonicalize(*reference) == *reference,
                   "a complaint name gave a reference number that is not canonical");
  DUMAS_FUZZ_CHECK(*ComplaintReference("name", "complaints/" + *reference) == *reference,
                   "the canonical name of a complaint reads differently");
}

void CheckNumbered(absl::string_view collection, absl::string_view name) {
  const std::optional<int64_t> id = NumberedResourceId(collection, name);
  if (!id.has_value()) return;
  DUMAS_FUZZ_CHECK(*id > 0, "a numbered resource id is not positive");
  DUMAS_FUZZ_CHECK(absl::StrCat(collection, "/", *id) == name,
                   "a numbered resource name is not written in one way");
}

void CheckRequestId(std::string_view id) {
  const std::optional<std::string> canonical = CanonicalRequestId(id);
  DUMAS_FUZZ_CHECK(canonical.has_value() == (id.empty() || IsUuid(id)),
                   "a request id was accepted that is not empty or a UUID");
  if (!canonical.has_value()) return;
  DUMAS_FUZZ_CHECK(*canonical == absl::AsciiStrToLower(std::string(id)),
                   "a request id is not its lower-case form");
  DUMAS_FUZZ_CHECK(CanonicalRequestId(*canonical) == canonical,
                   "a canonical request id reads differently");
}

}  // namespace
}  // namespace dumas

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = dumas::fuzz::Bytes(data, size);
  const absl::string_view name(input.data(), input.size());
  for (absl::string_view collection : {"categories", "units", "x"}) {
    dumas::CheckResourceId(collection, name);
  }
  dumas::CheckComplaintReference(name);
  dumas::CheckNumbered("principals", name);
  dumas::CheckNumbered("notifications", name);
  dumas::CheckRequestId(input);
  return 0;
}
