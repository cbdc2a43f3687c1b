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

// Stores what a load after a miss returned, as MySqlStore::Track does.
void PutLoaded(TrackingCache& cache, const std::string& reference, TrackingCache::Entry entry,
               absl::Time now) {
  const uint64_t ticket = cache.Find(reference, now).ticket;
  cache.Put(reference, std::move(entry), now, ticket);
}

TEST(TrackingCacheTest, ReturnsWhatWasPutUntilTheTtlEnds) {
  TrackingCache cache(absl::Seconds(2), 100);
  PutLoaded(cache, "K7QM-4R9X-2HTZ", Found("h"), kNow);
  auto hit = cache.Find("K7QM-4R9X-2HTZ", kNow + absl::Seconds(1));
  ASSERT_TRUE(hit.entry.has_value());
  EXPECT_TRUE(hit.entry->found);
  EXPECT_EQ(hit.entry->tracking_hash, "h");
  EXPECT_FALSE(cache.Find("K7QM-4R9X-2HTZ", kNow + absl::Seconds(2)).entry.has_value());
  EXPECT_FALSE(cache.Find("2222-2222-2222", kNow).entry.has_value());
}

TEST(TrackingCacheTest, UnknownReferencesAreCachedToo) {
  TrackingCache cache(absl::Seconds(2), 100);
  PutLoaded(cache, "2222-2222-2222", TrackingCache::Entry{}, kNow);
  auto hit = cache.Find("2222-2222-2222", kNow);
  ASSERT_TRUE(hit.entry.has_value());
  EXPECT_FALSE(hit.entry->found);
}

TEST(TrackingCacheTest, EraseForgetsAtOnce) {
  TrackingCache cache(absl::Seconds(2), 100);
  PutLoaded(cache, "K7QM-4R9X-2HTZ", Found("h"), kNow);
  cache.Erase("K7QM-4R9X-2HTZ");
  EXPECT_FALSE(cache.Find("K7QM-4R9X-2HTZ", kNow).entry.has_value());
}

TEST(TrackingCacheTest, ALoadThatRacedAChangeIsNotStored) {
  TrackingCache cache(absl::Seconds(2), 100);
  // A Track misses and loads the complaint as it was before a change...
  const TrackingCache::Lookup miss = cache.Find("K7QM-4R9X-2HTZ", kNow);
  ASSERT_FALSE(miss.entry.has_value());
  // ...the change commits and announces itself...
  cache.Erase("K7QM-4R9X-2HTZ");
  // ...and only then the old view arrives: it must not be served.
  cache.Put("K7QM-4R9X-2HTZ", Found("old"), kNow, miss.ticket);
  EXPECT_FALSE(cache.Find("K7QM-4R9X-2HTZ", kNow).entry.has_value());
  // The next load is stored.
  PutLoaded(cache, "K7QM-4R9X-2HTZ", Found("new"), kNow);
  const TrackingCache::Lookup hit = cache.Find("K7QM-4R9X-2HTZ", kNow);
  ASSERT_TRUE(hit.entry.has_value());
  EXPECT_EQ(hit.entry->tracking_hash, "new");
}

TEST(TrackingCacheTest, ZeroTtlDisablesIt) {
  TrackingCache cache(absl::ZeroDuration(), 100);
  PutLoaded(cache, "K7QM-4R9X-2HTZ", Found("h"), kNow);
  EXPECT_FALSE(cache.Find("K7QM-4R9X-2HTZ", kNow).entry.has_value());
}

TEST(TrackingCacheTest, StaysWithinItsCapacity) {
  TrackingCache cache(absl::Seconds(60), 160);
  for (int i = 0; i < 10000; ++i) PutLoaded(cache, absl::StrCat("ref-", i), Found("h"), kNow);
  int kept = 0;
  for (int i = 0; i < 10000; ++i) kept += cache.Find(absl::StrCat("ref-", i), kNow).entry.has_value();
  EXPECT_LE(kept, 160);
  EXPECT_GT(kept, 0);
  // The newest entry is always kept.
  EXPECT_TRUE(cache.Find("ref-9999", kNow).entry.has_value());
}

}  // namespace
}  // namespace dumas
