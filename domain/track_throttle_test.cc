#include "domain/track_throttle.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'780'000'000);

TrackThrottle::Options SmallOptions() {
  TrackThrottle::Options options;
  options.max_failures_per_caller = 4;
  options.max_failures_per_reference = 3;
  options.window = absl::Minutes(15);
  options.max_tracked_keys = 1000;
  return options;
}

TEST(TrackThrottleTest, AllowsUnknownKeys) {
  TrackThrottle throttle(SmallOptions());
  EXPECT_TRUE(throttle.Allowed("10.0.0.1", "AAAA-BBBB-CCCC", kT0));
}

TEST(TrackThrottleTest, LimitsFailuresAgainstOneReference) {
  TrackThrottle throttle(SmallOptions());
  // Three callers, one failure each, against the same reference.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(throttle.Allowed(absl::StrCat("caller-", i), "REF", kT0)) << i;
    throttle.RecordFailure(absl::StrCat("caller-", i), "REF", kT0 + absl::Seconds(i));
  }
  EXPECT_FALSE(throttle.Allowed("caller-new", "REF", kT0 + absl::Seconds(5)));
  EXPECT_TRUE(throttle.Allowed("caller-new", "OTHER", kT0 + absl::Seconds(5)));
  EXPECT_TRUE(throttle.Allowed("caller-0", "OTHER", kT0 + absl::Seconds(5)));
}

TEST(TrackThrottleTest, LimitsFailuresFromOneCaller) {
  TrackThrottle throttle(SmallOptions());
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(throttle.Allowed("10.0.0.1", absl::StrCat("REF-", i), kT0)) << i;
    throttle.RecordFailure("10.0.0.1", absl::StrCat("REF-", i), kT0);
  }
  EXPECT_FALSE(throttle.Allowed("10.0.0.1", "REF-NEW", kT0));
  EXPECT_TRUE(throttle.Allowed("10.0.0.2", "REF-NEW", kT0));
  EXPECT_TRUE(throttle.Allowed("10.0.0.2", "REF-0", kT0));
}

TEST(TrackThrottleTest, WindowsAreFixedAndReset) {
  const TrackThrottle::Options options = SmallOptions();
  TrackThrottle throttle(options);
  // The window starts at the first failure; later failures do not extend it.
  throttle.RecordFailure("c", "REF", kT0);
  throttle.RecordFailure("c", "REF", kT0 + absl::Minutes(10));
  throttle.RecordFailure("c", "REF", kT0 + options.window - absl::Seconds(1));
  EXPECT_FALSE(throttle.Allowed("c", "REF", kT0 + options.window - absl::Nanoseconds(1)));
  EXPECT_TRUE(throttle.Allowed("c", "REF", kT0 + options.window));

  // A failure after the window starts a new one with a count of one.
  const absl::Time t1 = kT0 + options.window;
  throttle.RecordFailure("c", "REF", t1);
  EXPECT_TRUE(throttle.Allowed("c", "REF", t1));
  throttle.RecordFailure("c", "REF", t1 + absl::Seconds(1));
  EXPECT_TRUE(throttle.Allowed("c", "REF", t1 + absl::Seconds(1)));
  throttle.RecordFailure("c", "REF", t1 + absl::Seconds(2));
  EXPECT_FALSE(throttle.Allowed("c", "REF", t1 + absl::Seconds(2)));
}

TEST(TrackThrottleTest, EvictsTheOldestBeyondTheBound) {
  TrackThrottle::Options options = SmallOptions();
  options.max_failures_per_caller = 1;
  options.max_failures_per_reference = 1000;
  options.max_tracked_keys = 4;
  TrackThrottle throttle(options);
  for (int i = 0; i < 4; ++i) {
    throttle.RecordFailure(absl::StrCat("caller-", i), "REF", kT0 + absl::Seconds(i));
  }
  const absl::Time now = kT0 + absl::Seconds(10);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(throttle.Allowed(absl::StrCat("caller-", i), "X", now));

  // A fifth caller pushes out the oldest window, and only that one.
  throttle.RecordFailure("caller-4", "REF", now);
  EXPECT_TRUE(throttle.Allowed("caller-0", "X", now));
  for (int i = 1; i < 5; ++i) EXPECT_FALSE(throttle.Allowed(absl::StrCat("caller-", i), "X", now));
}

