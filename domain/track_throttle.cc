#include "domain/track_throttle.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "domain/string_view_interop.h"

namespace dumas {

std::optional<std::string> ClientNetwork(std::string_view address) {
  if (address.empty() || address.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    char out[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &v4, out, sizeof out);
    return std::string(out);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return std::nullopt;
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.s6_addr, kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memcpy(&v4, v6.s6_addr + 12, 4);
    char out[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &v4, out, sizeof out);
    return std::string(out);
  }
  std::memset(v6.s6_addr + 8, 0, 8);  // the /64 prefix
  char out[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &v6, out, sizeof out);
  return absl::StrCat(out, "/64");
}

absl::StatusOr<std::string> TrackThrottleKey(const TrackCaller& caller) {
  if (caller.gateway_id > 0) {
    if (caller.stated_end_client.empty()) return absl::StrCat("gateway:", caller.gateway_id);
    const std::optional<std::string> network = ClientNetwork(caller.stated_end_client);
    if (!network.has_value()) {
      return absl::InvalidArgumentError(
          "metadata dumas-end-client-ip must be the end client's IPv4 or IPv6 address");
    }
    return absl::StrCat("gateway:", caller.gateway_id, ":", *network);
  }
  const std::optional<std::string> network = ClientNetwork(caller.peer_address);
  return absl::StrCat("peer:", network.value_or("local"));
}

bool ThrottledClients::Contains(std::string_view key, absl::Time now) const {
  absl::ReaderMutexLock lock(&mu_);
  const auto it = until_.find(ToAbsl(key));
  return it != until_.end() && it->second > now;
}

void ThrottledClients::Add(std::string_view key, absl::Time until) {
  absl::MutexLock lock(&mu_);
  if (until_.size() >= capacity_ && !until_.contains(ToAbsl(key))) {
    // Expired entries first; then the half that ends soonest.
    const absl::Time now = absl::Now();
    absl::erase_if(until_, [now](const auto& entry) { return entry.second <= now; });
    if (until_.size() >= capacity_) {
      std::vector<absl::Time> ends;
      ends.reserve(until_.size());
      for (const auto& [k, end] : until_) ends.push_back(end);
      std::nth_element(ends.begin(), ends.begin() + ends.size() / 2, ends.end());
      const absl::Time cut = ends[ends.size() / 2];
      absl::erase_if(until_, [cut](const auto& entry) { return entry.second <= cut; });
    }
  }
  absl::Time& end = until_[std::string(key)];
  end = std::max(end, until);
}

}  // namespace dumas
