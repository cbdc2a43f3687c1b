#include "domain/working_day_calendar.h"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"

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
    : non_working_(holidays.begin(), holidays.end()) {
  for (const absl::CivilDay& day : holidays) {
    kinds_[day] = HolidayKind::kLiburNasional;
    loaded_years_.insert(static_cast<int>(day.year()));
  }
}

WorkingDayCalendar::WorkingDayCalendar(const std::vector<Holiday>& holidays,
                                       const std::vector<int>& loaded_years,
                                       bool skip_cuti_bersama)
    : loaded_years_(loaded_years.begin(), loaded_years.end()),
      skip_cuti_bersama_(skip_cuti_bersama) {
  for (const Holiday& holiday : holidays) {
    const HolidayKind kind = holiday.kind == HolidayKind::kCutiBersama
                                 ? HolidayKind::kCutiBersama
                                 : HolidayKind::kLiburNasional;
    kinds_[holiday.day] = kind;
    if (kind == HolidayKind::kLiburNasional || skip_cuti_bersama) {
      non_working_.insert(holiday.day);
    }
  }
}

bool WorkingDayCalendar::IsWorkingDay(absl::CivilDay day) const {
  return !IsWeekend(day) && !non_working_.contains(day);
}

std::optional<HolidayKind> WorkingDayCalendar::HolidayKindOf(absl::CivilDay day) const {
  const auto it = kinds_.find(day);
  if (it == kinds_.end()) return std::nullopt;
  return it->second;
}

bool WorkingDayCalendar::IsLoaded(int year) const { return loaded_years_.contains(year); }

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
  for (const absl::CivilDay& holiday : non_working_) {
    if (holiday > from && holiday <= to && !IsWeekend(holiday)) --count;
  }
  return static_cast<int>(count);
}

Deadline WorkingDayCalendar::DeadlineFrom(absl::CivilDay start, int n) const {
  Deadline deadline;
  deadline.start = start;
  deadline.due = AddWorkingDays(start, n);
  deadline.unloaded_year = FirstUnloadedYear(start, deadline.due);
  return deadline;
}

std::optional<int> WorkingDayCalendar::FirstUnloadedYear(absl::CivilDay start,
                                                         absl::CivilDay due) const {
  if (due <= start) return std::nullopt;
  const int first = static_cast<int>((start + 1).year());
  const int last = static_cast<int>(due.year());
  for (int year = first; year <= last; ++year) {
    if (!loaded_years_.contains(year)) return year;
  }
  return std::nullopt;
}

std::string WorkingDayCalendar::Digest() const {
  // A canonical text of what deadlines depend on, hashed: sorted, so that
  // the hash sets' order does not matter. "v1" names this layout (and the
  // counting rules): change it when either changes.
  std::vector<std::pair<absl::CivilDay, HolidayKind>> days(kinds_.begin(), kinds_.end());
  std::sort(days.begin(), days.end());
  std::vector<int> years(loaded_years_.begin(), loaded_years_.end());
  std::sort(years.begin(), years.end());
  std::string text = absl::StrCat("v1;skip_cuti_bersama=", skip_cuti_bersama_ ? 1 : 0, ";years=");
  for (int year : years) absl::StrAppend(&text, year, ",");
  absl::StrAppend(&text, ";days=");
  for (const auto& [day, kind] : days) {
    absl::StrAppend(&text, absl::FormatCivilTime(day), ":", static_cast<int>(kind), ",");
  }
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  return digest;
}

}  // namespace dumas
