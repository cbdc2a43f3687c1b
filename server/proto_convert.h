// Conversions between the dumas.v1 messages and the domain types.
#ifndef DUMAS_SERVER_PROTO_CONVERT_H_
#define DUMAS_SERVER_PROTO_CONVERT_H_

#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/status/status.h"
#include "domain/complaint_update.h"
#include "dumas/v1/complaint.pb.h"
#include "dumas/v1/integration_service.pb.h"
#include "dumas/v1/reference_data.pb.h"
#include "dumas/v1/tracking.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "domain/complaint.h"
#include "domain/complaint_validation.h"

namespace dumas {

void ToProto(absl::Time time, google::protobuf::Timestamp* out);
void ToProto(absl::CivilDay day, google::type::Date* out);

// A valid Timestamp as absl::Time; InfinitePast for one outside
// 0001-01-01..9999-12-31 or with nanos outside [0, 1e9).
absl::Time FromProto(const google::protobuf::Timestamp& timestamp);

// Copies the fields of a submitted complaint for validation.
ComplaintSubmission SubmissionFromProto(const v1::Complaint& complaint);

// The etag of a complaint's current version (AIP-154).
std::string Etag(const Complaint& complaint);

// Fills `out` from `complaint`; the complainant only when the complaint holds
// its identity.
// Deadline statuses are as of `today` (WITA).
void ToProto(const Complaint& complaint, absl::CivilDay today, v1::Complaint* out);
void ToProto(const TrackedComplaint& complaint, v1::TrackedComplaint* out);
void ToProto(const ComplaintEventRecord& event, std::string_view reference,
             v1::ComplaintEvent* out);
// The canonical details of a logged event (domain/log_entry.h) as the feed
// shows them. DATA_LOSS when they do not decode.
absl::Status DetailsToProto(std::string_view encoded, v1::ComplaintDetails* out);
void ToProto(const Category& category, v1::Category* out);
void ToProto(const Unit& unit, v1::Unit* out);

}  // namespace dumas

#endif  // DUMAS_SERVER_PROTO_CONVERT_H_
