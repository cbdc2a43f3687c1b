#include "server/anev_reports.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/log.h"
#include "storage/call_deadline.h"

namespace dumas {
namespace {

// The months a report shows: itself, the eleven before it for the trend, and
// the same month a year earlier.
constexpr int kMonthsBack = 12;
// Rows of each shortfall table.
constexpr int kShortfallRows = 5;

// The figures of `scope` from a month's data.
AnevFigures FiguresOf(const AnevMonthData& data, const AnevPeriod& period,
                      const WorkingDayCalendar& calendar, const std::string& scope) {
  if (scope == kAnevScopePublic) {
    return PublicAnevFigures(BuildAnevFigures(data, period, calendar, ""));
  }
  if (scope == kAnevScopeResort) return BuildAnevFigures(data, period, calendar, "");
  return BuildAnevFigures(data, period, calendar,
                          std::string_view(scope).substr(std::string_view("units/").size()));
}

// The stored body of `scope` in a frozen month; nullptr when there is none.
const std::string* BodyOf(const FrozenAnevMonth& month, const std::string& scope) {
  for (const auto& [body_scope, body] : month.bodies) {
    if (body_scope == scope) return &body;
  }
  return nullptr;
}

void SetCorrections(AnevFigures& figures, AnevTable corrections) {
  if (AnevTable* table = figures.MutableTable(anev_table::kCorrections); table != nullptr) {
    *table = std::move(corrections);
  }
}

}  // namespace

AnevReports::AnevReports(AnevStore& store, ReferenceDataCache& cache, Options options)
    : store_(store), cache_(cache), options_(options) {}

bool AnevReports::Freezable(absl::CivilMonth month, absl::Time now) const {
  return AnevPeriodOf(month, now).end + options_.freeze_delay <= now;
}

absl::Status AnevReports::Freeze(absl::CivilMonth month, absl::Time now) {
  absl::MutexLock lock(&freeze_mu_);
  absl::StatusOr<std::vector<FrozenAnevMonth>> frozen =
      store_.ListFrozenAnevMonths(month - 1, month, std::nullopt);
  if (!frozen.ok()) return frozen.status();
  const FrozenAnevMonth* previous = nullptr;
  for (const FrozenAnevMonth& m : *frozen) {
    if (m.month == month) return absl::OkStatus();  // frozen meanwhile
    if (m.month == month - 1) previous = &m;
  }
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference = cache_.Current();
  if (!reference.ok()) return reference.status();

  const absl::Time started = absl::Now();
  const AnevPeriod period = AnevPeriodOf(month, now);
  const AnevPeriod previous_period = AnevPeriodOf(month - 1, now);
  std::vector<AnevPeriod> periods = {period};
  // The month before as it stands now, for the corrections of its frozen
  // figures.
  if (previous != nullptr) periods.push_back(previous_period);
  absl::StatusOr<std::vector<AnevMonthData>> data =
      store_.ReadAnevData(periods, AnevStore::ReadFor::kBackground);
  if (!data.ok()) return data.status();

  std::vector<std::string> scopes = {std::string(kAnevScopeResort),
                                     std::string(kAnevScopePublic)};
  std::vector<std::string> units((*reference)->unit_ids.begin(), (*reference)->unit_ids.end());
  std::sort(units.begin(), units.end());
  for (const std::string& unit : units) scopes.push_back(AnevUnitScope(unit));

  const WorkingDayCalendar& calendar = (*reference)->calendar;
  std::vector<AnevReportToFreeze> reports;
  std::vector<std::pair<std::string, std::string>> digests;
  for (const std::string& scope : scopes) {
    AnevFigures figures = FiguresOf((*data)[0], period, calendar, scope);
    if (previous != nullptr) {
      if (const std::string* body = BodyOf(*previous, scope); body != nullptr) {
        absl::StatusOr<AnevFigures> before = ParseAnevStoredForm(*body);
        if (!before.ok()) return before.status();
        SetCorrections(figures, AnevCorrections(
                                    *before, FiguresOf((*data)[1], previous_period, calendar,
                                                       scope)));
      }
    }
    AnevReportToFreeze report{scope, AnevStoredForm(figures), AnevDigest(figures)};
    digests.emplace_back(scope, report.digest);
    reports.push_back(std::move(report));
  }
  const std::string month_digest = AnevMonthDigest(month, digests);
  absl::Status status = store_.FreezeAnevMonth(month, month_digest, absl::Now(), reports);
  if (!status.ok() && !absl::IsAlreadyExists(status)) return status;
  // The month read as the data stands now is the recomputation the live
  // month's corrections need: kept, so that it is not read again soon
  // after. (When another process won, the month as frozen is its read, at
  // about the same moment: nothing to correct either way.)
  if (month + 1 == AnevMonthOf(now) && options_.corrections_max_age > absl::ZeroDuration()) {
    Keep(std::make_shared<const Recomputed>(Recomputed{month, now, std::move((*data)[0])}));
  }
  if (!status.ok()) return absl::OkStatus();  // another process won
  Log(LogLevel::kInfo, "anev_month_frozen",
      {{"month", AnevMonthText(month)},
       {"scopes", static_cast<int64_t>(reports.size())},
       {"ms", absl::ToInt64Milliseconds(absl::Now() - started)}});
  return absl::OkStatus();
}

absl::StatusOr<AnevReports::Report> AnevReports::Get(absl::CivilMonth month,
                                                     const std::string& scope, absl::Time now) {
  if (scope != kAnevScopePublic || options_.public_max_age <= absl::ZeroDuration()) {
    return Compute(month, scope, now);
  }
  {
    absl::MutexLock lock(&public_mu_);
    PublicEntry& entry = public_[month];  // std::map: stays where it is
    // One computation at a time per month; the others wait for it.
    ++entry.waiting;
    const bool ready = public_mu_.AwaitWithDeadline(
        absl::Condition(+[](PublicEntry* e) { return !e->computing; }, &entry),
        CurrentCallDeadline());
    --entry.waiting;
    if (!ready) {
      return absl::DeadlineExceededError(
          "the deadline passed while the public report was being computed for another call");
    }
    if (entry.report != nullptr && now - entry.computed_at <= options_.public_max_age) {
      return *entry.report;
    }
    entry.computing = true;
  }
  absl::StatusOr<Report> report = Compute(month, scope, now);
  absl::MutexLock lock(&public_mu_);
  PublicEntry& entry = public_[month];
  entry.computing = false;
  if (report.ok()) {
    entry.report = std::make_shared<const Report>(*report);
    entry.computed_at = now;
  }
  // Months asked for once are not kept: every other entry too old to be
  // served again, and not being computed, goes.
  for (auto it = public_.begin(); it != public_.end();) {
    const PublicEntry& e = it->second;
    const bool stale = !e.computing && e.waiting == 0 &&
                       (e.report == nullptr || now - e.computed_at > options_.public_max_age);
    it = stale && it->first != month ? public_.erase(it) : std::next(it);
  }
  return report;
}

absl::StatusOr<AnevReports::Report> AnevReports::Compute(absl::CivilMonth month,
                                                         const std::string& scope,
                                                         absl::Time now) {
  const absl::CivilMonth first = month - kMonthsBack;
  // A month before the first complaint's holds nothing (every figure comes
  // from complaints received by its end): it is served empty, neither read
  // nor frozen, as the background pass leaves it, so that asking for the
  // year 2000 (anyone may, for the public report) writes nothing and logs
  // no report.
  absl::StatusOr<std::optional<absl::CivilMonth>> earliest = store_.EarliestComplaintMonth();
  if (!earliest.ok()) return earliest.status();
  const auto empty = [&](absl::CivilMonth m) {
    return !earliest->has_value() || m < **earliest;
  };
  // Closed months due to be frozen are frozen first, oldest first, so that
  // each one's corrections compare with the month before as frozen.
  absl::StatusOr<std::vector<FrozenAnevMonth>> frozen =
      store_.ListFrozenAnevMonths(first, month, scope);
  if (!frozen.ok()) return frozen.status();
  bool froze = false;
  for (absl::CivilMonth m = first; m <= month; ++m) {
    if (!Freezable(m, now) || empty(m)) continue;
    const bool is_frozen = std::any_of(frozen->begin(), frozen->end(),
                                       [m](const FrozenAnevMonth& f) { return f.month == m; });
    if (is_frozen) continue;
    if (absl::Status status = Freeze(m, now); !status.ok()) return status;
    froze = true;
  }
  if (froze) {
    frozen = store_.ListFrozenAnevMonths(first, month, scope);
    if (!frozen.ok()) return frozen.status();
  }
  std::map<absl::CivilMonth, const FrozenAnevMonth*> frozen_by_month;
  for (const FrozenAnevMonth& m : *frozen) frozen_by_month[m.month] = &m;

  // The months not frozen (the current month, and the month before while it
  // is not due yet: every older one is frozen above) are computed now, in one
  // snapshot; with each, the month before it when that one is frozen, for its
  // corrections, unless a recomputation of it recent enough is at hand.
  std::vector<AnevPeriod> periods;
  std::map<absl::CivilMonth, size_t> data_index;
  auto need = [&](absl::CivilMonth m) {
    if (data_index.emplace(m, periods.size()).second) periods.push_back(AnevPeriodOf(m, now));
  };
  std::shared_ptr<const Recomputed> recomputed;
  if (options_.corrections_max_age > absl::ZeroDuration()) {
    absl::MutexLock lock(&corrections_mu_);
    recomputed = recomputed_;
  }
  const auto recent = [&](absl::CivilMonth m) {
    return recomputed != nullptr && recomputed->month == m &&
           now - recomputed->read_at <= options_.corrections_max_age;
  };
  std::vector<absl::CivilMonth> recomputing;  // read now, for corrections only
  bool served_empty = false;
  for (absl::CivilMonth m = first; m <= month; ++m) {
    if (frozen_by_month.contains(m)) continue;
    if (empty(m)) {
      served_empty = true;
      continue;
    }
    need(m);
    if (frozen_by_month.contains(m - 1) && !recent(m - 1)) {
      need(m - 1);
      recomputing.push_back(m - 1);
    }
  }
  std::shared_ptr<const ReferenceSnapshot> reference;
  std::vector<AnevMonthData> data;
  if (!periods.empty() || served_empty) {
    absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> current = cache_.Current();
    if (!current.ok()) return current.status();
    reference = *std::move(current);
  }
  if (!periods.empty()) {
    {
      absl::MutexLock lock(&corrections_mu_);
      ++live_reads_;
      last_live_read_ = std::max(last_live_read_, now);
    }
    absl::StatusOr<std::vector<AnevMonthData>> read =
        store_.ReadAnevData(periods, AnevStore::ReadFor::kRequest);
    {
      absl::MutexLock lock(&corrections_mu_);
      --live_reads_;
    }
    if (!read.ok()) return read.status();
    data = *std::move(read);
  }
  // A month before the current one recomputed here is kept for the next
  // requests (the data is copied: a month's data is some thousands of rows).
  for (absl::CivilMonth m : recomputing) {
    if (m + 1 != AnevMonthOf(now) || options_.corrections_max_age <= absl::ZeroDuration()) {
      continue;
    }
    Keep(std::make_shared<const Recomputed>(Recomputed{m, now, data[data_index.at(m)]}));
  }

  std::map<absl::CivilMonth, Served> served;
  for (absl::CivilMonth m = first; m <= month; ++m) {
    Served s;
    if (const auto it = frozen_by_month.find(m); it != frozen_by_month.end()) {
      const std::string* body = BodyOf(*it->second, scope);
      if (body == nullptr) continue;  // no report of this unit that month
      absl::StatusOr<AnevFigures> figures = ParseAnevStoredForm(*body);
      if (!figures.ok()) return figures.status();
      s.figures = *std::move(figures);
      s.frozen = true;
      s.freeze_time = it->second->frozen_at;
      s.month_digest = it->second->digest;
      s.month_scope_digests = it->second->scope_digests;
      s.corrections_as_of = it->second->frozen_at;
    } else if (empty(m)) {
      s.figures = FiguresOf(AnevMonthData{}, AnevPeriodOf(m, now), reference->calendar, scope);
    } else {
      const AnevPeriod period = AnevPeriodOf(m, now);
      s.figures = FiguresOf(data[data_index.at(m)], period, reference->calendar, scope);
      if (const auto before = frozen_by_month.find(m - 1); before != frozen_by_month.end()) {
        if (const std::string* body = BodyOf(*before->second, scope); body != nullptr) {
          absl::StatusOr<AnevFigures> frozen_before = ParseAnevStoredForm(*body);
          if (!frozen_before.ok()) return frozen_before.status();
          const bool read_now = data_index.contains(m - 1);
          const AnevMonthData& now_before =
              read_now ? data[data_index.at(m - 1)] : recomputed->data;
          SetCorrections(s.figures,
                         AnevCorrections(*frozen_before,
                                         FiguresOf(now_before, AnevPeriodOf(m - 1, now),
                                                   reference->calendar, scope)));
          s.corrections_as_of = read_now ? now : recomputed->read_at;
        }
      }
    }
    served.emplace(m, std::move(s));
  }

  const auto it = served.find(month);
  if (it == served.end()) {
    return absl::NotFoundError(absl::StrCat("no report of ", scope, " for ", AnevMonthText(month),
                                            ": the unit did not exist when the month was frozen"));
  }
  Report report;
  report.month = it->second;
  if (const auto p = served.find(month - 1); p != served.end()) report.previous_month = p->second;
  if (const auto y = served.find(first); y != served.end()) report.year_earlier = y->second;
  report.shortfalls = AnevShortfalls(
      report.month.figures,
      report.previous_month.has_value() ? &report.previous_month->figures : nullptr,
      kShortfallRows);
  std::vector<std::pair<absl::CivilMonth, const AnevFigures*>> trend;
  for (absl::CivilMonth m = month - (kMonthsBack - 1); m <= month; ++m) {
    const auto s = served.find(m);
    trend.emplace_back(m, s == served.end() ? nullptr : &s->second.figures);
  }
  report.trend = AnevTrend(trend);
  return report;
}

absl::Status AnevReports::Prepare(absl::Time now) {
  const absl::CivilMonth current = AnevMonthOf(now);
  // Made once; each pass looks (one primary-key read), so that counts
  // dropped by hand (tools/anev-demo-data after a bulk load into closed
  // months) are made again.
  if (Freezable(current - 1, now)) {
    if (absl::Status status = store_.MakeAnevSubjectWindow(current, now); !status.ok()) {
      return status;
    }
    // The month before's too, which its recomputation for the corrections
    // reads (a server that ran through that month made them then).
    if (absl::Status status = store_.MakeAnevSubjectWindow(current - 1, now); !status.ok()) {
      return status;
    }
  }
  return RefreshCorrections(now).status();
}

absl::StatusOr<bool> AnevReports::RefreshCorrections(absl::Time now) {
  if (options_.corrections_max_age <= absl::ZeroDuration()) return false;
  const absl::CivilMonth before = AnevMonthOf(now) - 1;
  {
    absl::MutexLock lock(&corrections_mu_);
    if (recomputed_ != nullptr && recomputed_->month == before) {
      // A recomputation runs beside the requests' reads for some seconds at
      // a million complaints and slows them, so it waits for a quiet moment
      // while it can.
      const absl::Duration age = now - recomputed_->read_at;
      if (age < options_.corrections_max_age / 2) return false;
      const bool quiet =
          live_reads_ == 0 && now - last_live_read_ >= options_.corrections_quiet;
      if (!quiet && age < options_.corrections_max_age * 3 / 4) return false;
    }
  }
  absl::StatusOr<std::vector<FrozenAnevMonth>> frozen =
      store_.ListFrozenAnevMonths(before, before, std::string(kAnevScopeResort));
  if (!frozen.ok()) return frozen.status();
  if (frozen->empty()) return false;  // computed live until it is frozen
  absl::StatusOr<std::vector<AnevMonthData>> data =
      store_.ReadAnevData({AnevPeriodOf(before, now)}, AnevStore::ReadFor::kBackground);
  if (!data.ok()) return data.status();
  Keep(std::make_shared<const Recomputed>(Recomputed{before, now, std::move((*data)[0])}));
  return true;
}

void AnevReports::Keep(std::shared_ptr<const Recomputed> recomputed) {
  absl::MutexLock lock(&corrections_mu_);
  // A later month, or the same month read later, replaces what is kept.
  if (recomputed_ == nullptr || recomputed_->month < recomputed->month ||
      (recomputed_->month == recomputed->month && recomputed_->read_at < recomputed->read_at)) {
    recomputed_ = std::move(recomputed);
  }
}

absl::StatusOr<int> AnevReports::FreezeDueMonths(absl::Time now, absl::FunctionRef<bool()> stop) {
  absl::StatusOr<std::optional<absl::CivilMonth>> earliest = store_.EarliestComplaintMonth();
  if (!earliest.ok()) return earliest.status();
  if (!earliest->has_value()) return 0;
  // The latest month due: its end at least freeze_delay ago.
  absl::CivilMonth last = AnevMonthOf(now - options_.freeze_delay) - 1;
  if (**earliest > last) return 0;
  absl::StatusOr<std::vector<FrozenAnevMonth>> frozen =
      store_.ListFrozenAnevMonths(**earliest, last, std::string(kAnevScopeResort));
  if (!frozen.ok()) return frozen.status();
  int count = 0;
  size_t next = 0;
  for (absl::CivilMonth m = **earliest; m <= last && !stop(); ++m) {
    while (next < frozen->size() && (*frozen)[next].month < m) ++next;
    if (next < frozen->size() && (*frozen)[next].month == m) continue;
    if (absl::Status status = Freeze(m, now); !status.ok()) return status;
    ++count;
  }
  return count;
}

}  // namespace dumas
