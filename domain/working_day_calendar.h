// Working days of Polres Palu: Monday to Friday, less the holidays kept as
// data. Deadlines of Perpol 2/2024 count in working days.
//
// Each holiday has its kind (SKB 3 Menteri): a libur nasional is never a
// working day; a cuti bersama (collective leave, on which government offices
// do not work) is one only when the calendar is told not to skip them. The
// calendar also knows which years it holds: a year is loaded once its
// holidays were set, even to none. A due date that reaches into a year that
// is not loaded is provisional: that year's holidays may still move it.
#ifndef DUMAS_DOMAIN_WORKING_DAY_CALENDAR_H_
#define DUMAS_DOMAIN_WORKING_DAY_CALENDAR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/complaint.h"

namespace dumas {

// Palu keeps WITA (UTC+8, no daylight saving time).
absl::TimeZone PaluTimeZone();

// Working days a complaint waits for its progress letter (SP3D).
inline constexpr int kSp3dWorkingDays = 20;
// Working days from the SP3D to the clarification result.
inline constexpr int kResultWorkingDays = 40;

// A due date and what it was counted from.
struct Deadline {
  absl::CivilDay start;  // counting begins the day after
  absl::CivilDay due;
  // The first year of (start, due] whose holidays are not loaded; set when
  // the due date is provisional.
  std::optional<int> unloaded_year;

  bool provisional() const { return unloaded_year.has_value(); }
};

// An immutable calendar; thread-safe.
class WorkingDayCalendar {
 public:
  // Every day a libur nasional; the years of the days are the loaded years.
  explicit WorkingDayCalendar(const std::vector<absl::CivilDay>& holidays);

  // `holidays` with their kinds (a kind of kUnspecified counts as
  // kLiburNasional; names are not used), the years whose holidays were set,
  // and whether cuti bersama are non-working days.
  WorkingDayCalendar(const std::vector<Holiday>& holidays, const std::vector<int>& loaded_years,
                     bool skip_cuti_bersama);

  // Whether `day` is a weekday that is not a holiday (a cuti bersama counts
  // as a holiday only when skipped).
  bool IsWorkingDay(absl::CivilDay day) const;

  // The kind of the holiday on `day`, skipped or not; nullopt for other days.
  std::optional<HolidayKind> HolidayKindOf(absl::CivilDay day) const;

  // Whether the holidays of `year` were set (possibly to none).
  bool IsLoaded(int year) const;

  // Whether cuti bersama are non-working days.
  bool skips_cuti_bersama() const { return skip_cuti_bersama_; }

  // The `n`-th working day after `start` (start itself does not count, n >= 0;
  // n == 0 returns start).
  absl::CivilDay AddWorkingDays(absl::CivilDay start, int n) const;

  // The number of working days in (from, to]; 0 when to <= from.
  int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;

  // The deadline `n` working days after `start` (AddWorkingDays), with the
  // first year it reaches into that is not loaded.
  Deadline DeadlineFrom(absl::CivilDay start, int n) const;

  // The first year of the days (start, due] that is not loaded; nullopt when
  // every one is (and when due <= start). A due date counted over such a year
  // is provisional.
  std::optional<int> FirstUnloadedYear(absl::CivilDay start, absl::CivilDay due) const;
  bool IsProvisional(absl::CivilDay start, absl::CivilDay due) const {
    return FirstUnloadedYear(start, due).has_value();
  }

  // 32 bytes that change whenever a due date or its provisional flag could:
  // the holidays with their kinds, the loaded years and skip_cuti_bersama
  // (not the holidays' names). Equal calendars have equal digests.
  std::string Digest() const;

 private:
  absl::flat_hash_map<absl::CivilDay, HolidayKind> kinds_;
  absl::flat_hash_set<absl::CivilDay> non_working_;  // the holidays that count
  absl::flat_hash_set<int> loaded_years_;
  bool skip_cuti_bersama_ = true;
};

}  // namespace dumas

#endif  // DUMAS_DOMAIN_WORKING_DAY_CALENDAR_H_
