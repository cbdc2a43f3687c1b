// Working days of Polres Palu: Monday to Friday, less the holidays kept as
// data. Deadlines of Perpol 2/2024 count in working days.
#ifndef DUMAS_DOMAIN_WORKING_DAY_CALENDAR_H_
#define DUMAS_DOMAIN_WORKING_DAY_CALENDAR_H_

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace dumas {

// Palu keeps WITA (UTC+8, no daylight saving time).
absl::TimeZone PaluTimeZone();

// Working days a complaint waits for its progress letter (SP3D).
inline constexpr int kSp3dWorkingDays = 20;
// Working days from the SP3D to the clarification result.
inline constexpr int kResultWorkingDays = 40;

// An immutable calendar; thread-safe.
class WorkingDayCalendar {
 public:
  explicit WorkingDayCalendar(const std::vector<absl::CivilDay>& holidays);

  // Whether `day` is a weekday that is not a holiday.
  bool IsWorkingDay(absl::CivilDay day) const;

  // The `n`-th working day after `start` (start itself does not count, n >= 0;
  // n == 0 returns start).
  absl::CivilDay AddWorkingDays(absl::CivilDay start, int n) const;

  // The number of working days in (from, to]; 0 when to <= from.
  int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;

 private:
  absl::flat_hash_set<absl::CivilDay> holidays_;
};

}  // namespace dumas

#endif  // DUMAS_DOMAIN_WORKING_DAY_CALENDAR_H_
