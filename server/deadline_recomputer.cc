#include "server/deadline_recomputer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "domain/complaint_deadlines.h"
#include "domain/lifecycle.h"
#include "server/log.h"

namespace dumas {
namespace {

constexpr int kMaxBatchSize = 1000;  // the most MySqlStore reads per batch

// The states in which a deadline may still run: all but the terminal ones.
std::vector<ComplaintState> OpenStates() {
  std::vector<ComplaintState> states;
  for (int value = 1; value <= kMaxComplaintState; ++value) {
    const auto state = static_cast<ComplaintState>(value);
    if (!IsTerminal(state)) states.push_back(state);
  }
  return states;
}

}  // namespace

bool FlagProvisionalDeadline(absl::string_view deadline, const WorkingDayCalendar& calendar,
                             absl::CivilDay start, absl::CivilDay due) {
  const std::optional<int> year = calendar.FirstUnloadedYear(start, due);
  if (!year.has_value()) return false;
  Log(LogLevel::kWarning, "provisional_deadline",
      {{"deadline", deadline}, {"unloaded_year", int64_t{*year}}});
  return true;
}

DeadlineRecomputer::DeadlineRecomputer(DeadlineStore& store, ReferenceDataCache& cache,
                                       Options options)
    : store_(store), cache_(cache), options_(options) {}

absl::StatusOr<std::optional<DeadlineRecomputer::Pass>> DeadlineRecomputer::Reconcile() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> snapshot = cache_.Current();
  if (!snapshot.ok()) return snapshot.status();
  const WorkingDayCalendar& calendar = (*snapshot)->calendar;
  const std::string digest = calendar.Digest();
  if (seen_digest_.has_value() && *seen_digest_ != digest) owed_ = true;
  seen_digest_ = digest;
  if (!owed_) {
    absl::StatusOr<std::string> recorded = store_.DeadlinesCalendarDigest();
    if (!recorded.ok()) return recorded.status();
    if (*recorded == digest) return std::nullopt;
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<Pass> pass = RunPass(calendar);
  if (pass.ok()) {
    if (absl::Status recorded = store_.RecordDeadlinesCalendarDigest(digest); !recorded.ok()) {
      pass = recorded;
    }
  }
  if (!pass.ok()) {
    // Owed until a pass completes, whatever made this one owed.
    owed_ = true;
    Log(LogLevel::kWarning, "deadline_recompute_failed",
        {{"code", absl::StatusCodeToString(pass.status().code())}});
    return pass.status();
  }
  owed_ = false;
  Log(LogLevel::kInfo, "deadlines_recomputed",
      {{"batches", pass->batches},
       {"complaints_read", pass->read},
       {"complaints_changed", pass->changed},
       {"skip_cuti_bersama", int64_t{calendar.skips_cuti_bersama() ? 1 : 0}},
       {"duration_ms", absl::ToInt64Milliseconds(absl::Now() - start)}});
  return std::optional<Pass>(*pass);
}

absl::StatusOr<DeadlineRecomputer::Pass> DeadlineRecomputer::RunPass(
    const WorkingDayCalendar& calendar) {
  static const std::vector<ComplaintState> kOpenStates = OpenStates();
  // A short batch is the last one: ask for no more than the store gives.
  const int batch_size = std::clamp(options_.batch_size, 1, kMaxBatchSize);
  Pass pass;
  // Ids, not a count: the store may run a batch again on a deadlock.
  absl::flat_hash_set<int64_t> provisional;
  int64_t after_id = 0;
  while (true) {
    absl::StatusOr<DeadlineBatch> batch = store_.RecomputeDeadlines(
        after_id, batch_size, kOpenStates,
        [&](int64_t id, const ComplaintDeadlines& stored) -> std::optional<ComplaintDeadlines> {
          std::optional<ComplaintDeadlines> next = RecomputeDeadlines(stored, calendar);
          const ComplaintDeadlines& now = next.has_value() ? *next : stored;
          if ((Sp3dDeadlineRunning(now) && now.sp3d_due_provisional) ||
              (ResultDeadlineRunning(now) && now.result_due_provisional)) {
            provisional.insert(id);
          }
          return next;
        });
    if (!batch.ok()) return batch.status();
    ++pass.batches;
    pass.read += batch->read;
    pass.changed += batch->changed;
    if (batch->read < batch_size || batch->last_id == 0) break;
    after_id = batch->last_id;
  }
  if (!provisional.empty()) {
    // Running deadlines that reach into a year whose holidays are not loaded.
    Log(LogLevel::kWarning, "provisional_deadlines",
        {{"complaints", static_cast<int64_t>(provisional.size())}});
  }
  return pass;
}

}  // namespace dumas
