// The tracking throttle: each end client has a budget of failed tracking
// attempts (a wrong reference number / tracking code pair) in a window. The
// tracking code's 69 random bits are what protects a complaint; the budget
// refuses and records the wrong guesses of a client that spends it, and never
// refuses a correct pair, so that no stranger can keep a complainant from
// tracking, answering a clarification request, disputing or rating.
//
// Failures are counted by the store (storage/track_throttle_store.h), in the
// database, so that the budget holds across server instances and restarts;
// this file says whose attempt it is and what the count allows.
#ifndef DUMAS_DOMAIN_TRACK_THROTTLE_H_
#define DUMAS_DOMAIN_TRACK_THROTTLE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dumas {

struct TrackThrottlePolicy {
  // Failed attempts an end client may make within `window`; the next ones in
  // the window are refused (RESOURCE_EXHAUSTED) unless the pair is correct.
  int max_failures = 20;
  // A fixed window that starts with the client's first failure.
  absl::Duration window = absl::Minutes(15);
};

// Who made a tracking attempt, as the server sees it.
struct TrackCaller {
  // The connection's remote IP address (IPv4 or IPv6, no port); empty when
  // the connection is not over IP.
  std::string peer_address{};
  // The id of the authenticated GATEWAY principal making the call (the
  // website back end is one), or 0. Only a gateway may state the end client:
  // every citizen behind it shares its peer address.
  int64_t gateway_id = 0;
  // The end client's IP address as the gateway states it; ignored without a
  // gateway_id, so an unauthenticated caller cannot choose its own key.
  std::string stated_end_client{};
};

// The IP network that stands for one client: an IPv4 address as it is, an
// IPv6 address as its /64 prefix ("2001:db8:1:2::/64": a household or phone
// holds a whole /64), an IPv4-mapped IPv6 address as the IPv4 address.
// nullopt when `address` is not an IP address.
std::optional<std::string> ClientNetwork(std::string_view address);

// The key whose budget an attempt spends:
//   "gateway:<id>:<network>"  a gateway's stated end client;
//   "gateway:<id>"            a gateway that states none (all its citizens
//                             share one budget: gateways should state it);
//   "peer:<network>"          anyone else, by the connection's address;
//   "peer:local"              a connection not over IP (a Unix socket).
// INVALID_ARGUMENT when a gateway states an end client that is not an IP
// address. The key is personal data (an address): stores keep it hashed.
absl::StatusOr<std::string> TrackThrottleKey(const TrackCaller& caller);

// Remembers, in this process, the keys known to be over their budget until
// their window ends, so that the wrong guesses of a throttled client cost no
// database write. Bounded: when full, the oldest entries go. Thread-safe.
class ThrottledClients {
 public:
  explicit ThrottledClients(size_t capacity = 100000) : capacity_(capacity) {}

  // Whether `key` is known to be over budget at `now`.
  bool Contains(std::string_view key, absl::Time now) const ABSL_LOCKS_EXCLUDED(mu_);
  // Records that `key` is over budget until `until`.
  void Add(std::string_view key, absl::Time until) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> until_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dumas

#endif  // DUMAS_DOMAIN_TRACK_THROTTLE_H_
