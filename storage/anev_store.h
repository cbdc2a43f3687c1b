// Storage interface of the monthly analysis-and-evaluation report (Anev,
// docs/anev-report.md): the grouped data of a month, read without locking, and the
// frozen reports of closed months. The MySQL implementation is MySqlStore
// (storage/mysql_anev_store.cc). Errors as in storage/complaint_store.h.
#ifndef DUMAS_STORAGE_ANEV_STORE_H_
#define DUMAS_STORAGE_ANEV_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/anev_report.h"

namespace dumas {

// The frozen reports of one month.
struct FrozenAnevMonth {
  absl::CivilMonth month;
  std::string digest;  // AnevMonthDigest of the scopes' digests (hex)
  absl::Time frozen_at;
  // Every scope frozen with the month and its report's digest (hex), by scope.
  std::vector<std::pair<std::string, std::string>> scope_digests;
  // The stored forms (AnevStoredForm) of the scopes asked for, by scope.
  std::vector<std::pair<std::string, std::string>> bodies;
};

// One scope's report to freeze: its stored form and digest (hex).
struct AnevReportToFreeze {
  std::string scope;
  std::string body;
  std::string digest;
};

class AnevStore {
 public:
  virtual ~AnevStore() = default;

  // Who a read of a month's data is for. A request's read may take two
  // database connections at once, to answer in about half the time; a read
  // in the background (a freeze, the month before recomputed for the
  // corrections) takes one, and leaves the other cores to intake and to
  // requests.
  enum class ReadFor { kBackground, kRequest };

  // The data of each period (AnevMonthData), read in one consistent snapshot
  // of the database: every period sees the same committed changes and
  // nothing else. Takes no lock, so intake and case handling never wait for
  // it. The twelve months of repeated subjects end with each period.
  virtual absl::StatusOr<std::vector<AnevMonthData>> ReadAnevData(
      const std::vector<AnevPeriod>& periods, ReadFor read_for) = 0;

  // The months frozen from `first` to `last` (inclusive), ascending, each
  // with the bodies of `scope` (every scope when nullopt); a month without a
  // report of that scope has no body.
  virtual absl::StatusOr<std::vector<FrozenAnevMonth>> ListFrozenAnevMonths(
      absl::CivilMonth first, absl::CivilMonth last, const std::optional<std::string>& scope) = 0;

  // Freezes a month in one transaction: the month's row (its digest and
  // `frozen_at`) and every scope's report. A month is frozen once: when it
  // already is (by this or another process, even concurrently), nothing is
  // written and ALREADY_EXISTS is returned. The transparency log's record
  // ANEV_REPORT "reports/YYYY-MM" of the month's digest is written in the
  // same transaction (docs/anev-report.md).
  virtual absl::Status FreezeAnevMonth(absl::CivilMonth month, std::string_view digest,
                                       absl::Time frozen_at,
                                       const std::vector<AnevReportToFreeze>& reports) = 0;

  // Counts, once, how often each officer named in the complaints received in
  // the eleven months before `month` (WITA) was named, by subject unit and
  // name (docs/anev-report.md, repeated_subjects); from then on ReadAnevData
  // reads them for any period of `month` instead of those complaints. Only
  // for a month whose month before ended long enough ago that every
  // complaint received in it has committed (the freeze delay). Reads without
  // locking; nothing is written when the counts are made already (by this
  // or another process, even concurrently; finding them is one primary-key
  // read). `now` is recorded as made_at.
  virtual absl::Status MakeAnevSubjectWindow(absl::CivilMonth month, absl::Time now) = 0;

  // The month (WITA) of the earliest complaint received; nullopt when there
  // is none.
  virtual absl::StatusOr<std::optional<absl::CivilMonth>> EarliestComplaintMonth() = 0;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_ANEV_STORE_H_
