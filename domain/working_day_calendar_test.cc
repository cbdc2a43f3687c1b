#include "domain/working_day_calendar.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
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

// The holidays of 2026 by SKB 3 Menteri No. 1497/2025, 2/2025 and 5/2025:
// 17 libur nasional and 8 days of cuti bersama.
std::vector<Holiday> Skb2026() {
  constexpr HolidayKind kLibur = HolidayKind::kLiburNasional;
  constexpr HolidayKind kCuti = HolidayKind::kCutiBersama;
  return {
      {CivilDay(2026, 1, 1), "Tahun Baru 2026 Masehi", kLibur},
      {CivilDay(2026, 1, 16), "Isra Mikraj", kLibur},
      {CivilDay(2026, 2, 16), "Cuti bersama Imlek", kCuti},
      {CivilDay(2026, 2, 17), "Imlek 2577", kLibur},
      {CivilDay(2026, 3, 18), "Cuti bersama Nyepi", kCuti},
      {CivilDay(2026, 3, 19), "Nyepi 1948", kLibur},
      {CivilDay(2026, 3, 20), "Cuti bersama Idul Fitri", kCuti},
      {CivilDay(2026, 3, 21), "Idul Fitri 1447 H", kLibur},
      {CivilDay(2026, 3, 22), "Idul Fitri 1447 H", kLibur},
      {CivilDay(2026, 3, 23), "Cuti bersama Idul Fitri", kCuti},
      {CivilDay(2026, 3, 24), "Cuti bersama Idul Fitri", kCuti},
      {CivilDay(2026, 4, 3), "Wafat Yesus Kristus", kLibur},
      {CivilDay(2026, 4, 5), "Paskah", kLibur},
      {CivilDay(2026, 5, 1), "Hari Buruh", kLibur},
      {CivilDay(2026, 5, 14), "Kenaikan Yesus Kristus", kLibur},
      {CivilDay(2026, 5, 15), "Cuti bersama Kenaikan Yesus Kristus", kCuti},
      {CivilDay(2026, 5, 27), "Idul Adha 1447 H", kLibur},
      {CivilDay(2026, 5, 28), "Cuti bersama Idul Adha", kCuti},
      {CivilDay(2026, 5, 31), "Waisak 2570 BE", kLibur},
      {CivilDay(2026, 6, 1), "Hari Lahir Pancasila", kLibur},
      {CivilDay(2026, 6, 16), "Tahun Baru Islam 1448 H", kLibur},
      {CivilDay(2026, 8, 17), "Kemerdekaan", kLibur},
      {CivilDay(2026, 8, 25), "Maulid Nabi", kLibur},
      {CivilDay(2026, 12, 24), "Cuti bersama Natal", kCuti},
      {CivilDay(2026, 12, 25), "Natal", kLibur},
  };
}

