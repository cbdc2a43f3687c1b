#include "domain/contact.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "domain/string_view_interop.h"

namespace dumas {
namespace {

constexpr size_t kMinNationalDigits = 8;
constexpr size_t kMaxNationalDigits = 12;
constexpr size_t kMaxEmailChars = 254;
constexpr size_t kMaxLocalPartChars = 64;
constexpr size_t kMaxDomainLabelChars = 63;
constexpr size_t kMaxHandleChars = 15;

bool IsPhoneSeparator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

// RFC 5322 "atext" and '.': the printable characters of an unquoted local
// part. Quoted local parts are legal but unused in practice, and characters
// such as '<', ',' and '"' would be trouble in the mail headers the email
// gateway writes.
bool IsLocalPartChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::StrContains("!#$%&'*+-/=?^_`{|}~.", c);
}

bool IsDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxDomainLabelChars) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> NormalizeIndonesianPhone(std::string_view input) {
  bool plus = false;
  std::string digits;
  for (size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      // Stop early on absurd input; the length check below rejects it.
      if (digits.size() > kMaxNationalDigits + 2) return std::nullopt;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (!IsPhoneSeparator(c)) {
      return std::nullopt;
    }
  }

  std::string_view national = digits;
  if (national.starts_with("62")) {
    national.remove_prefix(2);  // +62... or 62...: the country code
  } else if (!plus && national.starts_with('0')) {
    national.remove_prefix(1);  // 0...: the trunk prefix inside Indonesia
  } else {
    return std::nullopt;
  }
  // The national significant number never starts with 0 or 1, which also
  // rejects "+620...", "00..." (international prefix) and "062...".
  if (national.size() < kMinNationalDigits || national.size() > kMaxNationalDigits ||
      national.front() < '2') {
    return std::nullopt;
  }
  return absl::StrCat("+62", ToAbsl(national));
}

std::optional<std::string> NormalizeEmail(std::string_view input) {
  if (input.size() > kMaxEmailChars) return std::nullopt;
  const size_t at = input.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view local = input.substr(0, at);
  const std::string_view domain = input.substr(at + 1);

  if (local.empty() || local.size() > kMaxLocalPartChars) return std::nullopt;
  for (char c : local) {
    if (!IsLocalPartChar(c)) return std::nullopt;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return std::nullopt;
  }

  // At least two labels, the last (the top-level domain) of 2+ letters. A
  // second '@' fails here, as it is not a label character.
  const std::vector<absl::string_view> labels = absl::StrSplit(ToAbsl(domain), '.');
  if (labels.size() < 2) return std::nullopt;
  for (absl::string_view label : labels) {
    if (!IsDomainLabel(ToStd(label))) return std::nullopt;
  }
  const absl::string_view tld = labels.back();
  if (tld.size() < 2) return std::nullopt;
  for (char c : tld) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return absl::StrCat(ToAbsl(local), "@", absl::AsciiStrToLower(ToAbsl(domain)));
}

std::optional<std::string> NormalizeTwitterHandle(std::string_view input) {
  if (input.starts_with('@')) input.remove_prefix(1);
  if (input.empty() || input.size() > kMaxHandleChars) return std::nullopt;
  for (char c : input) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
  }
  return absl::StrCat("@", ToAbsl(input));
}

}  // namespace dumas
