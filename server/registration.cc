#include "server/registration.h"

#include <string>
#include <utility>

#include "domain/complaint_validation.h"
#include "domain/notification_text.h"
#include "domain/reference_number.h"
#include "domain/working_day_calendar.h"
#include "server/deadline_recomputer.h"
#include "server/proto_convert.h"

namespace dumas {

std::optional<ComplaintDraft> ValidateComplaint(const v1::Complaint* complaint,
                                                std::string_view prefix,
                                                const ReferenceSnapshot& reference,
                                                absl::Time now, FieldViolations& violations) {
  if (complaint == nullptr) {
    std::string field(prefix);
    if (!field.empty() && field.back() == '.') field.pop_back();
    violations.Add(field, "is required");
    return std::nullopt;
  }
  const KnownIds known{&reference.category_ids, &reference.unit_ids};
  return ValidateSubmission(SubmissionFromProto(*complaint), prefix, now, known, violations);
}

NewComplaint NewRegistration(ComplaintDraft draft, const ReferenceSnapshot& reference,
                             absl::Time now, int64_t submitted_by) {
  NewComplaint complaint;
  complaint.draft = std::move(draft);
  complaint.tracking_code = TrackingCode::Generate();
  const absl::CivilDay today = absl::ToCivilDay(now, PaluTimeZone());
  complaint.sp3d_due_date = reference.calendar.AddWorkingDays(today, kSp3dWorkingDays);
  complaint.sp3d_due_provisional =
      FlagProvisionalDeadline("sp3d", reference.calendar, today, complaint.sp3d_due_date);
  complaint.submitted_by = submitted_by;
  complaint.receipt_text = [code = complaint.tracking_code,
                            due = complaint.sp3d_due_date](const std::string& reference_number) {
    return NotificationText(NotificationKind::kReceipt,
                            {.reference_number = reference_number, .tracking_code = code,
                             .due_date = due});
  };
  return complaint;
}

}  // namespace dumas
