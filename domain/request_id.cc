#include "domain/request_id.h"

#include "absl/strings/ascii.h"

namespace dumas {

bool IsUuid(std::string_view id) {
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

std::optional<std::string> CanonicalRequestId(std::string_view id) {
  if (id.empty()) return std::string();
  if (!IsUuid(id)) return std::nullopt;
  std::string canonical(id);
  absl::AsciiStrToLower(&canonical);
  return canonical;
}

}  // namespace dumas
