#include "domain/complaint_deadlines.h"

#include <optional>
#include <vector>

#include "gtest/gtest.h"

namespace dumas {
namespace {

using absl::CivilDay;

// The Lebaran of 2026 as seeded before the SKB (Idul Fitri on 20-21 March)
// and as the SKB has it (21-22 March, cuti bersama 18, 20, 23 and 24 March).
WorkingDayCalendar Seeded() {
  return WorkingDayCalendar({{CivilDay(2026, 3, 19), "Nyepi"},
                             {CivilDay(2026, 3, 20), "Idul Fitri"},
                             {CivilDay(2026, 3, 21), "Idul Fitri"},
                             {CivilDay(2026, 4, 3), "Wafat Yesus Kristus"}},
                            {2026}, true);
}

WorkingDayCalendar Skb(bool skip_cuti_bersama = true) {
  constexpr HolidayKind kCuti = HolidayKind::kCutiBersama;
  return WorkingDayCalendar({{CivilDay(2026, 3, 18), "Cuti Nyepi", kCuti},
                             {CivilDay(2026, 3, 19), "Nyepi"},
                             {CivilDay(2026, 3, 20), "Cuti Idul Fitri", kCuti},
                             {CivilDay(2026, 3, 21), "Idul Fitri"},
                             {CivilDay(2026, 3, 22), "Idul Fitri"},
                             {CivilDay(2026, 3, 23), "Cuti Idul Fitri", kCuti},
                             {CivilDay(2026, 3, 24), "Cuti Idul Fitri", kCuti},
                             {CivilDay(2026, 4, 3), "Wafat Yesus Kristus"}},
                            {2026}, skip_cuti_bersama);
}

// A complaint received on Monday 2 March 2026, as stored under Seeded().
ComplaintDeadlines Received() {
  ComplaintDeadlines d;
  d.state = ComplaintState::kVerified;
  d.received = CivilDay(2026, 3, 2);
  d.sp3d_due = CivilDay(2026, 4, 1);
  return d;
}

// Assigned (SP3D sent, result deadline started) on Monday 9 February 2026.
ComplaintDeadlines Assigned() {
  ComplaintDeadlines d;
  d.state = ComplaintState::kUnderInvestigation;
  d.received = CivilDay(2026, 2, 2);
  d.sp3d_sent = CivilDay(2026, 2, 9);
  d.sp3d_due = CivilDay(2026, 3, 2);
  d.result_start = CivilDay(2026, 2, 9);
  d.result_due = CivilDay(2026, 4, 9);
  return d;
}

TEST(ComplaintDeadlinesTest, RunningDeadlines) {
  ComplaintDeadlines d = Received();
  EXPECT_TRUE(Sp3dDeadlineRunning(d));
  EXPECT_FALSE(ResultDeadlineRunning(d));  // not started
  d.state = ComplaintState::kRejected;
  EXPECT_FALSE(Sp3dDeadlineRunning(d));

  d = Assigned();
  EXPECT_FALSE(Sp3dDeadlineRunning(d));  // sent
  EXPECT_TRUE(ResultDeadlineRunning(d));
  // Overdue is still running: the complaint still owes its result.
  d.received = CivilDay(2026, 12, 1);
  EXPECT_TRUE(ResultDeadlineRunning(d));
  d.answered = CivilDay(2026, 4, 2);
  EXPECT_FALSE(ResultDeadlineRunning(d));
  d = Assigned();
  d.state = ComplaintState::kClosed;
  EXPECT_FALSE(ResultDeadlineRunning(d));
}

TEST(ComplaintDeadlinesTest, RunningSp3dDeadlineFollowsTheCalendarFromTheReceiptDay) {
  const std::optional<ComplaintDeadlines> skb = RecomputeDeadlines(Received(), Skb());
  ASSERT_TRUE(skb.has_value());
  EXPECT_EQ(skb->sp3d_due, CivilDay(2026, 4, 7));
  EXPECT_FALSE(skb->sp3d_due_provisional);
  EXPECT_EQ(skb->received, Received().received);
  EXPECT_EQ(skb->result_due, std::nullopt);
  // Without skipping cuti bersama, the four of them are working days.
  const std::optional<ComplaintDeadlines> counting =
      RecomputeDeadlines(Received(), Skb(/*skip_cuti_bersama=*/false));
  ASSERT_TRUE(counting.has_value());
  EXPECT_EQ(counting->sp3d_due, CivilDay(2026, 3, 31));
  // Recomputing under the calendar it was computed with changes nothing.
  EXPECT_EQ(RecomputeDeadlines(Received(), Seeded()), std::nullopt);
  EXPECT_EQ(RecomputeDeadlines(*skb, Skb()), std::nullopt);
}

TEST(ComplaintDeadlinesTest, RunningResultDeadlineFollowsTheCalendarFromItsStartDay) {
  const std::optional<ComplaintDeadlines> skb = RecomputeDeadlines(Assigned(), Skb());
  ASSERT_TRUE(skb.has_value());
  // Cuti bersama 18, 23 and 24 March (the 20th was a holiday already).
  EXPECT_EQ(skb->result_due, CivilDay(2026, 4, 14));
  EXPECT_EQ(skb->sp3d_due, Assigned().sp3d_due);  // the SP3D went out: it stays
  EXPECT_EQ(skb->result_start, Assigned().result_start);

  // A restarted deadline counts from its recorded start, not from the SP3D.
  ComplaintDeadlines restarted = Assigned();
  restarted.state = ComplaintState::kReopened;
  restarted.result_start = CivilDay(2026, 3, 2);
  restarted.result_due = CivilDay(2026, 4, 28);
  const std::optional<ComplaintDeadlines> moved = RecomputeDeadlines(restarted, Skb());
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->result_due, Skb().AddWorkingDays(CivilDay(2026, 3, 2), kResultWorkingDays));
}

TEST(ComplaintDeadlinesTest, EndedAndUnstartedDeadlinesStayAsStored) {
  ComplaintDeadlines answered = Assigned();
  answered.state = ComplaintState::kAnswered;
  answered.answered = CivilDay(2026, 4, 9);
  EXPECT_EQ(RecomputeDeadlines(answered, Skb()), std::nullopt);

  ComplaintDeadlines archived = Received();
  archived.state = ComplaintState::kArchived;
  EXPECT_EQ(RecomputeDeadlines(archived, Skb()), std::nullopt);

  // A result deadline without a recorded start is left alone.
  ComplaintDeadlines no_start = Assigned();
  no_start.result_start.reset();
  EXPECT_EQ(RecomputeDeadlines(no_start, Skb()), std::nullopt);
}

TEST(ComplaintDeadlinesTest, ProvisionalFlagFollowsTheLoadedYears) {
  ComplaintDeadlines december = Received();
  december.received = CivilDay(2026, 12, 2);
  december.sp3d_due = CivilDay(2026, 12, 30);
  const WorkingDayCalendar only_2026({{CivilDay(2026, 12, 25), "Natal"}}, {2026}, true);
  const std::optional<ComplaintDeadlines> provisional = RecomputeDeadlines(december, only_2026);
  ASSERT_TRUE(provisional.has_value());
  EXPECT_EQ(provisional->sp3d_due, CivilDay(2026, 12, 31));
  EXPECT_FALSE(provisional->sp3d_due_provisional);  // still within 2026

  december.received = CivilDay(2026, 12, 3);
  const std::optional<ComplaintDeadlines> into_2027 = RecomputeDeadlines(december, only_2026);
  ASSERT_TRUE(into_2027.has_value());
  EXPECT_EQ(into_2027->sp3d_due, CivilDay(2027, 1, 1));
  EXPECT_TRUE(into_2027->sp3d_due_provisional);

  // Loading 2027 makes it final (and moves it over New Year's Day).
  const WorkingDayCalendar with_2027(
      {{CivilDay(2026, 12, 25), "Natal"}, {CivilDay(2027, 1, 1), "Tahun Baru"}}, {2026, 2027},
      true);
  const std::optional<ComplaintDeadlines> final_due = RecomputeDeadlines(*into_2027, with_2027);
  ASSERT_TRUE(final_due.has_value());
  EXPECT_EQ(final_due->sp3d_due, CivilDay(2027, 1, 4));
  EXPECT_FALSE(final_due->sp3d_due_provisional);
}

}  // namespace
}  // namespace dumas
