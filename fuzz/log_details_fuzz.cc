// The canonical encoding of an event's details (domain/log_entry.h):
// decoding is strict, so that whatever decodes encodes back to the very same
// bytes (another implementation recomputes the log's leaves from them), and
// passes ValidateDetails.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "domain/log_entry.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view encoded = dumas::fuzz::Bytes(data, size);
  const absl::StatusOr<dumas::ComplaintDetails> details = dumas::DecodeDetails(encoded);
  if (!details.ok()) {
    DUMAS_FUZZ_CHECK(details.status().code() == absl::StatusCode::kInvalidArgument,
                     "undecodable details are not INVALID_ARGUMENT");
    return 0;
  }
  DUMAS_FUZZ_CHECK(dumas::EncodeDetails(*details) == encoded,
                   "decoded details do not encode back to the same bytes");
  DUMAS_FUZZ_CHECK(dumas::ValidateDetails(*details).ok(), "decoded details do not validate");
  DUMAS_FUZZ_CHECK(details->empty() == encoded.empty(), "only no bytes decode to no details");
  // The entry that carries them encodes without loss of the details' bytes.
  dumas::LogEntry entry;
  entry.details = std::string(encoded);
  const std::string entry_bytes = dumas::EncodeEntry(entry);
  DUMAS_FUZZ_CHECK(entry_bytes.size() >= encoded.size() &&
                       entry_bytes.compare(entry_bytes.size() - encoded.size(), encoded.size(),
                                           encoded) == 0,
                   "an entry does not end with its details");
  return 0;
}
