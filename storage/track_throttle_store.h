// The failed tracking attempts of each end client (domain/track_throttle.h),
// counted in the database so that the budget holds across server instances
// and restarts. Errors as in storage/complaint_store.h. Thread-safe.
#ifndef DUMAS_STORAGE_TRACK_THROTTLE_STORE_H_
#define DUMAS_STORAGE_TRACK_THROTTLE_STORE_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dumas {

class TrackThrottleStore {
 public:
  virtual ~TrackThrottleStore() = default;

  // Counts one failed attempt of `client_key` at `now` and returns the
  // failures of its current window, this one included, in one atomic step:
  // concurrent calls for one key each get a distinct count. The window is
  // fixed: it starts with the first failure and lasts `window`; a failure
  // after it starts a new one. The key is stored only as a keyed hash.
  virtual absl::StatusOr<int> RecordTrackFailure(std::string_view client_key, absl::Time now,
                                                 absl::Duration window) = 0;

  // Deletes up to `limit` counts whose window started before `before`;
  // returns how many.
  virtual absl::StatusOr<int64_t> PurgeTrackFailures(absl::Time before, int limit) = 0;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_TRACK_THROTTLE_STORE_H_
