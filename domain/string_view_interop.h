// Conversions between std::string_view and absl::string_view. Debian 12's
// Abseil is built with ABSL_OPTION_USE_STD_STRING_VIEW 0, so the two are
// distinct types there: our interfaces take std::string_view, Abseil's string
// functions take absl::string_view. Internal to dumas_domain's sources.
#ifndef DUMAS_DOMAIN_STRING_VIEW_INTEROP_H_
#define DUMAS_DOMAIN_STRING_VIEW_INTEROP_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace dumas {

inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

}  // namespace dumas

#endif  // DUMAS_DOMAIN_STRING_VIEW_INTEROP_H_
