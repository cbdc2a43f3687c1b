#include "storage/tracking_cache.h"

#include <functional>
#include <utility>

#include <algorithm>

namespace dumas {

TrackingCache::TrackingCache(absl::Duration ttl, size_t capacity)
    : ttl_(ttl), shard_capacity_(std::max<size_t>(1, capacity / kShards)) {}

TrackingCache::Shard& TrackingCache::ShardOf(std::string_view reference) {
  return shards_[std::hash<std::string_view>{}(reference) % kShards];
}

TrackingCache::Lookup TrackingCache::Find(std::string_view reference, absl::Time now) {
  if (ttl_ <= absl::ZeroDuration()) return {};
  Shard& shard = ShardOf(reference);
  absl::MutexLock lock(&shard.mu);
  const auto it = shard.entries.find(std::string(reference));
  if (it == shard.entries.end() || it->second.expires <= now) return {std::nullopt, shard.erasures};
  return {it->second.entry, shard.erasures};
}

void TrackingCache::Put(std::string_view reference, Entry entry, absl::Time now,
                        uint64_t ticket) {
  if (ttl_ <= absl::ZeroDuration()) return;
  Shard& shard = ShardOf(reference);
  absl::MutexLock lock(&shard.mu);
  if (shard.erasures != ticket) return;  // a change came in between: the load may be older
  if (shard.entries.size() >= shard_capacity_) {
    absl::erase_if(shard.entries, [now](const auto& e) { return e.second.expires <= now; });
    // Still full of live entries: make room at random; they are only a cache.
    if (shard.entries.size() >= shard_capacity_) shard.entries.erase(shard.entries.begin());
  }
  shard.entries.insert_or_assign(std::string(reference), Stored{std::move(entry), now + ttl_});
}

void TrackingCache::Erase(std::string_view reference) {
  if (ttl_ <= absl::ZeroDuration()) return;
  Shard& shard = ShardOf(reference);
  absl::MutexLock lock(&shard.mu);
  ++shard.erasures;
  shard.entries.erase(std::string(reference));
}

}  // namespace dumas
