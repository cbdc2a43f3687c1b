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
#include <cstdint>
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

  // What Find knows of a reference: its entry if it is younger than the TTL;
  // else a ticket for the Put of what the caller loads instead.
  struct Lookup {
    std::optional<Entry> entry;
    uint64_t ticket = 0;
  };
  Lookup Find(std::string_view reference, absl::Time now);
  // Stores what the caller loaded after Find gave it `ticket` — unless an
  // Erase (of this reference or one sharing its shard) came in between: the
  // load may then predate the change the Erase announced, and is dropped.
  void Put(std::string_view reference, Entry entry, absl::Time now, uint64_t ticket);
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
    uint64_t erasures ABSL_GUARDED_BY(mu) = 0;  // the tickets
  };
  Shard& ShardOf(std::string_view reference);

  const absl::Duration ttl_;
  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_TRACKING_CACHE_H_
