// Contact addresses (domain/contact.h): each normaliser's output has the
// documented shape and normalises to itself.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "domain/contact.h"
#include "fuzz/fuzz_support.h"

namespace dumas {
namespace {

bool AllOf(std::string_view text, bool (*predicate)(unsigned char)) {
  for (char c : text) {
    if (!predicate(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void CheckPhone(std::string_view input) {
  const std::optional<std::string> e164 = NormalizeIndonesianPhone(input);
  if (!e164.has_value()) return;
  const std::string_view national = std::string_view(*e164).substr(3);
  DUMAS_FUZZ_CHECK(e164->starts_with("+62") && national.size() >= 8 && national.size() <= 12 &&
                       national.front() >= '2' && AllOf(national, absl::ascii_isdigit),
                   "a normalised phone number is not +62 and 8-12 digits starting with 2-9");
  DUMAS_FUZZ_CHECK(NormalizeIndonesianPhone(*e164) == e164,
                   "a normalised phone number does not normalise to itself");
  DUMAS_FUZZ_CHECK(NormalizeIndonesianPhone("0" + std::string(national)) == e164,
                   "the national form of a phone number normalises differently");
}

void CheckEmail(std::string_view input) {
  const std::optional<std::string> email = NormalizeEmail(input);
  if (!email.has_value()) return;
  DUMAS_FUZZ_CHECK(email->size() <= 254, "a normalised email address is longer than 254");
  const size_t at = email->find('@');
  DUMAS_FUZZ_CHECK(at != std::string::npos && email->find('@', at + 1) == std::string::npos,
                   "a normalised email address does not have exactly one '@'");
  DUMAS_FUZZ_CHECK(email->substr(0, at) == input.substr(0, input.find('@')),
                   "normalisation changed the local part of an email address");
  const std::string domain = email->substr(at + 1);
  DUMAS_FUZZ_CHECK(domain == absl::AsciiStrToLower(domain),
                   "the domain of a normalised email address is not lower case");
  DUMAS_FUZZ_CHECK(NormalizeEmail(*email) == email,
                   "a normalised email address does not normalise to itself");
}

bool IsHandleChar(unsigned char c) { return absl::ascii_isalnum(c) || c == '_'; }

void CheckTwitterHandle(std::string_view input) {
  const std::optional<std::string> handle = NormalizeTwitterHandle(input);
  if (!handle.has_value()) return;
  DUMAS_FUZZ_CHECK(handle->size() >= 2 && handle->size() <= 16 && handle->front() == '@' &&
                       AllOf(std::string_view(*handle).substr(1), IsHandleChar),
                   "a normalised handle is not '@' and 1-15 letters, digits or underscores");
  DUMAS_FUZZ_CHECK(NormalizeTwitterHandle(*handle) == handle,
                   "a normalised handle does not normalise to itself");
}

}  // namespace
}  // namespace dumas

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = dumas::fuzz::Bytes(data, size);
  dumas::CheckPhone(input);
  dumas::CheckEmail(input);
  dumas::CheckTwitterHandle(input);
  return 0;
}
