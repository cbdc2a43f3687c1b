// AnevReports: the monthly analysis-and-evaluation reports (docs/anev-report.md)
// as the server serves them. A closed month is frozen once, some minutes
// after it ends (by a background pass, or by the first request that needs
// it), and served from the store from then on; the current month, and a
// month closed less than `freeze_delay` ago, are computed on each request.
// The corrections a live report lists (the month before as frozen against the
// same month as the data stands now) come from a recomputation of the month
// before that is at most `corrections_max_age` old, kept fresh by the
// background pass (RefreshCorrections), so that a request reads one month,
// not two. A report carries, beside the month's figures, those of the month before
// and of the same month a year earlier, the shortfalls and the twelve
// months' trend.
//
// Freezing reads the month in one consistent snapshot (no locks: intake
// goes on) and writes every scope's report in one transaction
// (AnevStore::FreezeAnevMonth). Two processes freezing the same month at once
// both compute it; the first commit wins and the other's work is dropped, so
// each month is frozen exactly once.
//
// Thread-safe.
#ifndef DUMAS_SERVER_ANEV_REPORTS_H_
#define DUMAS_SERVER_ANEV_REPORTS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/anev_figures.h"
#include "domain/anev_report.h"
#include "server/reference_data_cache.h"
#include "storage/anev_store.h"

namespace dumas {

class AnevReports {
 public:
  struct Options {
    // How long after its end a month is frozen. Changes made just before
    // the end may still be committing for a moment; until then the month is
    // computed on each request (and served as not frozen).
    absl::Duration freeze_delay = absl::Minutes(10);
    // How often the background pass looks for closed months to freeze;
    // zero or less: never (requests still freeze what they need).
    absl::Duration freeze_interval = absl::Minutes(1);
    // How old the recomputed month before behind a live report's
    // corrections may be. Older, or zero, and the request recomputes it (in
    // the same snapshot as the month). The background pass recomputes it
    // once it is half that old at a quiet moment (no live report read for
    // corrections_quiet), and at three quarters whatever the load, so that
    // requests do not have to and seldom run beside it; the freeze of the
    // month before keeps what it read as the first recomputation. The
    // background pass should run (freeze_interval) well within a quarter of
    // it.
    absl::Duration corrections_max_age = absl::Minutes(15);
    absl::Duration corrections_quiet = absl::Seconds(30);
    // How long a public report (kAnevScopePublic) is served again to every
    // caller before it is computed anew; zero: computed for each. Anyone may
    // ask for it without a token, and a live month costs about a second of
    // the database's CPU at a million complaints, so callers asking at once
    // also wait for one computation instead of each running their own.
    absl::Duration public_max_age = absl::Seconds(60);
  };

  // A month's figures in one scope as served.
  struct Served {
    AnevFigures figures;
    bool frozen = false;
    absl::Time freeze_time;
    std::string month_digest;  // frozen only
    std::vector<std::pair<std::string, std::string>> month_scope_digests;  // frozen only
    // When the data behind the corrections table was read: the freeze for a
    // frozen month, the recomputation of the month before for a live one;
    // nullopt when there was no frozen month before to correct.
    std::optional<absl::Time> corrections_as_of;
  };

  struct Report {
    Served month;
    std::optional<Served> previous_month;  // absent: no report of that scope
    std::optional<Served> year_earlier;
    std::vector<AnevTable> shortfalls;
    AnevTable trend;
  };

  // The store and cache must outlive this.
  AnevReports(AnevStore& store, ReferenceDataCache& cache, Options options);

  // The report of `month` in `scope` (kAnevScopeResort, kAnevScopePublic or
  // AnevUnitScope), as at `now`, freezing the closed months it needs that
  // are not frozen yet (from the first complaint's month on: a month before
  // it is served empty, never frozen). `month` must not be after the month
  // of `now`.
  // NOT_FOUND when `month` is frozen without a report of the unit (it did
  // not exist then). The public scope's report may be one computed up to
  // public_max_age before `now` (its figures say as at when).
  absl::StatusOr<Report> Get(absl::CivilMonth month, const std::string& scope, absl::Time now)
      ABSL_LOCKS_EXCLUDED(freeze_mu_, public_mu_);

  // Freezes every closed month due to be frozen (ended at least freeze_delay
  // before `now`) from the month of the earliest complaint on that is not
  // frozen yet, oldest first; stops early when `stop` returns true. Returns
  // how many months it froze.
  absl::StatusOr<int> FreezeDueMonths(absl::Time now, absl::FunctionRef<bool()> stop)
      ABSL_LOCKS_EXCLUDED(freeze_mu_);

  // What the background pass prepares so that a live report reads only its
  // own month: the counts of officers named in the eleven months before the
  // current month (once the month before is due to be frozen: every
  // complaint received in it has committed) and before the month before
  // (read by the corrections' recomputation), and RefreshCorrections.
  absl::Status Prepare(absl::Time now) ABSL_LOCKS_EXCLUDED(corrections_mu_);

  // Recomputes the month before the month of `now` (as at its end, as the
  // data stands now) for the live report's corrections when that month is
  // frozen and its recomputation is missing, at least three quarters of
  // corrections_max_age old, or at least half and no live report has been
  // read (by Get) for corrections_quiet before `now`. Returns whether it
  // read anything.
  absl::StatusOr<bool> RefreshCorrections(absl::Time now) ABSL_LOCKS_EXCLUDED(corrections_mu_);

  const Options& options() const { return options_; }

 private:
  // The month before a live month, recomputed for its corrections.
  struct Recomputed {
    absl::CivilMonth month;
    absl::Time read_at;
    AnevMonthData data;
  };

  // A public report computed lately, or being computed.
  struct PublicEntry {
    absl::Time computed_at;
    std::shared_ptr<const Report> report;  // nullptr until one is computed
    bool computing = false;
    int waiting = 0;  // callers waiting for the computation
  };

  // Get without the public reports' reuse.
  absl::StatusOr<Report> Compute(absl::CivilMonth month, const std::string& scope, absl::Time now)
      ABSL_LOCKS_EXCLUDED(freeze_mu_);

  // Whether `month` is due to be frozen as at `now`.
  bool Freezable(absl::CivilMonth month, absl::Time now) const;

  // Keeps `recomputed` unless what is kept is of a later month or was read
  // later.
  void Keep(std::shared_ptr<const Recomputed> recomputed) ABSL_LOCKS_EXCLUDED(corrections_mu_);

  // Freezes `month` unless it is frozen already.
  absl::Status Freeze(absl::CivilMonth month, absl::Time now) ABSL_LOCKS_EXCLUDED(freeze_mu_);

  AnevStore& store_;
  ReferenceDataCache& cache_;
  const Options options_;
  // One freeze at a time in this process (other processes are settled by
  // the store).
  absl::Mutex freeze_mu_;
  // The latest recomputation of a month before a live month.
  absl::Mutex corrections_mu_;
  std::shared_ptr<const Recomputed> recomputed_ ABSL_GUARDED_BY(corrections_mu_);
  // Live reads by requests: how many run now, and when the latest began.
  int live_reads_ ABSL_GUARDED_BY(corrections_mu_) = 0;
  absl::Time last_live_read_ ABSL_GUARDED_BY(corrections_mu_) = absl::InfinitePast();
  // Public reports by month, at most public_max_age old (older ones are
  // dropped as others are kept).
  absl::Mutex public_mu_;
  std::map<absl::CivilMonth, PublicEntry> public_ ABSL_GUARDED_BY(public_mu_);
};

}  // namespace dumas

#endif  // DUMAS_SERVER_ANEV_REPORTS_H_
