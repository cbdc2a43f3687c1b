#include "domain/complaint.h"

#include <array>
#include <string_view>

namespace dumas {
namespace {

constexpr std::array<absl::string_view, kMaxRole + 1> kRoleNames = {
    "ROLE_UNSPECIFIED", "GATEWAY", "INTAKE", "UNIT", "SUPERVISOR", "OVERSIGHT", "ADMIN"};
constexpr std::array<absl::string_view, kMaxChannel + 1> kChannelNames = {
    "UNSPECIFIED", "WEB",      "FACEBOOK", "EMAIL",    "TWITTER",
    "WHATSAPP",    "PHONE",    "WALK_IN",  "KOMPOLNAS"};
constexpr std::array<absl::string_view, kMaxComplaintState + 1> kStateNames = {
    "UNSPECIFIED", "RECEIVED",  "VERIFIED", "ARCHIVED", "REJECTED", "ASSIGNED",
    "UNDER_INVESTIGATION", "CONCLUDED", "ANSWERED", "CLOSED", "REOPENED"};

template <typename Enum, size_t N>
absl::string_view NameOf(const std::array<absl::string_view, N>& names, Enum value) {
  const auto i = static_cast<size_t>(value);
  return i < N ? names[i] : names[0];
}

}  // namespace

absl::string_view RoleName(Role role) { return NameOf(kRoleNames, role); }

std::optional<Role> RoleFromName(absl::string_view name) {
  for (size_t i = 1; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

absl::string_view ChannelName(Channel channel) { return NameOf(kChannelNames, channel); }

absl::string_view ComplaintStateName(ComplaintState state) {
  return NameOf(kStateNames, state);
}

}  // namespace dumas
