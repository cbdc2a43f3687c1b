#include "domain/complaint_deadlines.h"

#include "domain/lifecycle.h"

namespace dumas {
namespace {

// The facts Sp3dStatus and ResultStatus decide on, so that "running" means
// exactly what the statuses the API shows mean.
DeadlineFacts FactsOf(const ComplaintDeadlines& d) {
  DeadlineFacts facts;
  facts.state = d.state;
  facts.sp3d_due = d.sp3d_due;
  facts.sp3d_sent = d.sp3d_sent;
  facts.result_due = d.result_due;
  facts.answered = d.answered;
  return facts;
}

bool Running(DeadlineStatus status) {
  return status == DeadlineStatus::kPending || status == DeadlineStatus::kOverdue;
}

}  // namespace

bool Sp3dDeadlineRunning(const ComplaintDeadlines& deadlines) {
  // Pending or overdue alike: the day passed in only tells them apart.
  return Running(Sp3dStatus(FactsOf(deadlines), deadlines.received));
}

bool ResultDeadlineRunning(const ComplaintDeadlines& deadlines) {
  return Running(ResultStatus(FactsOf(deadlines), deadlines.received));
}

std::optional<ComplaintDeadlines> RecomputeDeadlines(const ComplaintDeadlines& stored,
                                                     const WorkingDayCalendar& calendar) {
  ComplaintDeadlines next = stored;
  if (Sp3dDeadlineRunning(stored)) {
    const Deadline sp3d = calendar.DeadlineFrom(stored.received, kSp3dWorkingDays);
    next.sp3d_due = sp3d.due;
    next.sp3d_due_provisional = sp3d.provisional();
  }
  if (ResultDeadlineRunning(stored) && stored.result_start.has_value()) {
    const Deadline result = calendar.DeadlineFrom(*stored.result_start, kResultWorkingDays);
    next.result_due = result.due;
    next.result_due_provisional = result.provisional();
  }
  if (next == stored) return std::nullopt;
  return next;
}

}  // namespace dumas
