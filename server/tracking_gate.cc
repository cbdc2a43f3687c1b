#include "server/tracking_gate.h"

#include <optional>

#include "absl/time/clock.h"
#include "domain/reference_number.h"
#include "server/rpc_support.h"

namespace dumas {
namespace {

// The metadata in which a GATEWAY states the end client's IP address.
constexpr char kEndClientMetadata[] = "dumas-end-client-ip";

// The end client's IP address as a gateway states it; empty when it does not.
std::string StatedEndClient(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(kEndClientMetadata);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

TrackingGate::TrackingGate(ComplaintStore& complaints, TrackThrottleStore& throttle,
                           Authenticator& authenticator, TrackThrottlePolicy policy,
                           Counters counters)
    : complaints_(complaints),
      throttle_(throttle),
      authenticator_(authenticator),
      policy_(policy),
      counters_(counters) {}

absl::StatusOr<std::pair<std::string, TrackedComplaint>> TrackingGate::Check(
    grpc::ServerContext& context, const std::string& reference_number,
    const std::string& tracking_code, FieldViolations& violations) {
  const std::optional<std::string> reference = ReferenceNumber::Canonicalize(reference_number);
  if (reference_number.empty()) {
    violations.Add("reference_number", "is required");
  } else if (!reference.has_value()) {
    violations.Add("reference_number",
                   "is not a valid reference number: 12 letters and digits without 0, O, "
                   "1, I or L, such as K7QM-4R9X-2HTZ; check it for a typo");
  }
  const std::optional<std::string> code = TrackingCode::Canonicalize(tracking_code);
  if (tracking_code.empty()) {
    violations.Add("tracking_code", "is required");
  } else if (!code.has_value()) {
    violations.Add("tracking_code",
                   "is not a valid tracking code: 14 letters and digits without 0, O, 1, "
                   "I or L, as given at submission");
  }
  if (!violations.empty()) return violations.ToStatus();

  // Whose attempt it is: a gateway may speak for the citizen behind it.
  absl::StatusOr<std::optional<Principal>> caller = authenticator_.Identify(context);
  if (!caller.ok()) return caller.status();
  TrackCaller who;
  who.peer_address = PeerAddress(context);
  if (caller->has_value() && (*caller)->role == Role::kGateway) {
    who.gateway_id = (*caller)->id;
    who.stated_end_client = StatedEndClient(context);
  }
  absl::StatusOr<std::string> key = TrackThrottleKey(who);
  if (!key.ok()) return key.status();

  // A correct pair is always answered; only wrong ones spend the budget.
  absl::StatusOr<TrackedComplaint> tracked = complaints_.Track(*reference, *code);
  if (absl::IsNotFound(tracked.status())) return Failure(*key);
  if (!tracked.ok()) return tracked.status();
  return std::make_pair(*reference, *std::move(tracked));
}

absl::Status TrackingGate::Failure(const std::string& key) {
  const absl::Status not_found =
      absl::NotFoundError("no complaint matches this reference number and tracking code");
  const absl::Status exhausted = absl::ResourceExhaustedError(
      "too many failed tracking attempts from this client; check the reference number and "
      "tracking code, and try again in 15 minutes");
  if (counters_.failures != nullptr) counters_.failures->Increment();
  const absl::Time now = absl::Now();
  auto refuse = [&] {
    if (counters_.refusals != nullptr) counters_.refusals->Increment();
    return exhausted;
  };
  // A client known to be over its budget costs no database write.
  if (throttled_clients_.Contains(key, now)) return refuse();
  absl::StatusOr<int> failures = throttle_.RecordTrackFailure(key, now, policy_.window);
  if (!failures.ok()) return failures.status();
  if (*failures <= policy_.max_failures) return not_found;
  // Over budget: until the window ends at the latest (it began at or after
  // now - window), this client's wrong pairs are refused here.
  throttled_clients_.Add(key, now + policy_.window);
  return refuse();
}

}  // namespace dumas
