// The retention of complainants' identities (dumasd purge-identities): once
// a complaint has been closed (domain/lifecycle.h, ClosedForRetention) for
// longer than the retention period, its identity, contact details and reply
// address are destroyed; the complaint, its events and the figures of the
// Anev remain.
#ifndef DUMAS_SERVER_IDENTITY_RETENTION_H_
#define DUMAS_SERVER_IDENTITY_RETENTION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/personal_data_store.h"

namespace dumas {

// The default retention period after closure: five years.
inline constexpr absl::Duration kDefaultIdentityRetention = absl::Hours(24 * (5 * 365 + 1));

struct RetentionReport {
  int64_t complaints = 0;     // identities destroyed
  int64_t notifications = 0;  // undelivered notifications dropped with them
  absl::Duration elapsed;
};

// Destroys the identity of every complaint closed for longer than
// `retention` at `now`, in batches of `batch_size` (1-1000), each its own
// transaction. Idempotent: a second run finds nothing. The store's errors
// end it (what was done stays done). INVALID_ARGUMENT for a retention that
// is not positive.
absl::StatusOr<RetentionReport> PurgeExpiredIdentities(PersonalDataStore& store,
                                                       absl::Duration retention, absl::Time now,
                                                       int batch_size);

}  // namespace dumas

#endif  // DUMAS_SERVER_IDENTITY_RETENTION_H_
