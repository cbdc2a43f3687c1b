// The complainant's credential: a reference number and tracking code pair.
// Every method the complainant calls without a token (TrackComplaint, the
// complainant's actions, PersonalDataService) checks it here, so that all of
// them share one throttle against guessing (domain/track_throttle.h).
#ifndef DUMAS_SERVER_TRACKING_GATE_H_
#define DUMAS_SERVER_TRACKING_GATE_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "domain/complaint.h"
#include "domain/field_violations.h"
#include "domain/track_throttle.h"
#include "grpcpp/server_context.h"
#include "server/access_policy.h"
#include "server/metrics.h"
#include "storage/complaint_store.h"
#include "storage/track_throttle_store.h"

namespace dumas {

class TrackingGate {
 public:
  // Counters for wrong pairs and for refusals of clients over budget; null
  // counts nothing. Everything must outlive the gate.
  struct Counters {
    Counter* failures = nullptr;
    Counter* refusals = nullptr;
  };

  TrackingGate(ComplaintStore& complaints, TrackThrottleStore& throttle,
               Authenticator& authenticator, TrackThrottlePolicy policy, Counters counters);

  // Checks the pair; returns the canonical reference number and the
  // complainant's view. A malformed field adds a violation and answers
  // INVALID_ARGUMENT with all of `violations` (the caller's too). A wrong
  // pair answers NOT_FOUND, or RESOURCE_EXHAUSTED once the end client (the
  // connection's address, or the address a GATEWAY states in the metadata
  // dumas-end-client-ip) has spent its budget; a correct pair is always
  // answered. UNAUTHENTICATED for authorization metadata that is not a
  // valid token. Thread-safe.
  absl::StatusOr<std::pair<std::string, TrackedComplaint>> Check(
      grpc::ServerContext& context, const std::string& reference_number,
      const std::string& tracking_code, FieldViolations& violations);

 private:
  // NOT_FOUND for a wrong pair, or RESOURCE_EXHAUSTED when the end client
  // `key` has spent its budget; counts the failure.
  absl::Status Failure(const std::string& key);

  ComplaintStore& complaints_;
  TrackThrottleStore& throttle_;
  Authenticator& authenticator_;
  const TrackThrottlePolicy policy_;
  const Counters counters_;
  ThrottledClients throttled_clients_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_TRACKING_GATE_H_
