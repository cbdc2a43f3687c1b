#include "tools/bench_client/latency_histogram.h"

#include <cmath>

#include "gtest/gtest.h"

namespace dumas::bench {
namespace {

TEST(LatencyHistogramTest, EmptyAnswersZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0);
  EXPECT_EQ(histogram.Quantile(0.5), absl::ZeroDuration());
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (int ns = 1; ns <= 100; ++ns) histogram.Record(absl::Nanoseconds(ns));
  EXPECT_EQ(histogram.Quantile(0.5), absl::Nanoseconds(50));
  EXPECT_EQ(histogram.Quantile(0.99), absl::Nanoseconds(99));
  EXPECT_EQ(histogram.Quantile(1.0), absl::Nanoseconds(100));
}

TEST(LatencyHistogramTest, QuantilesWithinOnePercent) {
  struct Case {
    double quantile;
    double expected_us;
  };
  LatencyHistogram histogram;
  // 1 us .. 100 ms in 1 us steps would be many; use 100,000 values of 1..100,000 us.
  for (int us = 1; us <= 100000; ++us) histogram.Record(absl::Microseconds(us));
  for (const Case& c : {Case{0.5, 50000}, Case{0.9, 90000}, Case{0.99, 99000},
                        Case{0.001, 100}}) {
    const double got = absl::ToDoubleMicroseconds(histogram.Quantile(c.quantile));
    EXPECT_LE(std::abs(got - c.expected_us) / c.expected_us, 0.01)
        << "quantile " << c.quantile << " got " << got;
  }
  EXPECT_EQ(histogram.max(), absl::Microseconds(100000));
}

TEST(LatencyHistogramTest, MergeAddsCounts) {
  LatencyHistogram a;
  LatencyHistogram b;
  for (int i = 0; i < 99; ++i) a.Record(absl::Milliseconds(1));
  b.Record(absl::Seconds(2));
  a.Merge(b);
  EXPECT_EQ(a.count(), 100);
  EXPECT_EQ(a.max(), absl::Seconds(2));
  EXPECT_NEAR(absl::ToDoubleMilliseconds(a.Quantile(0.5)), 1.0, 0.01);
  EXPECT_NEAR(absl::ToDoubleSeconds(a.Quantile(1.0)), 2.0, 0.02);
}

TEST(LatencyHistogramTest, HugeValuesShareTheLastBucket) {
  LatencyHistogram histogram;
  histogram.Record(absl::Hours(10));
  EXPECT_EQ(histogram.count(), 1);
  EXPECT_EQ(histogram.Quantile(0.5), absl::Hours(10));
}

}  // namespace
}  // namespace dumas::bench
