// Reference numbers and tracking codes (domain/reference_number.h): a
// canonical form re-parses to itself, whatever case, spaces and hyphens the
// input had; the check symbol catches every single substitution and every
// swap of adjacent symbols.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "domain/reference_number.h"
#include "fuzz/fuzz_support.h"

namespace dumas {
namespace {

// Whether `code` is `symbols` alphabet symbols in groups of four (the last
// may be shorter) joined by '-'.
bool IsGrouped(std::string_view code, size_t symbols) {
  size_t seen = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i % 5 == 4) {
      if (code[i] != '-') return false;
      continue;
    }
    if (kCodeAlphabet.find(code[i]) == std::string_view::npos) return false;
    ++seen;
  }
  return seen == symbols && !code.empty() && code.back() != '-';
}

// `input` without spaces and hyphens, upper-cased: what Canonicalize reads.
std::string Squeezed(std::string_view input) {
  std::string out;
  for (char c : input) {
    if (c != ' ' && c != '-') out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

void CheckReference(std::string_view input) {
  const std::optional<std::string> canonical = ReferenceNumber::Canonicalize(input);
  DUMAS_FUZZ_CHECK(canonical == ReferenceNumber::Canonicalize(Squeezed(input)),
                   "case, spaces or hyphens changed the reading of a reference number");
  if (!canonical.has_value()) return;
  DUMAS_FUZZ_CHECK(IsGrouped(*canonical, 12), "a canonical reference number is XXXX-XXXX-XXXX");
  DUMAS_FUZZ_CHECK(ReferenceNumber::Canonicalize(*canonical) == canonical,
                   "a canonical reference number does not re-parse to itself");
  DUMAS_FUZZ_CHECK(ReferenceNumber::Canonicalize(absl::AsciiStrToLower(*canonical)) == canonical,
                   "a lower-case reference number reads differently");
  const std::string symbols = Squeezed(*canonical);
  DUMAS_FUZZ_CHECK(ReferenceNumber::CheckSymbol(std::string_view(symbols).substr(0, 11)) ==
                       symbols.back(),
                   "the check symbol does not match its data");
  // Every substitution of one symbol, and every swap of two neighbours that
  // differ, is caught.
  for (size_t i = 0; i < symbols.size(); ++i) {
    for (char replacement : kCodeAlphabet) {
      if (replacement == symbols[i]) continue;
      std::string typo = symbols;
      typo[i] = replacement;
      DUMAS_FUZZ_CHECK(!ReferenceNumber::Canonicalize(typo).has_value(),
                       "a substituted symbol went unnoticed");
    }
    if (i + 1 < symbols.size() && symbols[i] != symbols[i + 1]) {
      std::string swapped = symbols;
      std::swap(swapped[i], swapped[i + 1]);
      DUMAS_FUZZ_CHECK(!ReferenceNumber::Canonicalize(swapped).has_value(),
                       "a swap of neighbouring symbols went unnoticed");
    }
  }
}

void CheckTrackingCode(std::string_view input) {
  const std::optional<std::string> canonical = TrackingCode::Canonicalize(input);
  DUMAS_FUZZ_CHECK(canonical == TrackingCode::Canonicalize(Squeezed(input)),
                   "case, spaces or hyphens changed the reading of a tracking code");
  if (!canonical.has_value()) return;
  DUMAS_FUZZ_CHECK(IsGrouped(*canonical, 14), "a canonical tracking code is XXXX-XXXX-XXXX-XX");
  DUMAS_FUZZ_CHECK(TrackingCode::Canonicalize(*canonical) == canonical,
                   "a canonical tracking code does not re-parse to itself");
  DUMAS_FUZZ_CHECK(Squeezed(input) == Squeezed(*canonical),
                   "a tracking code's symbols changed in canonicalisation");
}

}  // namespace
}  // namespace dumas

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = dumas::fuzz::Bytes(data, size);
  dumas::CheckReference(input);
  dumas::CheckTrackingCode(input);
  return 0;
}