TEST(TrackThrottleTest, DropsExpiredWindowsBeforeLiveOnes) {
  TrackThrottle::Options options = SmallOptions();
  options.max_failures_per_caller = 1;
  options.max_failures_per_reference = 1000;
  options.max_tracked_keys = 4;
  TrackThrottle throttle(options);
  throttle.RecordFailure("old-0", "REF", kT0);
  throttle.RecordFailure("old-1", "REF", kT0);
  const absl::Time later = kT0 + options.window + absl::Minutes(1);
  for (int i = 0; i < 3; ++i) throttle.RecordFailure(absl::StrCat("new-", i), "REF", later);
  // Five keys: the two expired windows go, the three live ones stay.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(throttle.Allowed(absl::StrCat("new-", i), "X", later));
}

TEST(TrackThrottleTest, KeepsRecentWindowsUnderAFlood) {
  TrackThrottle::Options options = SmallOptions();
  options.max_failures_per_caller = 1;
  options.max_failures_per_reference = 1;
  options.max_tracked_keys = 100;
  TrackThrottle throttle(options);
  constexpr int kKeys = 10000;
  for (int i = 0; i < kKeys; ++i) {
    throttle.RecordFailure(absl::StrCat("caller-", i), absl::StrCat("REF-", i),
                           kT0 + absl::Milliseconds(i));
  }
  const absl::Time now = kT0 + absl::Seconds(11);
  // Eviction keeps at least 7/8 of the bound, the newest windows.
  for (int i = kKeys - 80; i < kKeys; ++i) {
    EXPECT_FALSE(throttle.Allowed(absl::StrCat("caller-", i), "X", now)) << i;
    EXPECT_FALSE(throttle.Allowed("nobody", absl::StrCat("REF-", i), now)) << i;
  }
  int evicted = 0;
  for (int i = 0; i < kKeys - 100; ++i) {
    evicted += throttle.Allowed(absl::StrCat("caller-", i), "X", now) ? 1 : 0;
  }
  EXPECT_EQ(evicted, kKeys - 100);
}

TEST(TrackThrottleTest, CountsEveryFailureUnderConcurrency) {
  TrackThrottle::Options options = SmallOptions();
  options.max_failures_per_caller = 100000;
  options.max_failures_per_reference = 1000;
  TrackThrottle throttle(options);
  constexpr int kThreads = 4;
  constexpr int kFailuresPerThread = 249;  // 996 in all, just below the limit
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&throttle, t] {
      const std::string caller = absl::StrCat("caller-", t);
      for (int i = 0; i < kFailuresPerThread; ++i) {
        throttle.Allowed(caller, "REF", kT0);
        throttle.RecordFailure(caller, "REF", kT0);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(throttle.Allowed("caller-x", "REF", kT0));
  for (int i = 0; i < 1000 - kThreads * kFailuresPerThread; ++i) {
    throttle.RecordFailure("caller-x", "REF", kT0);
  }
  EXPECT_FALSE(throttle.Allowed("caller-y", "REF", kT0));
}

TEST(TrackThrottleTest, EvictsSafelyUnderConcurrency) {
  TrackThrottle::Options options = SmallOptions();
  options.max_failures_per_caller = 1;
  options.max_tracked_keys = 64;
  TrackThrottle throttle(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&throttle, t] {
      for (int i = 0; i < 5000; ++i) {
        const std::string caller = absl::StrCat(t, "-", i);
        const absl::Time now = kT0 + absl::Milliseconds(i);
        throttle.Allowed(caller, caller, now);
        throttle.RecordFailure(caller, caller, now);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // Each thread's last key is among the newest and still tracked.
  for (int t = 0; t < 4; ++t) {
    EXPECT_FALSE(throttle.Allowed(absl::StrCat(t, "-4999"), "X", kT0 + absl::Seconds(5)));
  }
}

}  // namespace
}  // namespace dumas
