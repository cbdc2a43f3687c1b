#include "domain/anev_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/string_view_interop.h"

namespace dumas {
namespace {

namespace t = anev_table;

// The backlog's age buckets, in working days since receipt.
constexpr int kAgeBucketWidth = 20;
constexpr const char* kAgeBuckets[] = {"0-20", "21-40", "41-60", "61+"};

std::string UnitKey(std::string_view unit_id) {
  return unit_id.empty() ? std::string() : AnevUnitScope(unit_id);
}

std::string ChannelKey(Channel channel) {
  return absl::StrCat("CHANNEL_", ChannelName(channel));
}
std::string StateKey(ComplaintState state) {
  return absl::StrCat("COMPLAINT_STATE_", ComplaintStateName(state));
}
std::string OutcomeKey(Outcome outcome) { return absl::StrCat("OUTCOME_", OutcomeName(outcome)); }
std::string ReasonKey(RejectionReason reason) {
  return absl::StrCat("REJECTION_REASON_", RejectionReasonName(reason));
}

// Counts by key, in key order unless the table gives its own.
using Counts = std::map<std::string, int64_t>;

AnevTable CountTable(std::string_view id, std::string_view column, const Counts& counts) {
  AnevTable table{std::string(id), {std::string(column)}, {}};
  for (const auto& [key, count] : counts) {
    if (count != 0) table.rows.push_back({key, {count}});
  }
  return table;
}

// Rows in the order of `keys` (enum order), zero rows left out unless
// `keep_zero`.
AnevTable OrderedTable(std::string_view id, std::string_view column,
                       const std::vector<std::string>& keys, const Counts& counts,
                       bool keep_zero) {
  AnevTable table{std::string(id), {std::string(column)}, {}};
  for (const std::string& key : keys) {
    const auto it = counts.find(key);
    const int64_t count = it == counts.end() ? 0 : it->second;
    if (count != 0 || keep_zero) table.rows.push_back({key, {count}});
  }
  return table;
}

AnevTable MultiTable(std::string_view id, std::vector<std::string> columns,
                     const std::map<std::string, std::vector<int64_t>>& rows) {
  AnevTable table{std::string(id), std::move(columns), {}};
  for (const auto& [key, values] : rows) {
    AnevRow row{key, {}};
    for (int64_t v : values) row.values.push_back(v);
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::optional<Outcome> OutcomeFromLabel(std::string_view label) {
  constexpr std::string_view kPrefix = "outcome: ";
  if (label.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  label.remove_prefix(kPrefix.size());
  for (int i = 1; i <= kMaxOutcome; ++i) {
    if (ToStd(OutcomeName(static_cast<Outcome>(i))) == label) return static_cast<Outcome>(i);
  }
  return std::nullopt;
}

std::optional<RejectionReason> ReasonFromLabel(std::string_view label) {
  constexpr std::string_view kPrefix = "reason: ";
  if (label.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  label.remove_prefix(kPrefix.size());
  for (int i = 1; i <= kMaxRejectionReason; ++i) {
    const auto reason = static_cast<RejectionReason>(i);
    if (ToStd(RejectionReasonName(reason)) == label) return reason;
  }
  return std::nullopt;
}

std::optional<int> RatingFromLabel(std::string_view label) {
  constexpr std::string_view kPrefix = "rating: ";
  if (label.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  int rating = 0;
  if (!absl::SimpleAtoi(ToAbsl(label.substr(kPrefix.size())), &rating) || rating < 1 ||
      rating > 5) {
    return std::nullopt;
  }
  return rating;
}

// Whether a group belongs to the scope (empty unit_id: the resort).
bool InScope(std::string_view unit_id, const std::string& handling_unit) {
  return unit_id.empty() || handling_unit == unit_id;
}

struct DeadlineCounts {
  int64_t met = 0;
  int64_t missed = 0;
  int64_t pending = 0;
  int64_t overdue = 0;
};

std::string SanitizedKeyPart(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

absl::CivilDay AnevPeriod::last_day() const {
  return absl::ToCivilDay(as_of - absl::Microseconds(1), PaluTimeZone());
}

absl::CivilDay AnevPeriod::overdue_before() const {
  return absl::ToCivilDay(as_of, PaluTimeZone());
}

AnevPeriod AnevPeriodOf(absl::CivilMonth month, absl::Time now) {
  const absl::TimeZone zone = PaluTimeZone();
  AnevPeriod period;
  period.month = month;
  period.start = absl::FromCivil(absl::CivilSecond(month), zone);
  period.end = absl::FromCivil(absl::CivilSecond(month + 1), zone);
  period.as_of = std::min(now, period.end);
  return period;
}

absl::CivilMonth AnevMonthOf(absl::Time time) {
  return absl::CivilMonth(absl::ToCivilSecond(time, PaluTimeZone()));
}

AnevEventFacts AnevFactsOf(std::string_view event_type, std::optional<ComplaintState> from,
                           const Complaint& before, const Complaint& after) {
  AnevEventFacts facts;
  facts.handling_unit = after.handling_unit_id;
  facts.received = absl::ToCivilDay(after.create_time, PaluTimeZone());
  if (event_type == "ASSIGNED" && from == ComplaintState::kVerified) {
    facts.due = before.sp3d_due_date;
  } else if (event_type == "ANSWERED") {
    facts.due = before.result_due_date;
  }
  return facts;
}

bool IsAnevOpenState(ComplaintState state) {
  switch (state) {
    case ComplaintState::kReceived:
    case ComplaintState::kVerified:
    case ComplaintState::kAssigned:
    case ComplaintState::kUnderInvestigation:
    case ComplaintState::kConcluded:
    case ComplaintState::kReopened:
      return true;
    default:
      return false;
  }
}

int64_t NearestRankPercentile(std::vector<std::pair<int64_t, int64_t>> histogram, int percent) {
  std::sort(histogram.begin(), histogram.end());
  int64_t n = 0;
  for (const auto& [value, count] : histogram) n += count;
  if (n == 0) return 0;
  // ceil(percent * n / 100), at least 1.
  const int64_t rank = std::max<int64_t>(1, (percent * n + 99) / 100);
  int64_t seen = 0;
  for (const auto& [value, count] : histogram) {
    seen += count;
    if (seen >= rank) return value;
  }
  return histogram.back().first;
}

AnevFigures BuildAnevFigures(const AnevMonthData& data, const AnevPeriod& period,
                             const WorkingDayCalendar& calendar, std::string_view unit_id) {
  AnevFigures figures;
  figures.month = period.month;
  figures.scope = unit_id.empty() ? std::string(kAnevScopeResort) : AnevUnitScope(unit_id);
  figures.as_of = period.as_of;

  // Intake and the states of the month's complaints at its end.
  int64_t received = 0;
  Counts by_category, by_channel, by_subject, by_handling, by_state;
  for (const AnevMonthData::Received& r : data.received) {
    if (!InScope(unit_id, r.handling_unit)) continue;
    received += r.count;
    by_category[absl::StrCat("categories/", r.category)] += r.count;
    by_channel[ChannelKey(r.channel)] += r.count;
    by_subject[UnitKey(r.subject_unit)] += r.count;
    by_handling[UnitKey(r.handling_unit)] += r.count;
    by_state[StateKey(r.state_at_end)] += r.count;
  }

  // Conclusions, rejections, archivings, disputes and ratings.
  Counts outcomes, reasons, disputes_by_unit;
  int64_t concluded = 0, archived = 0, rejected = 0, disputed = 0, rated = 0;
  int64_t ratings[6] = {0, 0, 0, 0, 0, 0};
  for (const AnevMonthData::Labelled& e : data.labelled) {
    if (!InScope(unit_id, e.handling_unit)) continue;
    if (e.type == "CONCLUDED") {
      concluded += e.count;
      outcomes[OutcomeKey(OutcomeFromLabel(e.label).value_or(Outcome::kUnspecified))] += e.count;
    } else if (e.type == "REJECTED") {
      rejected += e.count;
      reasons[ReasonKey(ReasonFromLabel(e.label).value_or(RejectionReason::kUnspecified))] +=
          e.count;
    } else if (e.type == "ARCHIVED") {
      archived += e.count;
    } else if (e.type == "DISPUTED" || e.type == "REOPENED") {
      disputed += e.count;
      disputes_by_unit[UnitKey(e.handling_unit)] += e.count;
    } else if (e.type == "RATED") {
      if (const std::optional<int> rating = RatingFromLabel(e.label); rating.has_value()) {
        ratings[*rating] += e.count;
        rated += e.count;
      }
    }
  }

  // Deadlines fulfilled in the month, and the working days they took.
  std::map<std::string, DeadlineCounts> sp3d, result;
  std::vector<std::pair<int64_t, int64_t>> to_sp3d, to_answer;
  int64_t sp3d_sent = 0, answered = 0;
  for (const AnevMonthData::Sp3dSent& s : data.sp3d_sent) {
    if (!InScope(unit_id, s.handling_unit)) continue;
    sp3d_sent += s.count;
    DeadlineCounts& counts = sp3d[UnitKey(s.handling_unit)];
    (s.sent <= s.due ? counts.met : counts.missed) += s.count;
    to_sp3d.emplace_back(calendar.WorkingDaysBetween(s.received, s.sent), s.count);
  }
  for (const AnevMonthData::Answer& a : data.answers) {
    if (!InScope(unit_id, a.handling_unit)) continue;
    answered += a.count;
    std::optional<absl::CivilDay> due = a.due;
    if (a.round_start.has_value()) {
      due = calendar.AddWorkingDays(*a.round_start, kResultWorkingDays);
    }
    DeadlineCounts& counts = result[UnitKey(a.handling_unit)];
    // An answer without a result deadline (none was stored) is counted as
    // met: nothing was owed by a day.
    (!due.has_value() || a.answered <= *due ? counts.met : counts.missed) += a.count;
    to_answer.emplace_back(calendar.WorkingDaysBetween(a.received, a.answered), a.count);
  }

  // The open backlog at the month's end: ages and running deadlines.
  int64_t by_age[4] = {0, 0, 0, 0};
  std::map<std::string, std::vector<int64_t>> backlog_by_unit;  // open, overdue
  int64_t backlog = 0, overdue = 0;
  const absl::CivilDay last_day = period.last_day();
  const absl::CivilDay overdue_before = period.overdue_before();
  for (const AnevMonthData::Open& o : data.open) {
    if (!InScope(unit_id, o.handling_unit) || !IsAnevOpenState(o.state)) continue;
    backlog += o.count;
    const int age = calendar.WorkingDaysBetween(o.received, last_day);
    by_age[std::min(3, std::max(0, (age - 1) / kAgeBucketWidth))] += o.count;
    std::vector<int64_t>& unit = backlog_by_unit[UnitKey(o.handling_unit)];
    unit.resize(2, 0);
    unit[0] += o.count;
    bool late = false;
    if (o.state == ComplaintState::kReceived || o.state == ComplaintState::kVerified) {
      late = o.sp3d_due < overdue_before;
      DeadlineCounts& counts = sp3d[UnitKey(o.handling_unit)];
      (late ? counts.overdue : counts.pending) += o.count;
    } else {
      std::optional<absl::CivilDay> due = o.result_due;
      if (o.result_round_start.has_value()) {
        due = calendar.AddWorkingDays(*o.result_round_start, kResultWorkingDays);
      }
      if (due.has_value()) {
        late = *due < overdue_before;
        DeadlineCounts& counts = result[UnitKey(o.handling_unit)];
        (late ? counts.overdue : counts.pending) += o.count;
      }
    }
    if (late) {
      overdue += o.count;
      unit[1] += o.count;
    }
  }

  DeadlineCounts sp3d_total, result_total;
  std::map<std::string, std::vector<int64_t>> sp3d_rows, result_rows;
  for (const auto& [key, c] : sp3d) {
    sp3d_rows[key] = {c.met, c.missed, c.pending, c.overdue};
    sp3d_total.met += c.met;
    sp3d_total.missed += c.missed;
    sp3d_total.pending += c.pending;
    sp3d_total.overdue += c.overdue;
  }
  for (const auto& [key, c] : result) {
    result_rows[key] = {c.met, c.missed, c.pending, c.overdue};
    result_total.met += c.met;
    result_total.missed += c.missed;
    result_total.pending += c.pending;
    result_total.overdue += c.overdue;
  }

  AnevTable summary{std::string(t::kSummary), {"count"}, {}};
  for (const auto& [key, value] : std::vector<std::pair<std::string, int64_t>>{
           {"received", received},
           {"sp3d_sent", sp3d_sent},
           {"concluded", concluded},
           {"answered", answered},
           {"archived", archived},
           {"rejected", rejected},
           {"disputed", disputed},
           {"ratings", rated},
           {"backlog", backlog},
           {"overdue", overdue},
           {"sp3d_met", sp3d_total.met},
           {"sp3d_missed", sp3d_total.missed},
           {"sp3d_pending", sp3d_total.pending},
           {"sp3d_overdue", sp3d_total.overdue},
           {"result_met", result_total.met},
           {"result_missed", result_total.missed},
           {"result_pending", result_total.pending},
           {"result_overdue", result_total.overdue}}) {
    summary.rows.push_back({key, {value}});
  }
  figures.tables.push_back(std::move(summary));
  figures.tables.push_back(CountTable(t::kReceivedByCategory, "complaints", by_category));

  std::vector<std::string> channel_keys, state_keys, outcome_keys, reason_keys;
  for (int i = 1; i <= kMaxChannel; ++i) channel_keys.push_back(ChannelKey(static_cast<Channel>(i)));
  for (int i = 1; i <= kMaxComplaintState; ++i) {
    state_keys.push_back(StateKey(static_cast<ComplaintState>(i)));
  }
  for (int i = 0; i <= kMaxOutcome; ++i) outcome_keys.push_back(OutcomeKey(static_cast<Outcome>(i)));
  for (int i = 0; i <= kMaxRejectionReason; ++i) {
    reason_keys.push_back(ReasonKey(static_cast<RejectionReason>(i)));
  }
  figures.tables.push_back(
      OrderedTable(t::kReceivedByChannel, "complaints", channel_keys, by_channel, false));
  figures.tables.push_back(CountTable(t::kReceivedBySubjectUnit, "complaints", by_subject));
  figures.tables.push_back(CountTable(t::kReceivedByHandlingUnit, "complaints", by_handling));
  figures.tables.push_back(
      OrderedTable(t::kStatesAtMonthEnd, "complaints", state_keys, by_state, false));
  figures.tables.push_back(OrderedTable(t::kOutcomes, "complaints", outcome_keys, outcomes, false));
  figures.tables.push_back(OrderedTable(t::kRejections, "complaints", reason_keys, reasons, false));
  figures.tables.push_back(
      MultiTable(t::kSp3dDeadlines, {"met", "missed", "pending", "overdue"}, sp3d_rows));
  figures.tables.push_back(
      MultiTable(t::kResultDeadlines, {"met", "missed", "pending", "overdue"}, result_rows));

  AnevTable working_days{std::string(t::kWorkingDays), {"count", "median", "p90"}, {}};
  for (const auto& [key, histogram] :
       {std::pair<std::string, const std::vector<std::pair<int64_t, int64_t>>*>{"to_sp3d",
                                                                               &to_sp3d},
        {"to_answer", &to_answer}}) {
    int64_t n = 0;
    for (const auto& entry : *histogram) n += entry.second;
    working_days.rows.push_back({key,
                                 {n, NearestRankPercentile(*histogram, 50),
                                  NearestRankPercentile(*histogram, 90)}});
  }
  figures.tables.push_back(std::move(working_days));

  AnevTable ages{std::string(t::kBacklogByAge), {"complaints"}, {}};
  for (int i = 0; i < 4; ++i) ages.rows.push_back({kAgeBuckets[i], {by_age[i]}});
  figures.tables.push_back(std::move(ages));
  figures.tables.push_back(MultiTable(t::kBacklogByUnit, {"open", "overdue"}, backlog_by_unit));

  AnevTable rating_table{std::string(t::kRatings), {"ratings"}, {}};
  for (int r = 1; r <= 5; ++r) rating_table.rows.push_back({absl::StrCat(r), {ratings[r]}});
  figures.tables.push_back(std::move(rating_table));
  figures.tables.push_back(CountTable(t::kDisputesByUnit, "disputes", disputes_by_unit));

  if (unit_id.empty()) {
    std::vector<std::pair<int64_t, std::string>> subjects;
    for (const AnevMonthData::RepeatedSubject& s : data.repeated_subjects) {
      subjects.emplace_back(s.complaints, absl::StrCat(UnitKey(s.subject_unit), ":",
                                                       SanitizedKeyPart(s.officer_name)));
    }
    // Most complaints first, then by key.
    std::sort(subjects.begin(), subjects.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    AnevTable repeated{std::string(t::kRepeatedSubjects), {"complaints"}, {}};
    for (const auto& [count, key] : subjects) repeated.rows.push_back({key, {count}});
    figures.tables.push_back(std::move(repeated));
  }
  figures.tables.push_back(AnevTable{std::string(t::kCorrections), {"frozen", "now"}, {}});
  return figures;
}

namespace {

// Suppresses every value from 1 to kAnevMinimumCell - 1 in column 0 of
// `table`; then, when `total` is shown and exactly one cell is suppressed,
// the smallest other non-zero cell too, so that no suppressed cell can be
// recomputed from the total.
void SuppressSmallCells(AnevTable& table, bool total_shown) {
  int suppressed = 0;
  for (AnevRow& row : table.rows) {
    for (std::optional<int64_t>& value : row.values) {
      if (value.has_value() && *value > 0 && *value < kAnevMinimumCell) {
        value.reset();
        ++suppressed;
      }
    }
  }
  if (!total_shown || suppressed != 1) return;
  AnevRow* smallest = nullptr;
  for (AnevRow& row : table.rows) {
    const std::optional<int64_t>& value = row.values[0];
    if (value.has_value() && *value > 0 &&
        (smallest == nullptr || *value < *smallest->values[0])) {
      smallest = &row;
    }
  }
  if (smallest != nullptr) smallest->values[0].reset();
}

int64_t SummaryValue(const AnevFigures& figures, std::string_view key) {
  const AnevTable* summary = figures.Table(t::kSummary);
  return summary == nullptr ? 0 : summary->Value(key, "count").value_or(0);
}

}  // namespace

AnevFigures PublicAnevFigures(const AnevFigures& resort) {
  AnevFigures out;
  out.month = resort.month;
  out.scope = std::string(kAnevScopePublic);
  out.as_of = resort.as_of;

  const int64_t received = SummaryValue(resort, "received");
  const int64_t concluded = SummaryValue(resort, "concluded");
  const int64_t rated = SummaryValue(resort, "ratings");
  AnevTable summary{std::string(t::kSummary), {"count"}, {}};
  for (const auto& [key, value] : std::vector<std::pair<std::string, int64_t>>{
           {"received", received},
           {"concluded", concluded},
           {"answered", SummaryValue(resort, "answered")},
           {"sp3d_met", SummaryValue(resort, "sp3d_met")},
           {"sp3d_missed", SummaryValue(resort, "sp3d_missed")},
           {"sp3d_running",
            SummaryValue(resort, "sp3d_pending") + SummaryValue(resort, "sp3d_overdue")},
           {"result_met", SummaryValue(resort, "result_met")},
           {"result_missed", SummaryValue(resort, "result_missed")},
           {"result_running",
            SummaryValue(resort, "result_pending") + SummaryValue(resort, "result_overdue")},
           {"ratings", rated}}) {
    summary.rows.push_back({key, {value}});
  }
  SuppressSmallCells(summary, /*total_shown=*/false);
  const auto shown = [&summary](std::string_view key) {
    const AnevRow* row = summary.Row(key);
    return row != nullptr && row->values[0].has_value();
  };

  auto copy = [&resort](std::string_view id) {
    const AnevTable* table = resort.Table(id);
    return table == nullptr ? AnevTable{std::string(id), {"complaints"}, {}} : *table;
  };
  AnevTable by_category = copy(t::kReceivedByCategory);
  AnevTable by_channel = copy(t::kReceivedByChannel);
  AnevTable outcomes = copy(t::kOutcomes);
  AnevTable ratings = copy(t::kRatings);

  // Subject units complained about fewer than kAnevMinimumCell times, and
  // complaints naming no unit, are pooled into one row.
  AnevTable subjects{std::string(t::kReceivedBySubjectUnit), {"complaints"}, {}};
  int64_t pooled = 0;
  if (const AnevTable* source = resort.Table(t::kReceivedBySubjectUnit); source != nullptr) {
    for (const AnevRow& row : source->rows) {
      const int64_t count = row.values[0].value_or(0);
      if (row.key.empty() || count < kAnevMinimumCell) {
        pooled += count;
      } else {
        subjects.rows.push_back(row);
      }
    }
  }
  if (pooled > 0) subjects.rows.push_back({"other", {pooled}});

  SuppressSmallCells(by_category, shown("received"));
  SuppressSmallCells(by_channel, shown("received"));
  SuppressSmallCells(subjects, shown("received"));
  SuppressSmallCells(outcomes, shown("concluded"));
  SuppressSmallCells(ratings, shown("ratings"));

  out.tables.push_back(std::move(summary));
  out.tables.push_back(std::move(by_category));
  out.tables.push_back(std::move(by_channel));
  out.tables.push_back(std::move(subjects));
  out.tables.push_back(std::move(outcomes));
  out.tables.push_back(std::move(ratings));
  out.tables.push_back(AnevTable{std::string(t::kCorrections), {"frozen", "now"}, {}});
  return out;
}

AnevTable AnevCorrections(const AnevFigures& frozen, const AnevFigures& recomputed) {
  // (table/key/column) -> (frozen, now); suppressed values compare as -1.
  std::map<std::string, std::pair<int64_t, int64_t>> cells;
  auto collect = [&cells](const AnevFigures& figures, bool is_frozen) {
    for (const AnevTable& table : figures.tables) {
      if (table.id == t::kCorrections) continue;
      for (const AnevRow& row : table.rows) {
        for (size_t c = 0; c < table.columns.size() && c < row.values.size(); ++c) {
          auto& cell = cells[absl::StrCat(table.id, "/", row.key, "/", table.columns[c])];
          (is_frozen ? cell.first : cell.second) = row.values[c].value_or(-1);
        }
      }
    }
  };
  collect(frozen, true);
  collect(recomputed, false);
  AnevTable table{std::string(t::kCorrections), {"frozen", "now"}, {}};
  for (const auto& [key, values] : cells) {
    if (values.first == values.second) continue;
    AnevRow row{key, {}};
    for (int64_t v : {values.first, values.second}) {
      row.values.push_back(v < 0 ? std::nullopt : std::optional<int64_t>(v));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

namespace {

struct Ranked {
  std::string key;
  int64_t complaints = 0;
  int64_t previous = 0;
};

void AddRanked(std::vector<AnevTable>& out, std::string_view top_id, std::string_view rising_id,
               std::string_view table_id, std::string_view prefix, const AnevFigures& month,
               const AnevFigures* previous, int limit) {
  std::vector<Ranked> ranked;
  std::set<std::string> unknown;  // suppressed in either month
  const AnevTable* now = month.Table(table_id);
  const AnevTable* before = previous == nullptr ? nullptr : previous->Table(table_id);
  std::map<std::string, Ranked> by_key;
  auto add = [&](const AnevTable* table, bool is_now) {
    if (table == nullptr) return;
    for (const AnevRow& row : table->rows) {
      if (row.key.substr(0, prefix.size()) != prefix) continue;
      Ranked& r = by_key[row.key];
      r.key = row.key;
      if (!row.values[0].has_value()) {
        unknown.insert(row.key);
        continue;
      }
      (is_now ? r.complaints : r.previous) = *row.values[0];
    }
  };
  add(now, true);
  add(before, false);
  for (auto& [key, r] : by_key) {
    if (!unknown.contains(key)) ranked.push_back(r);
  }
  const std::vector<std::string> columns = {"complaints", "previous_month", "change"};
  auto table_of = [&](std::string_view id, std::vector<Ranked> rows, auto better, auto keep) {
    std::sort(rows.begin(), rows.end(), better);
    AnevTable table{std::string(id), columns, {}};
    for (const Ranked& r : rows) {
      if (static_cast<int>(table.rows.size()) == limit) break;
      if (!keep(r)) continue;
      table.rows.push_back({r.key, {r.complaints, r.previous, r.complaints - r.previous}});
    }
    return table;
  };
  out.push_back(table_of(
      top_id, ranked,
      [](const Ranked& a, const Ranked& b) {
        return a.complaints != b.complaints ? a.complaints > b.complaints : a.key < b.key;
      },
      [](const Ranked& r) { return r.complaints > 0; }));
  out.push_back(table_of(
      rising_id, ranked,
      [](const Ranked& a, const Ranked& b) {
        const int64_t da = a.complaints - a.previous, db = b.complaints - b.previous;
        return da != db ? da > db : a.key < b.key;
      },
      [](const Ranked& r) { return r.complaints - r.previous > 0; }));
}

}  // namespace

std::vector<AnevTable> AnevShortfalls(const AnevFigures& month, const AnevFigures* previous,
                                      int limit) {
  std::vector<AnevTable> out;
  AddRanked(out, t::kTopSubjectUnits, t::kRisingSubjectUnits, t::kReceivedBySubjectUnit, "units/",
            month, previous, limit);
  AddRanked(out, t::kTopCategories, t::kRisingCategories, t::kReceivedByCategory, "categories/",
            month, previous, limit);
  return out;
}

AnevTable AnevTrend(const std::vector<std::pair<absl::CivilMonth, const AnevFigures*>>& months) {
  const std::vector<std::string> columns = {"received",   "answered",      "sp3d_met",
                                            "sp3d_missed", "result_met",   "result_missed",
                                            "backlog",    "overdue"};
  AnevTable table{std::string(t::kTrend), columns, {}};
  for (const auto& [month, figures] : months) {
    AnevRow row{AnevMonthText(month), {}};
    const AnevTable* summary = figures == nullptr ? nullptr : figures->Table(t::kSummary);
    for (const std::string& column : columns) {
      row.values.push_back(summary == nullptr ? std::nullopt : summary->Value(column, "count"));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace dumas
