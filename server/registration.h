// What SubmitComplaint and IntegrationService.ImportComplaint share: checking
// a complaint as it arrives and preparing its registration (tracking code,
// SP3D due date, receipt).
#ifndef DUMAS_SERVER_REGISTRATION_H_
#define DUMAS_SERVER_REGISTRATION_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/field_violations.h"
#include "dumas/v1/complaint.pb.h"
#include "server/reference_data_cache.h"
#include "storage/complaint_store.h"

namespace dumas {

// The validated, normalised draft of `complaint` (nullptr: missing), with
// violations under `prefix` ("complaint.") otherwise.
std::optional<ComplaintDraft> ValidateComplaint(const v1::Complaint* complaint,
                                                std::string_view prefix,
                                                const ReferenceSnapshot& reference,
                                                absl::Time now, FieldViolations& violations);

// A new complaint to store from `draft`, received `now` by `submitted_by`:
// a fresh tracking code, the SP3D due date (flagged provisional, and logged,
// when it reaches into a year the calendar does not hold), and the receipt
// to queue.
NewComplaint NewRegistration(ComplaintDraft draft, const ReferenceSnapshot& reference,
                             absl::Time now, int64_t submitted_by);

}  // namespace dumas

#endif  // DUMAS_SERVER_REGISTRATION_H_
