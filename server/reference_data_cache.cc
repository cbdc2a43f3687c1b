#include "server/reference_data_cache.h"

#include <utility>
#include <vector>

namespace dumas {
namespace {

constexpr int kPage = 500;

// Reads every row of a keyset-paged listing into `add`.
template <typename Row, typename ListFn, typename AddFn>
absl::Status LoadAll(ListFn list, AddFn add) {
  std::string after;
  while (true) {
    absl::StatusOr<std::vector<Row>> page = list(after, kPage);
    if (!page.ok()) return page.status();
    for (const Row& row : *page) add(row);
    if (static_cast<int>(page->size()) < kPage) return absl::OkStatus();
    after = page->back().id;
  }
}

}  // namespace

absl::Status ReferenceDataCache::Refresh() {
  absl::MutexLock refreshing(&refresh_mu_);
  ReferenceSnapshot snapshot{{}, {}, {}, {}, WorkingDayCalendar({}), {}};
  absl::Status status = LoadAll<Category>(
      [this](const std::string& after, int limit) { return store_.ListCategories(after, limit); },
      [&](const Category& row) {
        snapshot.category_ids.insert(row.id);
        snapshot.category_names[row.id] = row.indonesian_name;
      });
  if (!status.ok()) return status;
  status = LoadAll<Unit>(
      [this](const std::string& after, int limit) { return store_.ListUnits(after, limit); },
      [&](const Unit& row) {
        snapshot.unit_ids.insert(row.id);
        snapshot.unit_names[row.id] = row.display_name;
      });
  if (!status.ok()) return status;
  absl::StatusOr<std::vector<RoutingRule>> rules = admin_.ListRoutingRules();
  if (!rules.ok()) return rules.status();
  for (const RoutingRule& rule : *rules) snapshot.routing_rules[rule.category_id] = rule.unit_id;
  absl::StatusOr<StoredCalendar> calendar = admin_.LoadCalendar();
  if (!calendar.ok()) return calendar.status();
  snapshot.calendar = WorkingDayCalendar(calendar->holidays, calendar->settings.loaded_years,
                                         calendar->settings.skip_cuti_bersama);

  auto shared = std::make_shared<const ReferenceSnapshot>(std::move(snapshot));
  absl::MutexLock lock(&mu_);
  snapshot_ = std::move(shared);
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
