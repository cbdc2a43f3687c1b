// TrackingCache keeps recent answers of the tracking query in memory, so that
// a complainant (or a website) polling a complaint's progress does not cost a
// database round trip each time. It caches what the database said about a
// reference number — whether it exists, its tracking-code hash and the
// complainant's view — never a decision about a presented code: the caller
// still compares the presented code's hash in constant time. Unknown
// references are cached too, so a repeated lookup costs the same whether or
// not the reference exists.
//
// Entries live for `ttl`. The store erases an entry when it commits a change
// to that complaint, so this server never serves a view older than its own
// writes; changes made through another server show after at most `ttl`.
// Thread-safe.
#ifndef DUMAS_STORAGE_TRACKING_CACHE_H_
#define DUMAS_STORAGE_TRACKING_CACHE_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "domain/complaint.h"

namespace dumas {

class TrackingCache {
 public:
  // What the database said about one reference number.
  struct Entry {
    bool found = false;
    std::string tracking_hash;  // when found
    TrackedComplaint view;      // when found
  };

  // `ttl` zero disables the cache. At most about `capacity` entries are kept.
  TrackingCache(absl::Duration ttl, size_t capacity);

  // The entry of `reference` if it is younger than the TTL.
  std::optional<Entry> Find(std::string_view reference, absl::Time now);
  void Put(std::string_view reference, Entry entry, absl::Time now);
  void Erase(std::string_view reference);

 private:
  static constexpr size_t kShards = 16;
  struct Stored {
    Entry entry;
    absl::Time expires;
  };
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Stored> entries ABSL_GUARDED_BY(mu);
  };
  Shard& ShardOf(std::string_view reference);

  const absl::Duration ttl_;
  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_TRACKING_CACHE_H_
