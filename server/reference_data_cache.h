// ReferenceDataCache keeps the categories, units and working-day calendar
// (holidays with their kinds, loaded years, whether cuti bersama are skipped)
// in memory, so that validating a submission costs no database round trip.
#ifndef DUMAS_SERVER_REFERENCE_DATA_CACHE_H_
#define DUMAS_SERVER_REFERENCE_DATA_CACHE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "domain/working_day_calendar.h"
#include "storage/case_store.h"
#include "storage/complaint_store.h"

namespace dumas {

// One consistent load of the reference data.
struct ReferenceSnapshot {
  absl::flat_hash_set<std::string> category_ids;
  absl::flat_hash_set<std::string> unit_ids;
  absl::flat_hash_map<std::string, std::string> unit_names;     // id -> display name
  absl::flat_hash_map<std::string, std::string> routing_rules;  // category id -> unit id
  WorkingDayCalendar calendar;
  absl::flat_hash_map<std::string, std::string> category_names;  // id -> Indonesian name
};

class ReferenceDataCache {
 public:
  ReferenceDataCache(ReferenceDataStore& store, AdminStore& admin)
      : store_(store), admin_(admin) {}

  // Loads everything anew and swaps it in. On error the previous snapshot
  // stays. Thread-safe: refreshes run one at a time, so that a load begun
  // before a change committed never replaces one begun after it.
  absl::Status Refresh() ABSL_LOCKS_EXCLUDED(refresh_mu_, mu_);

  // The latest snapshot, loading it first if there is none yet; UNAVAILABLE
  // when there is none and the store cannot be read. Thread-safe.
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> Current()
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  ReferenceDataStore& store_;
  AdminStore& admin_;
  absl::Mutex refresh_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  std::shared_ptr<const ReferenceSnapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dumas

#endif  // DUMAS_SERVER_REFERENCE_DATA_CACHE_H_
