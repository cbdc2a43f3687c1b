#include "domain/anev_report.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;

namespace t = anev_table;

// Rows of a table as (key, values) with suppressed values as -1.
std::vector<std::pair<std::string, std::vector<int64_t>>> Rows(const AnevFigures& figures,
                                                                std::string_view id) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> rows;
  const AnevTable* table = figures.Table(id);
  EXPECT_NE(table, nullptr) << id;
  if (table == nullptr) return rows;
  for (const AnevRow& row : table->rows) {
    std::vector<int64_t> values;
    for (const auto& v : row.values) values.push_back(v.value_or(-1));
    rows.emplace_back(row.key, values);
  }
  return rows;
}

using Rs = std::vector<std::pair<std::string, std::vector<int64_t>>>;

TEST(AnevPeriodTest, MonthsRunFromMidnightToMidnightWita) {
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 4, 10, 12, 0, 0), PaluTimeZone());
  const AnevPeriod march = AnevPeriodOf(absl::CivilMonth(2026, 3), now);
  EXPECT_EQ(march.start, absl::FromCivil(absl::CivilSecond(2026, 2, 28, 16, 0, 0),
                                         absl::UTCTimeZone()));
  EXPECT_EQ(march.end, absl::FromCivil(absl::CivilSecond(2026, 3, 31, 16, 0, 0),
                                       absl::UTCTimeZone()));
  EXPECT_TRUE(march.closed());
  EXPECT_EQ(march.last_day(), absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(march.overdue_before(), absl::CivilDay(2026, 4, 1));

  const AnevPeriod april = AnevPeriodOf(absl::CivilMonth(2026, 4), now);
  EXPECT_FALSE(april.closed());
  EXPECT_EQ(april.as_of, now);
  EXPECT_EQ(april.last_day(), absl::CivilDay(2026, 4, 10));
  EXPECT_EQ(april.overdue_before(), absl::CivilDay(2026, 4, 10));

  // 23:59 WITA on 31 March is still March; midnight is April.
  EXPECT_EQ(AnevMonthOf(absl::FromCivil(absl::CivilSecond(2026, 3, 31, 23, 59, 59),
                                        PaluTimeZone())),
            absl::CivilMonth(2026, 3));
  EXPECT_EQ(AnevMonthOf(march.end), absl::CivilMonth(2026, 4));
}

