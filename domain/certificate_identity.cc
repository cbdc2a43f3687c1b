#include "domain/certificate_identity.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "domain/string_view_interop.h"

namespace dumas {
namespace {

constexpr size_t kSha256HexDigits = 64;

}  // namespace

absl::StatusOr<std::string> CanonicalCertificateIdentity(std::string_view identity) {
  const size_t colon = identity.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "a certificate identity is kind:value, the kind one of dns, uri, email, cn, subject, "
        "sha256");
  }
  const std::string kind = absl::AsciiStrToLower(ToAbsl(identity.substr(0, colon)));
  std::string value(identity.substr(colon + 1));
  if (value.empty()) {
    return absl::InvalidArgumentError("a certificate identity needs a value after the kind");
  }
  if (std::any_of(value.begin(), value.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return absl::InvalidArgumentError("a certificate identity has no control characters");
  }
  if (kind == "dns") {
    absl::AsciiStrToLower(&value);
    if (absl::EndsWith(value, ".")) value.pop_back();
  } else if (kind == "email") {
    absl::AsciiStrToLower(&value);
  } else if (kind == "sha256") {
    value = absl::AsciiStrToLower(absl::StrReplaceAll(value, {{":", ""}}));
    if (value.size() != kSha256HexDigits ||
        !std::all_of(value.begin(), value.end(),
                     [](char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); })) {
      return absl::InvalidArgumentError(
          "a sha256 certificate identity is the certificate's SHA-256 digest in hex (64 digits)");
    }
  } else if (kind != "uri" && kind != "cn" && kind != "subject") {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown certificate identity kind; use dns, uri, email, cn, subject or sha256"));
  }
  std::string canonical = absl::StrCat(kind, ":", value);
  if (canonical.empty() || canonical.size() > kMaxCertificateIdentityBytes) {
    return absl::InvalidArgumentError("a certificate identity is at most 255 bytes");
  }
  return canonical;
}

}  // namespace dumas
