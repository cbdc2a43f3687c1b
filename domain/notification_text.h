// The messages queued to the complainant (PRODUCT.md, "Answers to the
// complainant"): receipt, SP3D, clarification request, archiving, rejection,
// official answer and closure. Plain C++: no gRPC, no SQL.
#ifndef DUMAS_DOMAIN_NOTIFICATION_TEXT_H_
#define DUMAS_DOMAIN_NOTIFICATION_TEXT_H_

#include <string>

#include "absl/time/civil_time.h"

namespace dumas {

// What a notification tells; values equal dumas.v1.NotificationKind.
enum class NotificationKind : int {
  kUnspecified = 0,
  kReceipt = 1,
  kSp3d = 2,
  kClarificationRequest = 3,
  kArchived = 4,
  kRejected = 5,
  kAnswer = 6,
  kClosure = 7,
  kPersonalData = 8,  // the copy of the complainant's personal data (domain/personal_data.h)
};

struct NotificationFacts {
  std::string reference_number{};
  std::string tracking_code{};  // kReceipt only
  absl::CivilDay due_date{};  // kReceipt: the SP3D due date; kSp3d: the result due date
  std::string unit_name{};    // kSp3d: the handling unit's display name
  // kClarificationRequest: the question; kArchived/kRejected: the reason;
  // kAnswer: the answer.
  std::string text{};
};

// The Indonesian message to deliver to the complainant, plain text,
// channel-neutral (it is sent by WhatsApp, email, Twitter DM, ...): greeting,
// the reference number, what happened, what comes next (e.g. the due date as
// "20 Januari 2026"), and for kReceipt the tracking code with the advice to
// keep it secret. Signed "Polres Palu — Layanan Pengaduan Masyarakat (Dumas)".
// Only kReceipt carries the tracking code, whatever `facts` holds: the other
// messages may be forwarded or shown to others. Thread-safe.
std::string NotificationText(NotificationKind kind, const NotificationFacts& facts);

// "20 Januari 2026".
std::string IndonesianDate(absl::CivilDay day);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_NOTIFICATION_TEXT_H_