TEST(AnevFactsOfTest, TheUnitAfterTheEventTheDayReceivedAndTheDueDayFulfilled) {
  Complaint before;
  // 1 March 00:30 WITA is 28 February in UTC: received on 1 March.
  before.create_time = absl::FromCivil(absl::CivilSecond(2026, 2, 28, 16, 30, 0),
                                       absl::UTCTimeZone());
  before.sp3d_due_date = absl::CivilDay(2026, 3, 27);
  before.result_due_date = absl::CivilDay(2026, 5, 4);
  before.handling_unit_id = "propam";
  Complaint after = before;
  after.handling_unit_id = "siwas";

  const AnevEventFacts sp3d =
      AnevFactsOf("ASSIGNED", ComplaintState::kVerified, before, after);
  EXPECT_EQ(sp3d.handling_unit, "siwas");
  EXPECT_EQ(sp3d.received, absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(sp3d.due, absl::CivilDay(2026, 3, 27));
  // A disposition after reopening sends no SP3D: it fulfils nothing.
  EXPECT_EQ(AnevFactsOf("ASSIGNED", ComplaintState::kReopened, before, after).due,
            std::nullopt);
  // An answer fulfils the result deadline of its round.
  EXPECT_EQ(AnevFactsOf("ANSWERED", ComplaintState::kConcluded, before, before).due,
            absl::CivilDay(2026, 5, 4));
  const AnevEventFacts concluded =
      AnevFactsOf("CONCLUDED", ComplaintState::kUnderInvestigation, before, before);
  EXPECT_EQ(concluded.handling_unit, "propam");
  EXPECT_EQ(concluded.due, std::nullopt);
  Complaint unassigned;
  unassigned.create_time = before.create_time;
  EXPECT_EQ(AnevFactsOf("REJECTED", ComplaintState::kReceived, unassigned, unassigned)
                .handling_unit,
            "");
}

TEST(NearestRankPercentileTest, IsTheValueAtRankCeilPN) {
  EXPECT_EQ(NearestRankPercentile({}, 50), 0);
  EXPECT_EQ(NearestRankPercentile({{7, 1}}, 50), 7);
  EXPECT_EQ(NearestRankPercentile({{7, 1}}, 90), 7);
  // 1, 2, 3, 4: the median is the 2nd value, the 90th percentile the 4th.
  EXPECT_EQ(NearestRankPercentile({{4, 1}, {1, 1}, {3, 1}, {2, 1}}, 50), 2);
  EXPECT_EQ(NearestRankPercentile({{4, 1}, {1, 1}, {3, 1}, {2, 1}}, 90), 4);
  // Ten values 1..10 given as counts: rank 5 and rank 9.
  EXPECT_EQ(NearestRankPercentile({{1, 3}, {5, 4}, {9, 3}}, 50), 5);
  EXPECT_EQ(NearestRankPercentile({{1, 3}, {5, 4}, {9, 3}}, 90), 9);
}

// March 2026 as at its end, with the holidays of 20-24 March (Nyepi and
// Idul Fitri, libur nasional and cuti bersama) skipped.
class AnevFiguresBuildTest : public ::testing::Test {
 protected:
  AnevFiguresBuildTest()
      : calendar_({{absl::CivilDay(2026, 3, 20), "Cuti", HolidayKind::kCutiBersama},
                   {absl::CivilDay(2026, 3, 23), "Cuti", HolidayKind::kCutiBersama},
                   {absl::CivilDay(2026, 3, 24), "Cuti", HolidayKind::kCutiBersama}},
                  {2026}, true),
        period_(AnevPeriodOf(absl::CivilMonth(2026, 3),
                             absl::FromCivil(absl::CivilSecond(2026, 5, 1), PaluTimeZone()))) {
    data_.received = {
        {"propam", "korupsi", Channel::kWhatsapp, "sat-lantas", ComplaintState::kClosed, 2},
        {"propam", "korupsi", Channel::kWeb, "sat-lantas", ComplaintState::kUnderInvestigation, 1},
        {"siwas", "pelayanan-buruk", Channel::kPhone, "", ComplaintState::kAssigned, 1},
        {"", "pelayanan-buruk", Channel::kPhone, "spkt", ComplaintState::kReceived, 3},
        {"", "diskriminasi", Channel::kWalkIn, "spkt", ComplaintState::kRejected, 1},
    };
    data_.labelled = {
        {"propam", "CONCLUDED", "outcome: SUBSTANTIATED", 2},
        {"propam", "CONCLUDED", "outcome: EXONERATED", 1},
        {"", "REJECTED", "reason: DUPLICATE", 1},
        {"", "ARCHIVED", "", 2},
        {"propam", "DISPUTED", "", 1},
        {"siwas", "REOPENED", "", 1},
        {"propam", "RATED", "rating: 4", 2},
        {"siwas", "RATED", "rating: 1", 1},
        {"siwas", "RATED", "rating: 9", 1},  // not a rating: ignored
    };
    // Received on Tuesday 17 March; the holidays of 20-24 March (and the
    // weekend) are skipped: 18, 19, 25, 26, 27 are five working days.
    data_.sp3d_sent = {
        {"propam", absl::CivilDay(2026, 3, 17), absl::CivilDay(2026, 3, 27),
         absl::CivilDay(2026, 4, 15), 2},
        {"siwas", absl::CivilDay(2026, 2, 2), absl::CivilDay(2026, 3, 2),
         absl::CivilDay(2026, 2, 27), 1},
    };
    data_.answers = {
        {"propam", absl::CivilDay(2026, 1, 5), absl::CivilDay(2026, 3, 2),
         absl::CivilDay(2026, 3, 6), std::nullopt, 1},
        // The answer's round started on 19 January and was due 40 working
        // days later (16 March), not on the stored due day of a later round.
        {"propam", absl::CivilDay(2026, 1, 5), absl::CivilDay(2026, 3, 31),
         absl::CivilDay(2026, 6, 1), absl::CivilDay(2026, 1, 19), 1},
    };
    data_.open = {
        {"", ComplaintState::kReceived, absl::CivilDay(2026, 3, 2), absl::CivilDay(2026, 4, 2),
         std::nullopt, std::nullopt, 1},
        {"", ComplaintState::kVerified, absl::CivilDay(2026, 2, 2), absl::CivilDay(2026, 3, 2),
         std::nullopt, std::nullopt, 1},
        {"propam", ComplaintState::kUnderInvestigation, absl::CivilDay(2025, 11, 3),
         absl::CivilDay(2025, 12, 1), absl::CivilDay(2026, 3, 30), std::nullopt, 2},
        {"siwas", ComplaintState::kReopened, absl::CivilDay(2026, 1, 5),
         absl::CivilDay(2026, 2, 2), std::nullopt, absl::CivilDay(2026, 3, 2), 1},
        {"siwas", ComplaintState::kAnswered, absl::CivilDay(2026, 1, 5),
         absl::CivilDay(2026, 2, 2), absl::CivilDay(2026, 3, 2), std::nullopt, 4},
    };
    data_.repeated_subjects = {{"sat-lantas", "Bripka S.", 3}, {"", "Aipda\tR.", 2}};
  }

  WorkingDayCalendar calendar_;
  AnevPeriod period_;
  AnevMonthData data_;
};

TEST_F(AnevFiguresBuildTest, ResortFiguresCountEveryGroup) {
  const AnevFigures f = BuildAnevFigures(data_, period_, calendar_, "");
  EXPECT_EQ(f.scope, "resort");
  EXPECT_EQ(f.as_of, period_.end);
  std::vector<std::string> ids;
  for (const AnevTable& table : f.tables) ids.push_back(table.id);
  EXPECT_THAT(ids, ElementsAre("summary", "received_by_category", "received_by_channel",
                               "received_by_subject_unit", "received_by_handling_unit",
                               "states_at_month_end", "outcomes", "rejections", "sp3d_deadlines",
                               "result_deadlines", "working_days", "backlog_by_age",
                               "backlog_by_unit", "ratings", "disputes_by_unit",
                               "repeated_subjects", "corrections"));
  EXPECT_EQ(Rows(f, t::kSummary),
            (Rs{{"received", {8}},      {"sp3d_sent", {3}},     {"concluded", {3}},
                {"answered", {2}},      {"archived", {2}},      {"rejected", {1}},
                {"disputed", {2}},      {"ratings", {3}},       {"backlog", {5}},
                {"overdue", {3}},       {"sp3d_met", {2}},      {"sp3d_missed", {1}},
                {"sp3d_pending", {1}},  {"sp3d_overdue", {1}},  {"result_met", {1}},
                {"result_missed", {1}}, {"result_pending", {1}}, {"result_overdue", {2}}}));
  EXPECT_EQ(Rows(f, t::kReceivedByCategory),
            (Rs{{"categories/diskriminasi", {1}},
                {"categories/korupsi", {3}},
                {"categories/pelayanan-buruk", {4}}}));
  EXPECT_EQ(Rows(f, t::kReceivedByChannel),
            (Rs{{"CHANNEL_WEB", {1}},
                {"CHANNEL_WHATSAPP", {2}},
                {"CHANNEL_PHONE", {4}},
                {"CHANNEL_WALK_IN", {1}}}));
  EXPECT_EQ(Rows(f, t::kReceivedBySubjectUnit),
            (Rs{{"", {1}}, {"units/sat-lantas", {3}}, {"units/spkt", {4}}}));
  EXPECT_EQ(Rows(f, t::kReceivedByHandlingUnit),
            (Rs{{"", {4}}, {"units/propam", {3}}, {"units/siwas", {1}}}));
  EXPECT_EQ(Rows(f, t::kStatesAtMonthEnd),
            (Rs{{"COMPLAINT_STATE_RECEIVED", {3}},
                {"COMPLAINT_STATE_REJECTED", {1}},
                {"COMPLAINT_STATE_ASSIGNED", {1}},
                {"COMPLAINT_STATE_UNDER_INVESTIGATION", {1}},
                {"COMPLAINT_STATE_CLOSED", {2}}}));
  EXPECT_EQ(Rows(f, t::kOutcomes),
            (Rs{{"OUTCOME_SUBSTANTIATED", {2}}, {"OUTCOME_EXONERATED", {1}}}));
  EXPECT_EQ(Rows(f, t::kRejections), (Rs{{"REJECTION_REASON_DUPLICATE", {1}}}));
  // SP3D: propam met twice (27 March <= 15 April); siwas sent on 2 March,
  // due 27 February: missed. Running at the end of March: the RECEIVED one
  // due 2 April (pending), the VERIFIED one due 2 March (overdue), both
  // unassigned.
  EXPECT_EQ(Rows(f, t::kSp3dDeadlines),
            (Rs{{"", {0, 0, 1, 1}}, {"units/propam", {2, 0, 0, 0}}, {"units/siwas", {0, 1, 0, 0}}}));
  // Results: the answer of 2 March was due 6 March (met); the answer of 31
  // March was due 16 March, 40 working days after its round began (missed).
  // Running: propam's two due 30 March (overdue at the end of March); siwas's
  // reopened one, in the round begun on 2 March, due 30 April (pending).
  EXPECT_EQ(calendar_.AddWorkingDays(absl::CivilDay(2026, 1, 19), 40), absl::CivilDay(2026, 3, 16));
  EXPECT_EQ(calendar_.AddWorkingDays(absl::CivilDay(2026, 3, 2), 40), absl::CivilDay(2026, 4, 30));
  EXPECT_EQ(Rows(f, t::kResultDeadlines),
            (Rs{{"units/propam", {1, 1, 0, 2}}, {"units/siwas", {0, 0, 1, 0}}}));
  // Working days to the SP3D: 17 -> 27 March skips 20-24 March and the
  // weekend (18, 19, 25, 26, 27: 5), twice, and 2 February -> 2 March (20).
  // To the answer: 5 January -> 2 March (40) and -> 31 March (58).
  EXPECT_EQ(Rows(f, t::kWorkingDays), (Rs{{"to_sp3d", {3, 5, 20}}, {"to_answer", {2, 40, 58}}}));
  // Ages at 31 March: received 2 March (18 working days), 2 February (38),
  // 5 January (58), 3 November 2025 (more than 60, twice). The ANSWERED
  // group is not open.
  EXPECT_EQ(Rows(f, t::kBacklogByAge),
            (Rs{{"0-20", {1}}, {"21-40", {1}}, {"41-60", {1}}, {"61+", {2}}}));
  EXPECT_EQ(Rows(f, t::kBacklogByUnit),
            (Rs{{"", {2, 1}}, {"units/propam", {2, 2}}, {"units/siwas", {1, 0}}}));
  EXPECT_EQ(Rows(f, t::kRatings), (Rs{{"1", {1}}, {"2", {0}}, {"3", {0}}, {"4", {2}}, {"5", {0}}}));
  EXPECT_EQ(Rows(f, t::kDisputesByUnit), (Rs{{"units/propam", {1}}, {"units/siwas", {1}}}));
  // Most named first; a tab in a name becomes a space.
  EXPECT_EQ(Rows(f, t::kRepeatedSubjects),
            (Rs{{"units/sat-lantas:Bripka S.", {3}}, {":Aipda R.", {2}}}));
  EXPECT_EQ(Rows(f, t::kCorrections), Rs{});
}

TEST_F(AnevFiguresBuildTest, AUnitsFiguresHoldOnlyItsComplaintsAndNoOfficers) {
  const AnevFigures f = BuildAnevFigures(data_, period_, calendar_, "propam");
  EXPECT_EQ(f.scope, "units/propam");
  EXPECT_EQ(f.Table(t::kRepeatedSubjects), nullptr);
  EXPECT_EQ(Rows(f, t::kReceivedByHandlingUnit), (Rs{{"units/propam", {3}}}));
  EXPECT_EQ(f.Table(t::kSummary)->Value("received", "count"), 3);
  EXPECT_EQ(f.Table(t::kSummary)->Value("backlog", "count"), 2);
  EXPECT_EQ(Rows(f, t::kRatings), (Rs{{"1", {0}}, {"2", {0}}, {"3", {0}}, {"4", {2}}, {"5", {0}}}));
}

TEST(PublicAnevFiguresTest, SuppressesSmallCellsAndWhatTheTotalWouldReveal) {
  AnevFigures resort;
  resort.month = absl::CivilMonth(2026, 3);
  resort.scope = "resort";
  resort.tables.push_back({"summary",
                           {"count"},
                           {{"received", {30}},
                            {"concluded", {3}},
                            {"answered", {12}},
                            {"sp3d_met", {20}},
                            {"sp3d_missed", {0}},
                            {"sp3d_pending", {2}},
                            {"sp3d_overdue", {4}},
                            {"result_met", {9}},
                            {"result_missed", {3}},
                            {"result_pending", {7}},
                            {"result_overdue", {1}},
                            {"ratings", {11}}}});
  // One cell under 5 among several: the next smallest is suppressed too.
  resort.tables.push_back({"received_by_category",
                           {"complaints"},
                           {{"categories/diskriminasi", {2}},
                            {"categories/korupsi", {6}},
                            {"categories/pelayanan-buruk", {22}}}});
  // Two small cells: their sum is known, each one is not.
  resort.tables.push_back({"received_by_channel",
                           {"complaints"},
                           {{"CHANNEL_WEB", {1}}, {"CHANNEL_WHATSAPP", {26}}, {"CHANNEL_PHONE", {3}}}});
  resort.tables.push_back({"received_by_subject_unit",
                           {"complaints"},
                           {{"", {2}},
                            {"units/polsek-tawaeli", {1}},
                            {"units/sat-lantas", {20}},
                            {"units/spkt", {7}}}});
  resort.tables.push_back(
      {"outcomes", {"complaints"}, {{"OUTCOME_SUBSTANTIATED", {2}}, {"OUTCOME_UNFOUNDED", {1}}}});
  resort.tables.push_back(
      {"ratings", {"ratings"}, {{"1", {0}}, {"2", {0}}, {"3", {5}}, {"4", {6}}, {"5", {0}}}});
  resort.tables.push_back({"repeated_subjects", {"complaints"}, {{"units/spkt:Bripka S.", {3}}}});

  const AnevFigures p = PublicAnevFigures(resort);
  EXPECT_EQ(p.scope, "public");
  std::vector<std::string> ids;
  for (const AnevTable& table : p.tables) ids.push_back(table.id);
  EXPECT_THAT(ids, ElementsAre("summary", "received_by_category", "received_by_channel",
                               "received_by_subject_unit", "outcomes", "ratings", "corrections"));
  EXPECT_EQ(Rows(p, t::kSummary),
            (Rs{{"received", {30}},
                {"concluded", {-1}},
                {"answered", {12}},
                {"sp3d_met", {20}},
                {"sp3d_missed", {0}},
                {"sp3d_running", {6}},
                {"result_met", {9}},
                {"result_missed", {-1}},
                {"result_running", {8}},
                {"ratings", {11}}}));
  EXPECT_EQ(Rows(p, t::kReceivedByCategory),
            (Rs{{"categories/diskriminasi", {-1}},
                {"categories/korupsi", {-1}},
                {"categories/pelayanan-buruk", {22}}}));
  EXPECT_EQ(Rows(p, t::kReceivedByChannel),
            (Rs{{"CHANNEL_WEB", {-1}}, {"CHANNEL_WHATSAPP", {26}}, {"CHANNEL_PHONE", {-1}}}));
  // Units complained about fewer than 5 times (and "no unit") pooled; the
  // pool (3) is suppressed, and with it the next smallest unit.
  EXPECT_EQ(Rows(p, t::kReceivedBySubjectUnit),
            (Rs{{"units/sat-lantas", {20}}, {"units/spkt", {-1}}, {"other", {-1}}}));
  // The total (3) is itself suppressed: every small cell is.
  EXPECT_EQ(Rows(p, t::kOutcomes),
            (Rs{{"OUTCOME_SUBSTANTIATED", {-1}}, {"OUTCOME_UNFOUNDED", {-1}}}));
  EXPECT_EQ(Rows(p, t::kRatings), (Rs{{"1", {0}}, {"2", {0}}, {"3", {5}}, {"4", {6}}, {"5", {0}}}));
  // No officer anywhere.
  for (const AnevTable& table : p.tables) {
    for (const AnevRow& row : table.rows) EXPECT_EQ(row.key.find("Bripka"), std::string::npos);
  }
}

TEST(AnevCorrectionsTest, ListsEveryValueThatChanged) {
  AnevFigures frozen;
  frozen.tables = {{"summary", {"count"}, {{"received", {5}}, {"answered", {2}}}},
                   {"received_by_handling_unit", {"complaints"}, {{"", {3}}, {"units/propam", {2}}}},
                   {"corrections", {"frozen", "now"}, {{"summary/received/count", {1, 2}}}}};
  AnevFigures now = frozen;
  now.tables[1].rows = {{"", {1}}, {"units/propam", {2}}, {"units/siwas", {2}}};
  now.tables[0].rows[1].values[0] = 3;
  const AnevTable corrections = AnevCorrections(frozen, now);
  EXPECT_EQ(corrections.id, "corrections");
  EXPECT_THAT(corrections.columns, ElementsAre("frozen", "now"));
  ASSERT_EQ(corrections.rows.size(), 3u);
  EXPECT_EQ(corrections.rows[0], (AnevRow{"received_by_handling_unit//complaints", {3, 1}}));
  EXPECT_EQ(corrections.rows[1],
            (AnevRow{"received_by_handling_unit/units/siwas/complaints", {0, 2}}));
  EXPECT_EQ(corrections.rows[2], (AnevRow{"summary/answered/count", {2, 3}}));
  EXPECT_TRUE(AnevCorrections(frozen, frozen).rows.empty());
}

TEST(AnevShortfallsTest, MostComplaintsAndSteepestRise) {
  AnevFigures march;
  march.tables = {{"received_by_subject_unit",
                   {"complaints"},
                   {{"", {9}},
                    {"units/sat-lantas", {12}},
                    {"units/spkt", {7}},
                    {"units/sat-reskrim", {7}}}},
                  {"received_by_category", {"complaints"}, {{"categories/korupsi", {4}}}}};
  AnevFigures february;
  february.tables = {{"received_by_subject_unit",
                      {"complaints"},
                      {{"units/sat-lantas", {11}}, {"units/spkt", {2}}, {"units/bag-ops", {3}}}},
                     {"received_by_category", {"complaints"}, {{"categories/korupsi", {4}}}}};
  const std::vector<AnevTable> out = AnevShortfalls(march, &february, 2);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].id, "top_subject_units");
  EXPECT_THAT(out[0].columns, ElementsAre("complaints", "previous_month", "change"));
  EXPECT_THAT(out[0].rows, ElementsAre(AnevRow{"units/sat-lantas", {12, 11, 1}},
                                       AnevRow{"units/sat-reskrim", {7, 0, 7}}));
  EXPECT_EQ(out[1].id, "rising_subject_units");
  EXPECT_THAT(out[1].rows, ElementsAre(AnevRow{"units/sat-reskrim", {7, 0, 7}},
                                       AnevRow{"units/spkt", {7, 2, 5}}));
  EXPECT_EQ(out[2].id, "top_categories");
  EXPECT_THAT(out[2].rows, ElementsAre(AnevRow{"categories/korupsi", {4, 4, 0}}));
  EXPECT_EQ(out[3].id, "rising_categories");
  EXPECT_TRUE(out[3].rows.empty());
}

TEST(AnevTrendTest, OneRowPerMonthFromTheSummaries) {
  AnevFigures march;
  march.tables = {{"summary", {"count"}, {{"received", {8}}, {"answered", {2}}, {"backlog", {5}}}}};
  const AnevTable trend = AnevTrend({{absl::CivilMonth(2026, 2), nullptr},
                                     {absl::CivilMonth(2026, 3), &march}});
  EXPECT_THAT(trend.columns, ElementsAre("received", "answered", "sp3d_met", "sp3d_missed",
                                         "result_met", "result_missed", "backlog", "overdue"));
  ASSERT_EQ(trend.rows.size(), 2u);
  EXPECT_EQ(trend.rows[0].key, "2026-02");
  EXPECT_EQ(trend.rows[0].values, std::vector<std::optional<int64_t>>(8, std::nullopt));
  EXPECT_EQ(trend.rows[1].key, "2026-03");
  EXPECT_EQ(trend.rows[1].values,
            (std::vector<std::optional<int64_t>>{8, 2, std::nullopt, std::nullopt, std::nullopt,
                                                 std::nullopt, 5, std::nullopt}));
}

}  // namespace
}  // namespace dumas
