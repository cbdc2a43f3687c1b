// The monthly analysis-and-evaluation report (Anev, docs/anev-report.md): what the
// store reads for a month, and the figures made of it for the whole resort,
// one handling unit, or the public. Plain C++: no gRPC, no protobuf, no SQL.
//
// The store groups the month's rows in the database (counts per handling
// unit and per day); everything measured in working days is counted here,
// with the working-day calendar, on those groups. Percentiles are nearest
// rank: the p-th percentile of n values is the value at rank ceil(p/100 * n)
// in ascending order (the median is p = 50).
#ifndef DUMAS_DOMAIN_ANEV_REPORT_H_
#define DUMAS_DOMAIN_ANEV_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/anev_figures.h"
#include "domain/complaint.h"
#include "domain/working_day_calendar.h"

namespace dumas {

// The time span of a month's report. Months begin and end at midnight WITA.
struct AnevPeriod {
  absl::CivilMonth month;
  absl::Time start;  // the month's first instant
  absl::Time end;    // the next month's first instant
  // The instant the figures are as at: `end` for a closed month, else the
  // time they are computed.
  absl::Time as_of;

  bool closed() const { return as_of == end; }
  // The last day (WITA) the figures cover: the month's last day when closed,
  // else today. Ages count working days up to it.
  absl::CivilDay last_day() const;
  // A deadline is overdue when its due day is before this day (WITA): the
  // day after a closed month, else today.
  absl::CivilDay overdue_before() const;
};

// The period of `month` as at `now`: closed once `now` reached its end.
// `month` must not be after the month of `now`.
AnevPeriod AnevPeriodOf(absl::CivilMonth month, absl::Time now);

// The month (WITA) that contains `time`.
absl::CivilMonth AnevMonthOf(absl::Time time);

// The states in which a complaint still awaits its official answer: the open
// backlog (RECEIVED, VERIFIED, ASSIGNED, UNDER_INVESTIGATION, CONCLUDED,
// REOPENED). ANSWERED, ARCHIVED, REJECTED and CLOSED are not.
bool IsAnevOpenState(ComplaintState state);

// What a case action's event records for the report as it is written
// (migration 0015): the report counts the event by these, from the event's
// index alone, without looking its complaint up.
struct AnevEventFacts {
  // The complaint's handling unit after the event; empty when it has none.
  // The event is counted under the unit that handled the complaint when it
  // happened, whatever unit handles it later.
  std::string handling_unit;
  // The day (WITA) the complaint was received.
  absl::CivilDay received;
  // The due day of the deadline the event fulfils: the SP3D's for the first
  // disposition (ASSIGNED from VERIFIED), the result deadline of the round
  // it answers for an official answer (ANSWERED); else none. A fulfilled
  // deadline's due day never changes afterwards (RecomputeDeadlines).
  std::optional<absl::CivilDay> due;
};

// The facts of the event `event_type` (from `from`) that changed `before`
// into `after`.
AnevEventFacts AnevFactsOf(std::string_view event_type, std::optional<ComplaintState> from,
                           const Complaint& before, const Complaint& after);

// What the store reads for one month, grouped. Every group carries a
// handling unit (empty when unassigned): for the month's events, the unit
// that handled the complaint when the event happened (AnevEventFacts; the
// complaint's unit when the data is read for events written before schema
// version 15), else the complaint's as it is when the data is read. A
// unit's part of the report is the groups of that unit. Days are WITA civil
// days.
struct AnevMonthData {
  // The complaints received in the month, with their state at its end (as at
  // the period's as_of).
  struct Received {
    std::string handling_unit;
    std::string category;
    Channel channel = Channel::kUnspecified;
    std::string subject_unit;  // empty: the complaint names no unit
    ComplaintState state_at_end = ComplaintState::kUnspecified;
    int64_t count = 0;
  };
  // Events of the month that are counted by a label: conclusions (the
  // internal note's first line, "outcome: SUBSTANTIATED"), rejections
  // ("reason: DUPLICATE"), the latest rating of each complaint ("rating:
  // 4"), archivings, disputes (DISPUTED, REOPENED) with an empty label.
  struct Labelled {
    std::string handling_unit;
    std::string type;   // the event type
    std::string label;  // the first line of the event's internal note
    int64_t count = 0;
  };
  // First dispositions (the SP3D going out) in the month.
  struct Sp3dSent {
    std::string handling_unit;
    absl::CivilDay received;
    absl::CivilDay sent;
    absl::CivilDay due;
    int64_t count = 0;
  };
  // Official answers given in the month. The result deadline the answer
  // fulfils is `due` (the stored one) unless the answer's round started
  // before a later one (the complaint was reopened and handled again): then
  // `round_start` is the day that round started, and the due day is 40
  // working days after it.
  struct Answer {
    std::string handling_unit;
    absl::CivilDay received;
    absl::CivilDay answered;
    std::optional<absl::CivilDay> due;
    std::optional<absl::CivilDay> round_start;
    int64_t count = 0;
  };
  // Complaints open at the end of the month (IsAnevOpenState of their state
  // then), received before it. `result_due` and `result_round_start` as in
  // Answer: the result deadline running at the end of the month, if any.
  struct Open {
    std::string handling_unit;
    ComplaintState state = ComplaintState::kUnspecified;
    absl::CivilDay received;
    absl::CivilDay sp3d_due;
    std::optional<absl::CivilDay> result_due;
    std::optional<absl::CivilDay> result_round_start;
    int64_t count = 0;
  };
  // Officers named in the month's complaints that were named in more than
  // one complaint received in the twelve months ending with the month (the
  // same subject unit, the name compared ignoring case and accents).
  struct RepeatedSubject {
    std::string subject_unit;  // empty: no unit named
    std::string officer_name;
    int64_t complaints = 0;  // in the twelve months
  };

