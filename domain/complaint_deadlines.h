// The stored deadlines of a complaint and their recomputation when the
// working-day calendar is corrected (a holiday moved, cuti bersama added, a
// year loaded, skipping cuti bersama turned on or off). Plain C++: no gRPC,
// no SQL.
#ifndef DUMAS_DOMAIN_COMPLAINT_DEADLINES_H_
#define DUMAS_DOMAIN_COMPLAINT_DEADLINES_H_

#include <optional>

#include "absl/time/civil_time.h"
#include "domain/complaint.h"
#include "domain/working_day_calendar.h"

namespace dumas {

// A complaint's deadlines as stored, with the days they count from. All days
// are WITA civil days.
struct ComplaintDeadlines {
  ComplaintState state = ComplaintState::kUnspecified;
  // The receipt day: the SP3D deadline counts from it.
  absl::CivilDay received;
  std::optional<absl::CivilDay> sp3d_sent;  // the SP3D went out that day
  absl::CivilDay sp3d_due;
  bool sp3d_due_provisional = false;
  // The day the result deadline counts from; unset until it started (and on
  // rows that never recorded it: those are left alone).
  std::optional<absl::CivilDay> result_start;
  std::optional<absl::CivilDay> result_due;
  bool result_due_provisional = false;
  std::optional<absl::CivilDay> answered;   // the official answer that day

  friend bool operator==(const ComplaintDeadlines&, const ComplaintDeadlines&) = default;
};

// Whether the SP3D deadline still runs: not yet sent, and the complaint not in
// a terminal state (Sp3dStatus PENDING or OVERDUE).
bool Sp3dDeadlineRunning(const ComplaintDeadlines& deadlines);

// Whether the result deadline still runs: started, not yet fulfilled, and the
// complaint not in a terminal state (ResultStatus PENDING or OVERDUE).
bool ResultDeadlineRunning(const ComplaintDeadlines& deadlines);

// The deadlines under `calendar`: each running deadline counted again from its
// start day (the receipt day for the SP3D, result_start for the result) with
// its provisional flag; fulfilled and ended deadlines keep their stored due
// dates, as do result deadlines without a recorded start. nullopt when nothing
// changes.
std::optional<ComplaintDeadlines> RecomputeDeadlines(const ComplaintDeadlines& stored,
                                                     const WorkingDayCalendar& calendar);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_COMPLAINT_DEADLINES_H_
