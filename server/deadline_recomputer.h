// DeadlineRecomputer keeps the stored due dates of running deadlines on the
// working-day calendar in force. A correction of the calendar (SetHolidays,
// SetCalendarSettings, a migration, another server's change) moves the due
// dates of every SP3D and result deadline still running, counted again from
// the day each started (domain/complaint_deadlines.h).
//
// Every server checks after each load of the calendar (at start, after its
// periodic refresh, after an administrative change through it): a pass runs
// when the digest of the calendar the stored deadlines follow (kept in the
// database) differs from the loaded calendar's, or when the calendar changed
// under this server since its last check (it may have computed due dates with
// the old one after another server's pass). Passes are idempotent, so two
// servers running one at the same time agree.
//
// Cost: a pass reads the complaints table once by primary key, in batches of
// `batch_size` open complaints in one short transaction each (the batch's rows
// locked, one UPDATE of those that changed); intake never waits for it and a
// state change waits at most for one batch. Measured on 2 cores with 100,000
// complaints, 30,000 of them open: 2.2 s when every open due date moved (151
// batches of 200, about 15 ms each), 0.45 s when none did. No event is
// written and etags stay as they are.
#ifndef DUMAS_SERVER_DEADLINE_RECOMPUTER_H_
#define DUMAS_SERVER_DEADLINE_RECOMPUTER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "domain/working_day_calendar.h"
#include "server/reference_data_cache.h"
#include "storage/case_store.h"

namespace dumas {

// Whether the deadline (start, due] reaches into a year `calendar` does not
// hold. When it does, logs it (the deadline's name, "sp3d" or "result", and
// the year: no personal data), so that the year's holidays get loaded.
bool FlagProvisionalDeadline(absl::string_view deadline, const WorkingDayCalendar& calendar,
                             absl::CivilDay start, absl::CivilDay due);

class DeadlineRecomputer {
 public:
  struct Options {
    // Complaints per batch (one transaction each), at most 1000.
    int batch_size = 200;
  };

  // What one pass did.
  struct Pass {
    int64_t batches = 0;
    int64_t read = 0;     // complaints not archived, rejected or closed
    int64_t changed = 0;  // of which due dates or provisional flags moved
  };

  // `store` and `cache` must outlive the recomputer.
  DeadlineRecomputer(DeadlineStore& store, ReferenceDataCache& cache, Options options);

  // Runs a pass under the calendar `cache` holds when one is owed (see above)
  // and then records its digest; nullopt when none was. Logs what the pass
  // did. On error the pass stays owed, and the next call runs it again.
  // Thread-safe: calls run one at a time, each with the calendar cached when
  // it starts, so that a call that waited never works with an older one.
  absl::StatusOr<std::optional<Pass>> Reconcile() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::StatusOr<Pass> RunPass(const WorkingDayCalendar& calendar)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  DeadlineStore& store_;
  ReferenceDataCache& cache_;
  const Options options_;
  absl::Mutex mu_;
  // The digest of the calendar of the previous call; unset before the first.
  std::optional<std::string> seen_digest_ ABSL_GUARDED_BY(mu_);
  // The calendar changed under this server and no pass completed since.
  bool owed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_DEADLINE_RECOMPUTER_H_