  std::vector<Received> received;
  std::vector<Labelled> labelled;
  std::vector<Sp3dSent> sp3d_sent;
  std::vector<Answer> answers;
  std::vector<Open> open;
  std::vector<RepeatedSubject> repeated_subjects;
};

// The table ids of a report (docs/anev-report.md lists their rows and columns).
namespace anev_table {
inline constexpr std::string_view kSummary = "summary";
inline constexpr std::string_view kReceivedByCategory = "received_by_category";
inline constexpr std::string_view kReceivedByChannel = "received_by_channel";
inline constexpr std::string_view kReceivedBySubjectUnit = "received_by_subject_unit";
inline constexpr std::string_view kReceivedByHandlingUnit = "received_by_handling_unit";
inline constexpr std::string_view kStatesAtMonthEnd = "states_at_month_end";
inline constexpr std::string_view kOutcomes = "outcomes";
inline constexpr std::string_view kRejections = "rejections";
inline constexpr std::string_view kSp3dDeadlines = "sp3d_deadlines";
inline constexpr std::string_view kResultDeadlines = "result_deadlines";
inline constexpr std::string_view kWorkingDays = "working_days";
inline constexpr std::string_view kBacklogByAge = "backlog_by_age";
inline constexpr std::string_view kBacklogByUnit = "backlog_by_unit";
inline constexpr std::string_view kRatings = "ratings";
inline constexpr std::string_view kDisputesByUnit = "disputes_by_unit";
inline constexpr std::string_view kRepeatedSubjects = "repeated_subjects";
inline constexpr std::string_view kCorrections = "corrections";
// Derived when a report is served, not part of the month's figures.
inline constexpr std::string_view kTopSubjectUnits = "top_subject_units";
inline constexpr std::string_view kRisingSubjectUnits = "rising_subject_units";
inline constexpr std::string_view kTopCategories = "top_categories";
inline constexpr std::string_view kRisingCategories = "rising_categories";
inline constexpr std::string_view kTrend = "trend";
}  // namespace anev_table

// The figures of the month for the whole resort (`unit_id` empty; with the
// repeated subjects) or for the complaints handled by one unit, as at
// `period.as_of`. Every table is present, in the order docs/anev-report.md gives,
// the corrections table empty.
AnevFigures BuildAnevFigures(const AnevMonthData& data, const AnevPeriod& period,
                             const WorkingDayCalendar& calendar, std::string_view unit_id);

// The public variant of the resort's figures: totals by category, channel
// and outcome, deadline compliance and ratings, the subject units
// complained about at least kAnevMinimumCell times (the others pooled into
// one row `other`), no officer and no handling unit. Every value from 1 to
// kAnevMinimumCell - 1 is suppressed, and where a table's suppressed cells
// could be recovered from its total, the smallest other non-zero cells are
// suppressed too (docs/anev-report.md).
inline constexpr int64_t kAnevMinimumCell = 5;
AnevFigures PublicAnevFigures(const AnevFigures& resort);

// The corrections of a month already frozen: every value of `frozen` that
// differs in `recomputed` (the same month and scope as the data stands now),
// as the table kCorrections with rows `<table>/<row key>/<column>` and the
// columns `frozen` and `now` (a value absent on one side counts as 0), in
// key order.
AnevTable AnevCorrections(const AnevFigures& frozen, const AnevFigures& recomputed);

// Where the service falls short, from the month's figures and the month
// before's (nullptr: none): the subject units and categories with the most
// complaints (kTopSubjectUnits, kTopCategories) and the steepest rise
// (kRisingSubjectUnits, kRisingCategories), at most `limit` rows each, with
// the columns `complaints`, `previous_month` and `change`. Suppressed values
// (the public variant) count as unknown: rows with them are left out of the
// rise.
std::vector<AnevTable> AnevShortfalls(const AnevFigures& month, const AnevFigures* previous,
                                      int limit);

// The trend over the given months (oldest first; nullptr: no figures): one
// row per month `YYYY-MM` with the columns received, answered, sp3d_met,
// sp3d_missed, result_met, result_missed, backlog and overdue, taken from
// each month's summary.
AnevTable AnevTrend(const std::vector<std::pair<absl::CivilMonth, const AnevFigures*>>& months);

// The nearest-rank percentile (1-100) of values given as (value, count)
// pairs in any order; 0 when there are none.
int64_t NearestRankPercentile(std::vector<std::pair<int64_t, int64_t>> histogram, int percent);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_ANEV_REPORT_H_
