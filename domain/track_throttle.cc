#include "domain/track_throttle.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "domain/string_view_interop.h"

namespace dumas {
namespace {

// The helpers take the map type as a template parameter because the window
// type is private to TrackThrottle.

bool Expired(absl::Time start, absl::Duration window, absl::Time now) {
  return now - start >= window;
}

template <typename WindowMap>
bool Exhausted(const WindowMap& windows, std::string_view key, int max_failures,
               absl::Duration window, absl::Time now) {
  const auto it = windows.find(ToAbsl(key));
  return it != windows.end() && !Expired(it->second.start, window, now) &&
         it->second.failures >= max_failures;
}

// Keeps `windows` within `max_keys`: expired windows go first, then the
// oldest. Evicting to 7/8 of the bound rather than to the bound itself makes
// the O(n) scan rare, so a flood of new keys costs O(1) per failure amortised.
// The window of `keep`, just counted, always stays.
template <typename WindowMap>
void Evict(WindowMap& windows, std::string_view keep, size_t max_keys, absl::Duration window,
           absl::Time now) {
  absl::erase_if(windows, [&](const auto& entry) {
    return entry.first != keep && Expired(entry.second.start, window, now);
  });
  if (windows.size() <= max_keys) return;

  const size_t target = max_keys - max_keys / 8;
  std::vector<std::pair<absl::Time, const std::string*>> candidates;
  candidates.reserve(windows.size());
  for (const auto& [key, w] : windows) {
    if (key != keep) candidates.emplace_back(w.start, &key);
  }
  const size_t excess = std::min(windows.size() - target, candidates.size());
  std::nth_element(candidates.begin(), candidates.begin() + excess, candidates.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> oldest;
  oldest.reserve(excess);
  for (size_t i = 0; i < excess; ++i) oldest.push_back(*candidates[i].second);
  for (const std::string& key : oldest) windows.erase(key);
}

template <typename WindowMap>
void Record(WindowMap& windows, std::string_view key, size_t max_keys, absl::Duration window,
            absl::Time now) {
  auto [it, inserted] = windows.try_emplace(std::string(key));
  auto& w = it->second;
  if (inserted || Expired(w.start, window, now)) {
    w.start = now;
    w.failures = 0;
  }
  ++w.failures;
  if (windows.size() > max_keys) Evict(windows, key, max_keys, window, now);
}

}  // namespace

TrackThrottle::TrackThrottle(Options options) : options_(std::move(options)) {}

bool TrackThrottle::Allowed(std::string_view caller, std::string_view reference,
                            absl::Time now) {
  absl::ReaderMutexLock lock(&mu_);
  return !Exhausted(callers_, caller, options_.max_failures_per_caller, options_.window, now) &&
         !Exhausted(references_, reference, options_.max_failures_per_reference,
                    options_.window, now);
}

void TrackThrottle::RecordFailure(std::string_view caller, std::string_view reference,
                                  absl::Time now) {
  absl::MutexLock lock(&mu_);
  Record(callers_, caller, options_.max_tracked_keys, options_.window, now);
  Record(references_, reference, options_.max_tracked_keys, options_.window, now);
}

}  // namespace dumas
