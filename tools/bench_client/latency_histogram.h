// LatencyHistogram: a fixed-size log-linear histogram of durations (the HDR
// histogram layout), cheap enough to record every call of a load run.
#ifndef DUMAS_TOOLS_BENCH_CLIENT_LATENCY_HISTOGRAM_H_
#define DUMAS_TOOLS_BENCH_CLIENT_LATENCY_HISTOGRAM_H_

#include <array>
#include <cstdint>

#include "absl/time/time.h"

namespace dumas::bench {

// Values are nanoseconds. Below 2^(kSubBucketBits+1) ns every value has its
// own bucket; above, each power of two is split into 2^kSubBucketBits
// buckets, so a reported value is within 1/128 (0.8%) of the true one.
// Values of 2^40 ns (about 18 minutes) and more share the last bucket.
//
// Not thread-safe: give each recording thread (or call slot) its own and
// Merge them afterwards.
class LatencyHistogram {
 public:
  void Record(absl::Duration latency);
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  absl::Duration max() const { return absl::Nanoseconds(max_ns_); }

  // The value at `quantile` (0..1) of the recorded values: the midpoint of
  // the bucket that holds it. Zero when nothing was recorded.
  absl::Duration Quantile(double quantile) const;

 private:
  static constexpr int kSubBucketBits = 7;
  static constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;
  static constexpr int kMaxValueBits = 40;
  static constexpr int kBuckets = (kMaxValueBits - kSubBucketBits + 1) * kSubBuckets;

  static int BucketOf(uint64_t ns);
  static uint64_t LowestValueOf(int bucket);

  std::array<int64_t, kBuckets> counts_{};
  int64_t count_ = 0;
  int64_t max_ns_ = 0;
};

}  // namespace dumas::bench

#endif  // DUMAS_TOOLS_BENCH_CLIENT_LATENCY_HISTOGRAM_H_
