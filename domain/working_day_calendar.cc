#include "domain/working_day_calendar.h"

#include <algorithm>
#include <cstdint>

namespace dumas {
namespace {

// The number of weekdays in [kMonday, day], extended to days before kMonday
// so that Weekdays(to) - Weekdays(from) counts the weekdays in (from, to].
int64_t Weekdays(absl::CivilDay day) {
  static constexpr absl::CivilDay kMonday(1970, 1, 5);
  const int64_t days = day - kMonday;
  // Floor division, so that days before kMonday fall into earlier weeks.
  const int64_t weeks = days >= 0 ? days / 7 : -((-days + 6) / 7);
  const int64_t weekday = days - 7 * weeks;  // 0 = Monday ... 6 = Sunday
  return 5 * weeks + std::min<int64_t>(weekday + 1, 5);
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

}  // namespace

// A fixed offset rather than "Asia/Makassar": WITA has had no DST since 1950,
// and a fixed zone needs no tzdata on the server.
absl::TimeZone PaluTimeZone() { return absl::FixedTimeZone(8 * 60 * 60); }

WorkingDayCalendar::WorkingDayCalendar(const std::vector<absl::CivilDay>& holidays)
    : holidays_(holidays.begin(), holidays.end()) {}

bool WorkingDayCalendar::IsWorkingDay(absl::CivilDay day) const {
  return !IsWeekend(day) && !holidays_.contains(day);
}

absl::CivilDay WorkingDayCalendar::AddWorkingDays(absl::CivilDay start, int n) const {
  absl::CivilDay day = start;
  while (n > 0) {
    ++day;
    if (IsWorkingDay(day)) --n;
  }
  return day;
}

int WorkingDayCalendar::WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const {
  if (to <= from) return 0;
  // Weekdays by arithmetic, less the holidays on weekdays: O(holidays) rather
  // than O(days), as backlog reports span years.
  int64_t count = Weekdays(to) - Weekdays(from);
  for (const absl::CivilDay& holiday : holidays_) {
    if (holiday > from && holiday <= to && !IsWeekend(holiday)) --count;
  }
  return static_cast<int>(count);
}

}  // namespace dumas
