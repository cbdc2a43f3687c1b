#include "domain/working_day_calendar.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace dumas {
namespace {

using absl::CivilDay;

// A few real holidays: Indonesian Independence Day (a Monday in 2026),
// Christmas and New Year.
WorkingDayCalendar TestCalendar() {
  return WorkingDayCalendar({CivilDay(2026, 8, 17), CivilDay(2026, 12, 25),
                             CivilDay(2027, 1, 1), CivilDay(2026, 3, 14) /* a Saturday */});
}

// The reference for the arithmetic of WorkingDaysBetween: count day by day.
int CountDayByDay(const WorkingDayCalendar& calendar, CivilDay from, CivilDay to) {
  int count = 0;
  for (CivilDay day = from + 1; day <= to; ++day) count += calendar.IsWorkingDay(day) ? 1 : 0;
  return count;
}

TEST(PaluTimeZoneTest, IsWitaWithoutDaylightSaving) {
  const absl::TimeZone palu = PaluTimeZone();
  const absl::Time new_year_utc =
      absl::FromCivil(absl::CivilSecond(2025, 12, 31, 16, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(absl::ToCivilSecond(new_year_utc, palu), absl::CivilSecond(2026, 1, 1, 0, 0, 0));
  EXPECT_EQ(absl::ToCivilDay(new_year_utc - absl::Seconds(1), palu), CivilDay(2025, 12, 31));
  // The same offset in July.
  const absl::Time july =
      absl::FromCivil(absl::CivilSecond(2026, 7, 1, 0, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(absl::ToCivilSecond(july, palu), absl::CivilSecond(2026, 7, 1, 8, 0, 0));
}

TEST(WorkingDayCalendarTest, IsWorkingDay) {
  const WorkingDayCalendar calendar = TestCalendar();
  const struct {
    CivilDay day;
    bool working;
  } cases[] = {
      {CivilDay(2026, 3, 9), true},     // Monday
      {CivilDay(2026, 3, 13), true},    // Friday
      {CivilDay(2026, 3, 14), false},   // Saturday, also listed as a holiday
      {CivilDay(2026, 3, 15), false},   // Sunday
      {CivilDay(2026, 8, 17), false},   // holiday on a Monday
      {CivilDay(2026, 8, 18), true},
      {CivilDay(2026, 12, 25), false},  // holiday on a Friday
      {CivilDay(2027, 1, 1), false},
      {CivilDay(2027, 12, 24), true},   // holidays are dates, not yearly
  };
  for (const auto& c : cases) {
    EXPECT_EQ(calendar.IsWorkingDay(c.day), c.working) << c.day;
  }
}

TEST(WorkingDayCalendarTest, AddWorkingDays) {
  const WorkingDayCalendar calendar = TestCalendar();
  const struct {
    CivilDay start;
    int n;
    CivilDay expected;
  } cases[] = {
      {CivilDay(2026, 3, 10), 0, CivilDay(2026, 3, 10)},
      {CivilDay(2026, 3, 14), 0, CivilDay(2026, 3, 14)},  // n == 0 keeps a weekend start
      {CivilDay(2026, 3, 10), 1, CivilDay(2026, 3, 11)},
      {CivilDay(2026, 3, 13), 1, CivilDay(2026, 3, 16)},  // Friday -> Monday
      {CivilDay(2026, 3, 14), 1, CivilDay(2026, 3, 16)},  // Saturday -> Monday
      {CivilDay(2026, 3, 15), 5, CivilDay(2026, 3, 20)},  // Sunday -> Friday
      {CivilDay(2026, 8, 14), 1, CivilDay(2026, 8, 18)},  // over a weekend and a holiday
      // Over the year end, with Christmas and New Year on Fridays.
      {CivilDay(2026, 12, 24), 1, CivilDay(2026, 12, 28)},
      {CivilDay(2026, 12, 24), 3, CivilDay(2026, 12, 30)},
      {CivilDay(2026, 12, 24), 4, CivilDay(2026, 12, 31)},
      {CivilDay(2026, 12, 24), 5, CivilDay(2027, 1, 4)},
      // The SP3D deadline: 20 working days, four plain weeks.
      {CivilDay(2026, 3, 2), kSp3dWorkingDays, CivilDay(2026, 3, 30)},
      {CivilDay(2026, 8, 3), kSp3dWorkingDays, CivilDay(2026, 9, 1)},  // with 17 Aug
      {CivilDay(2026, 3, 2), kResultWorkingDays, CivilDay(2026, 4, 27)},
      {CivilDay(2026, 3, 10), -3, CivilDay(2026, 3, 10)},  // out of contract: no move
  };
  for (const auto& c : cases) {
    EXPECT_EQ(calendar.AddWorkingDays(c.start, c.n), c.expected) << c.start << " + " << c.n;
  }
}

TEST(WorkingDayCalendarTest, WorkingDaysBetween) {
  const WorkingDayCalendar calendar = TestCalendar();
  const struct {
    CivilDay from;
    CivilDay to;
    int expected;
  } cases[] = {
      {CivilDay(2026, 3, 10), CivilDay(2026, 3, 10), 0},
      {CivilDay(2026, 3, 10), CivilDay(2026, 3, 9), 0},  // backwards
      {CivilDay(2026, 3, 10), CivilDay(2026, 3, 11), 1},
      {CivilDay(2026, 3, 13), CivilDay(2026, 3, 15), 0},  // the weekend only
      {CivilDay(2026, 3, 13), CivilDay(2026, 3, 16), 1},
      {CivilDay(2026, 12, 24), CivilDay(2027, 1, 4), 5},
      {CivilDay(2026, 1, 1), CivilDay(2027, 1, 1), 258},  // 261 weekdays, less 3 holidays
  };
  for (const auto& c : cases) {
    EXPECT_EQ(calendar.WorkingDaysBetween(c.from, c.to), c.expected) << c.from << ".." << c.to;
    EXPECT_EQ(calendar.WorkingDaysBetween(c.from, c.to), CountDayByDay(calendar, c.from, c.to));
  }
}

TEST(WorkingDayCalendarTest, BetweenAgreesWithAddAndWithCounting) {
  const WorkingDayCalendar calendar = TestCalendar();
  // Every start day over two years, every deadline length up to the longest.
  for (CivilDay start(2026, 1, 1); start < CivilDay(2028, 1, 1); ++start) {
    for (int n = 0; n <= kResultWorkingDays + 5; ++n) {
      const CivilDay end = calendar.AddWorkingDays(start, n);
      ASSERT_EQ(calendar.WorkingDaysBetween(start, end), n) << start << " + " << n;
      if (n > 0) {
        ASSERT_TRUE(calendar.IsWorkingDay(end)) << start << " + " << n;
        // The first day with n working days: one day less has n - 1.
        ASSERT_EQ(calendar.WorkingDaysBetween(start, end - 1), n - 1) << start << " + " << n;
      }
    }
  }
  // Random spans, before and after 1970 (the weekday arithmetic's origin).
  std::mt19937 rng(17081945);
  std::uniform_int_distribution<int> offset(-30000, 30000);
  std::uniform_int_distribution<int> span(-10, 1500);
  for (int i = 0; i < 2000; ++i) {
    const CivilDay from = CivilDay(1970, 1, 1) + offset(rng);
    const CivilDay to = from + span(rng);
    ASSERT_EQ(calendar.WorkingDaysBetween(from, to), CountDayByDay(calendar, from, to))
        << from << ".." << to;
  }
}

}  // namespace
}  // namespace dumas
