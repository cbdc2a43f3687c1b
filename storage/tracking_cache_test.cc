#include "storage/tracking_cache.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

TrackingCache::Entry Found(std::string hash) {
  TrackingCache::Entry entry;
  entry.found = true;
  entry.tracking_hash = std::move(hash);
  entry.view.state = ComplaintState::kReceived;
  return entry;
}

const absl::Time kNow = absl::FromUnixSeconds(1790000000);

TEST(TrackingCacheTest, ReturnsWhatWasPutUntilTheTtlEnds) {
  TrackingCache cache(absl::Seconds(2), 100);
  cache.Put("K7QM-4R9X-2HTZ", Found("h"), kNow);
  auto hit = cache.Find("K7QM-4R9X-2HTZ", kNow + absl::Seconds(1));
  ASSERT_TRUE(hit.has_value());
  EXPECT_TRUE(hit->found);
  EXPECT_EQ(hit->tracking_hash, "h");
  EXPECT_FALSE(cache.Find("K7QM-4R9X-2HTZ", kNow + absl::Seconds(2)).has_value());
  EXPECT_FALSE(cache.Find("2222-2222-2222", kNow).has_value());
}

TEST(TrackingCacheTest, UnknownReferencesAreCachedToo) {
  TrackingCache cache(absl::Seconds(2), 100);
  cache.Put("2222-2222-2222", TrackingCache::Entry{}, kNow);
  auto hit = cache.Find("2222-2222-2222", kNow);
  ASSERT_TRUE(hit.has_value());
  EXPECT_FALSE(hit->found);
}

TEST(TrackingCacheTest, EraseForgetsAtOnce) {
  TrackingCache cache(absl::Seconds(2), 100);
  cache.Put("K7QM-4R9X-2HTZ", Found("h"), kNow);
  cache.Erase("K7QM-4R9X-2HTZ");
  EXPECT_FALSE(cache.Find("K7QM-4R9X-2HTZ", kNow).has_value());
}

TEST(TrackingCacheTest, ZeroTtlDisablesIt) {
  TrackingCache cache(absl::ZeroDuration(), 100);
  cache.Put("K7QM-4R9X-2HTZ", Found("h"), kNow);
  EXPECT_FALSE(cache.Find("K7QM-4R9X-2HTZ", kNow).has_value());
}

TEST(TrackingCacheTest, StaysWithinItsCapacity) {
  TrackingCache cache(absl::Seconds(60), 160);
  for (int i = 0; i < 10000; ++i) cache.Put(absl::StrCat("ref-", i), Found("h"), kNow);
  int kept = 0;
  for (int i = 0; i < 10000; ++i) kept += cache.Find(absl::StrCat("ref-", i), kNow).has_value();
  EXPECT_LE(kept, 160);
  EXPECT_GT(kept, 0);
  // The newest entry is always kept.
  EXPECT_TRUE(cache.Find("ref-9999", kNow).has_value());
}

}  // namespace
}  // namespace dumas