WorkingDayCalendar Skb2026Calendar(bool skip_cuti_bersama, std::vector<int> loaded = {2026}) {
  return WorkingDayCalendar(Skb2026(), loaded, skip_cuti_bersama);
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

TEST(WorkingDayCalendarTest, Skb2026HasSeventeenNationalHolidaysAndEightCutiBersama) {
  int libur = 0;
  int cuti = 0;
  for (const Holiday& holiday : Skb2026()) {
    (holiday.kind == HolidayKind::kCutiBersama ? cuti : libur) += 1;
  }
  EXPECT_EQ(libur, 17);
  EXPECT_EQ(cuti, 8);
}

TEST(WorkingDayCalendarTest, CutiBersamaAreSkippedOnlyWhenTheCalendarSaysSo) {
  const WorkingDayCalendar skipping = Skb2026Calendar(true);
  const WorkingDayCalendar counting = Skb2026Calendar(false);
  for (const Holiday& holiday : Skb2026()) {
    const bool weekend = absl::GetWeekday(holiday.day) == absl::Weekday::saturday ||
                         absl::GetWeekday(holiday.day) == absl::Weekday::sunday;
    EXPECT_FALSE(skipping.IsWorkingDay(holiday.day)) << holiday.day;
    EXPECT_EQ(counting.IsWorkingDay(holiday.day),
              holiday.kind == HolidayKind::kCutiBersama && !weekend)
        << holiday.day;
    // Both know each holiday's kind, skipped or not.
    EXPECT_EQ(skipping.HolidayKindOf(holiday.day), holiday.kind) << holiday.day;
    EXPECT_EQ(counting.HolidayKindOf(holiday.day), holiday.kind) << holiday.day;
  }
  EXPECT_EQ(skipping.HolidayKindOf(CivilDay(2026, 3, 25)), std::nullopt);
  EXPECT_TRUE(skipping.skips_cuti_bersama());
  EXPECT_FALSE(counting.skips_cuti_bersama());
  // Idul Fitri 1447 H fell on 21-22 March, a weekend; the 20th is cuti bersama.
  EXPECT_EQ(skipping.HolidayKindOf(CivilDay(2026, 3, 20)), HolidayKind::kCutiBersama);
  EXPECT_EQ(skipping.HolidayKindOf(CivilDay(2026, 3, 22)), HolidayKind::kLiburNasional);
  // A holiday given without a kind is a libur nasional.
  const WorkingDayCalendar unspecified({{CivilDay(2026, 8, 17), "X", HolidayKind::kUnspecified}},
                                       {2026}, false);
  EXPECT_EQ(unspecified.HolidayKindOf(CivilDay(2026, 8, 17)), HolidayKind::kLiburNasional);
  EXPECT_FALSE(unspecified.IsWorkingDay(CivilDay(2026, 8, 17)));
}

TEST(WorkingDayCalendarTest, Skb2026Deadlines) {
  // The SKB calendar against the one seeded before it (Idul Fitri on 20-21
  // March, no cuti bersama): deadlines over Lebaran were three working days
  // early.
  std::vector<CivilDay> before_skb;
  for (const Holiday& holiday : Skb2026()) {
    if (holiday.kind == HolidayKind::kLiburNasional && holiday.day != CivilDay(2026, 3, 22)) {
      before_skb.push_back(holiday.day);
    }
  }
  before_skb.push_back(CivilDay(2026, 3, 20));
  const WorkingDayCalendar seeded(before_skb);
  const WorkingDayCalendar skipping = Skb2026Calendar(true);
  const WorkingDayCalendar counting = Skb2026Calendar(false);
  const struct {
    CivilDay start;
    int n;
    CivilDay seeded;
    CivilDay skipping;
    CivilDay counting;
  } cases[] = {
      // The SP3D of a complaint received on Monday 2 March: over Nyepi, Idul
      // Fitri and their cuti bersama, and Wafat Yesus Kristus.
      {CivilDay(2026, 3, 2), kSp3dWorkingDays, CivilDay(2026, 4, 1), CivilDay(2026, 4, 7),
       CivilDay(2026, 3, 31)},
      // The result of an SP3D of Monday 9 February: Imlek too.
      {CivilDay(2026, 2, 9), kResultWorkingDays, CivilDay(2026, 4, 10), CivilDay(2026, 4, 16),
       CivilDay(2026, 4, 9)},
      // Received on the cuti bersama itself: counting starts the day after.
      {CivilDay(2026, 3, 20), 1, CivilDay(2026, 3, 23), CivilDay(2026, 3, 25),
       CivilDay(2026, 3, 23)},
      // Kenaikan and its cuti bersama (Thursday and Friday).
      {CivilDay(2026, 5, 13), 1, CivilDay(2026, 5, 15), CivilDay(2026, 5, 18),
       CivilDay(2026, 5, 15)},
      // Idul Adha and its cuti bersama (Wednesday and Thursday).
      {CivilDay(2026, 5, 26), 2, CivilDay(2026, 5, 29), CivilDay(2026, 6, 2),
       CivilDay(2026, 5, 29)},
      // Christmas Eve (cuti bersama) and Christmas, within the year.
      {CivilDay(2026, 12, 1), kSp3dWorkingDays, CivilDay(2026, 12, 30), CivilDay(2026, 12, 31),
       CivilDay(2026, 12, 30)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(seeded.AddWorkingDays(c.start, c.n), c.seeded) << c.start << " + " << c.n;
    EXPECT_EQ(skipping.AddWorkingDays(c.start, c.n), c.skipping) << c.start << " + " << c.n;
    EXPECT_EQ(counting.AddWorkingDays(c.start, c.n), c.counting) << c.start << " + " << c.n;
    for (const WorkingDayCalendar* calendar : {&seeded, &skipping, &counting}) {
      const CivilDay due = calendar->AddWorkingDays(c.start, c.n);
      EXPECT_EQ(calendar->WorkingDaysBetween(c.start, due), c.n);
      EXPECT_EQ(CountDayByDay(*calendar, c.start, due), c.n);
    }
  }
  EXPECT_EQ(skipping.WorkingDaysBetween(CivilDay(2025, 12, 31), CivilDay(2026, 12, 31)),
            261 - 13 - 8);  // 13 libur nasional and 8 cuti bersama on weekdays
  EXPECT_EQ(counting.WorkingDaysBetween(CivilDay(2025, 12, 31), CivilDay(2026, 12, 31)),
            261 - 13);
}

TEST(WorkingDayCalendarTest, DeadlinesIntoAYearNotLoadedAreProvisional) {
  const WorkingDayCalendar only_2026 = Skb2026Calendar(true);
  // From 2 December, 20 working days reach New Year's Day 2027, which the
  // calendar cannot know to be a holiday: provisional.
  const Deadline into_2027 = only_2026.DeadlineFrom(CivilDay(2026, 12, 2), kSp3dWorkingDays);
  EXPECT_EQ(into_2027.due, CivilDay(2027, 1, 1));
  EXPECT_TRUE(into_2027.provisional());
  EXPECT_EQ(into_2027.unloaded_year, 2027);
  // Counting cuti bersama as working days, the same deadline stays in 2026.
  const Deadline counting = Skb2026Calendar(false).DeadlineFrom(CivilDay(2026, 12, 2),
                                                                kSp3dWorkingDays);
  EXPECT_EQ(counting.due, CivilDay(2026, 12, 31));
  EXPECT_FALSE(counting.provisional());
  // Once 2027 is loaded the deadline is final, and moves over 1 January.
  std::vector<Holiday> with_2027 = Skb2026();
  with_2027.push_back({CivilDay(2027, 1, 1), "Tahun Baru 2027 Masehi"});
  const WorkingDayCalendar both(with_2027, {2026, 2027}, true);
  const Deadline final_due = both.DeadlineFrom(CivilDay(2026, 12, 2), kSp3dWorkingDays);
  EXPECT_EQ(final_due.due, CivilDay(2027, 1, 4));
  EXPECT_FALSE(final_due.provisional());
  // A year loaded without holidays is loaded all the same.
  EXPECT_FALSE(Skb2026Calendar(true, {2026, 2027})
                   .DeadlineFrom(CivilDay(2026, 12, 2), kSp3dWorkingDays)
                   .provisional());

  const struct {
    std::vector<int> loaded;
    CivilDay start;
    CivilDay due;
    std::optional<int> unloaded;
  } cases[] = {
      {{2026}, CivilDay(2026, 3, 2), CivilDay(2026, 4, 7), std::nullopt},
      {{2026}, CivilDay(2026, 12, 31), CivilDay(2026, 12, 31), std::nullopt},  // n == 0
      {{2026}, CivilDay(2026, 12, 31), CivilDay(2027, 1, 1), 2027},
      // The start day itself does not count: its year may be unloaded.
      {{2026}, CivilDay(2025, 12, 31), CivilDay(2026, 1, 28), std::nullopt},
      {{2026}, CivilDay(2025, 12, 30), CivilDay(2026, 1, 28), 2025},
      // A gap between loaded years.
      {{2026, 2028}, CivilDay(2026, 12, 1), CivilDay(2028, 2, 1), 2027},
      {{2026, 2027, 2028}, CivilDay(2026, 12, 1), CivilDay(2028, 2, 1), std::nullopt},
      {{}, CivilDay(2026, 3, 2), CivilDay(2026, 3, 3), 2026},
  };
  for (const auto& c : cases) {
    const WorkingDayCalendar calendar(Skb2026(), c.loaded, true);
    EXPECT_EQ(calendar.FirstUnloadedYear(c.start, c.due), c.unloaded) << c.start << ".." << c.due;
    EXPECT_EQ(calendar.IsProvisional(c.start, c.due), c.unloaded.has_value());
  }
  EXPECT_TRUE(only_2026.IsLoaded(2026));
  EXPECT_FALSE(only_2026.IsLoaded(2027));
  // The calendar of plain days loads the years of its days.
  EXPECT_TRUE(TestCalendar().IsLoaded(2027));
  EXPECT_FALSE(TestCalendar().IsLoaded(2028));
}

TEST(WorkingDayCalendarTest, DigestChangesWithWhatDeadlinesDependOn) {
  const std::string digest = Skb2026Calendar(true).Digest();
  EXPECT_EQ(digest.size(), 32u);
  // The same calendar in another order, or with other names: the same digest.
  std::vector<Holiday> reversed = Skb2026();
  std::reverse(reversed.begin(), reversed.end());
  for (Holiday& holiday : reversed) holiday.name = "renamed";
  EXPECT_EQ(WorkingDayCalendar(reversed, {2026}, true).Digest(), digest);
  // Anything a due date or its provisional flag depends on: another digest.
  EXPECT_NE(Skb2026Calendar(false).Digest(), digest);
  EXPECT_NE(Skb2026Calendar(true, {2026, 2027}).Digest(), digest);
  std::vector<Holiday> changed = Skb2026();
  changed[2].kind = HolidayKind::kLiburNasional;
  EXPECT_NE(WorkingDayCalendar(changed, {2026}, true).Digest(), digest);
  changed = Skb2026();
  changed[7].day = CivilDay(2026, 3, 25);
  EXPECT_NE(WorkingDayCalendar(changed, {2026}, true).Digest(), digest);
}

}  // namespace
}  // namespace dumas
