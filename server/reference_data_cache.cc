#include "server/reference_data_cache.h"

#include <utility>
#include <vector>

namespace dumas {
namespace {

constexpr int kPage = 500;

// Reads every row of a keyset-paged listing.
template <typename Row, typename ListFn>
absl::Status LoadIds(ListFn list, absl::flat_hash_set<std::string>& ids) {
  std::string after;
  while (true) {
    absl::StatusOr<std::vector<Row>> page = list(after, kPage);
    if (!page.ok()) return page.status();
    for (const Row& row : *page) ids.insert(row.id);
    if (static_cast<int>(page->size()) < kPage) return absl::OkStatus();
    after = page->back().id;
  }
}

}  // namespace

absl::Status ReferenceDataCache::Refresh() {
  absl::flat_hash_set<std::string> categories;
  absl::flat_hash_set<std::string> units;
  absl::Status status = LoadIds<Category>(
      [this](std::string_view after, int limit) { return store_.ListCategories(after, limit); },
      categories);
  if (!status.ok()) return status;
  status = LoadIds<Unit>(
      [this](std::string_view after, int limit) { return store_.ListUnits(after, limit); },
      units);
  if (!status.ok()) return status;
  absl::StatusOr<std::vector<absl::CivilDay>> holidays = store_.ListHolidays();
  if (!holidays.ok()) return holidays.status();

  auto snapshot = std::make_shared<const ReferenceSnapshot>(ReferenceSnapshot{
      std::move(categories), std::move(units), WorkingDayCalendar(*holidays)});
  absl::MutexLock lock(&mu_);
  snapshot_ = std::move(snapshot);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> ReferenceDataCache::Current() {
  {
    absl::MutexLock lock(&mu_);
    if (snapshot_ != nullptr) return snapshot_;
  }
  if (absl::Status status = Refresh(); !status.ok()) return status;
  absl::MutexLock lock(&mu_);
  return snapshot_;
}

}  // namespace dumas
