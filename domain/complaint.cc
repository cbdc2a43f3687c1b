#include "domain/complaint.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"

namespace dumas {
namespace {

constexpr std::array<absl::string_view, kMaxRole + 1> kRoleNames = {
    "ROLE_UNSPECIFIED", "GATEWAY", "INTAKE", "UNIT", "SUPERVISOR", "OVERSIGHT", "ADMIN"};
constexpr std::array<absl::string_view, kMaxChannel + 1> kChannelNames = {
    "UNSPECIFIED", "WEB",      "FACEBOOK", "EMAIL",    "TWITTER",
    "WHATSAPP",    "PHONE",    "WALK_IN",  "KOMPOLNAS"};
constexpr std::array<absl::string_view, kMaxOutcome + 1> kOutcomeNames = {
    "UNSPECIFIED",        "SUBSTANTIATED",   "PARTLY_SUBSTANTIATED",
    "NOT_SUBSTANTIATED",  "EXONERATED",      "UNFOUNDED",
    "INSUFFICIENT_EVIDENCE", "SERVICE_FAILURE", "RESOLVED_INFORMALLY"};
constexpr std::array<absl::string_view, kMaxRejectionReason + 1> kRejectionReasonNames = {
    "UNSPECIFIED", "DUPLICATE", "MISUSE", "INCOMPLETE"};
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

std::optional<Channel> ChannelFromName(absl::string_view name) {
  for (size_t i = 1; i < kChannelNames.size(); ++i) {
    if (kChannelNames[i] == name) return static_cast<Channel>(i);
  }
  return std::nullopt;
}

absl::string_view ComplaintStateName(ComplaintState state) {
  return NameOf(kStateNames, state);
}

absl::string_view OutcomeName(Outcome outcome) { return NameOf(kOutcomeNames, outcome); }

absl::string_view RejectionReasonName(RejectionReason reason) {
  return NameOf(kRejectionReasonNames, reason);
}

ChannelSet::ChannelSet(std::initializer_list<Channel> channels) {
  for (Channel channel : channels) insert(channel);
}

std::optional<ChannelSet> ChannelSet::FromMask(uint32_t mask) {
  constexpr uint32_t kKnown = ((uint32_t{1} << (kMaxChannel + 1)) - 1) & ~uint32_t{1};
  if ((mask & ~kKnown) != 0) return std::nullopt;
  ChannelSet set;
  set.mask_ = mask;
  return set;
}

void ChannelSet::insert(Channel channel) {
  const int value = static_cast<int>(channel);
  if (value > 0 && value <= kMaxChannel) mask_ |= uint32_t{1} << value;
}

bool ChannelSet::contains(Channel channel) const {
  const int value = static_cast<int>(channel);
  return value > 0 && value <= kMaxChannel && (mask_ & (uint32_t{1} << value)) != 0;
}

std::vector<Channel> ChannelSet::channels() const {
  std::vector<Channel> out;
  for (int i = 1; i <= kMaxChannel; ++i) {
    if (contains(static_cast<Channel>(i))) out.push_back(static_cast<Channel>(i));
  }
  return out;
}

std::string ChannelSet::Names() const {
  std::string names;
  for (Channel channel : channels()) {
    absl::StrAppend(&names, names.empty() ? "" : ", ", ChannelName(channel));
  }
  return names;
}

}  // namespace dumas
