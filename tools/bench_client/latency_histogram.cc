#include "tools/bench_client/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace dumas::bench {

int LatencyHistogram::BucketOf(uint64_t ns) {
  if (ns < 2 * kSubBuckets) return static_cast<int>(ns);
  const int msb = std::bit_width(ns) - 1;
  const int shift = msb - kSubBucketBits;
  const int64_t bucket = shift * kSubBuckets + static_cast<int64_t>(ns >> shift);
  return static_cast<int>(std::min<int64_t>(bucket, kBuckets - 1));
}

uint64_t LatencyHistogram::LowestValueOf(int bucket) {
  if (bucket < 2 * kSubBuckets) return static_cast<uint64_t>(bucket);
  const int shift = static_cast<int>(bucket / kSubBuckets) - 1;
  return static_cast<uint64_t>(bucket - shift * kSubBuckets) << shift;
}

void LatencyHistogram::Record(absl::Duration latency) {
  const int64_t ns = std::max<int64_t>(0, absl::ToInt64Nanoseconds(latency));
  ++counts_[BucketOf(static_cast<uint64_t>(ns))];
  ++count_;
  max_ns_ = std::max(max_ns_, ns);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
}

absl::Duration LatencyHistogram::Quantile(double quantile) const {
  if (count_ == 0) return absl::ZeroDuration();
  quantile = std::clamp(quantile, 0.0, 1.0);
  // The rank (1-based) of the value asked for.
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(quantile * static_cast<double>(count_))));
  int64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      if (i == kBuckets - 1) return absl::Nanoseconds(max_ns_);  // unbounded above
      const uint64_t low = LowestValueOf(i);
      const uint64_t width = LowestValueOf(i + 1) - low;
      const uint64_t mid = low + width / 2;
      return absl::Nanoseconds(std::min<int64_t>(static_cast<int64_t>(mid), max_ns_));
    }
  }
  return absl::Nanoseconds(max_ns_);
}

}  // namespace dumas::bench
