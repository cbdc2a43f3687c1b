// TrackThrottle slows down guessing of tracking codes: after too many failed
// TrackComplaint calls from one caller, or against one reference number, it
// refuses further attempts for a while.
#ifndef DUMAS_DOMAIN_TRACK_THROTTLE_H_
#define DUMAS_DOMAIN_TRACK_THROTTLE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dumas {

class TrackThrottle {
 public:
  struct Options {
    int max_failures_per_caller = 20;    // within `window`
    int max_failures_per_reference = 5;  // within `window`
    absl::Duration window = absl::Minutes(15);
    size_t max_tracked_keys = 100000;  // memory bound; oldest entries go first
  };

  explicit TrackThrottle(Options options);

  // Whether an attempt by `caller` (the peer address) against `reference`
  // (canonical) may go ahead at `now`. Thread-safe.
  bool Allowed(std::string_view caller, std::string_view reference, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Counts a failed attempt (unknown reference or wrong code). Thread-safe.
  void RecordFailure(std::string_view caller, std::string_view reference,
                     absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Window {
    absl::Time start;
    int failures = 0;
  };
  const Options options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Window> callers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Window> references_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dumas

#endif  // DUMAS_DOMAIN_TRACK_THROTTLE_H_
