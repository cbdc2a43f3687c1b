#include "server/identity_retention.h"

#include "absl/time/clock.h"

namespace dumas {

absl::StatusOr<RetentionReport> PurgeExpiredIdentities(PersonalDataStore& store,
                                                       absl::Duration retention, absl::Time now,
                                                       int batch_size) {
  if (retention <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the retention period must be positive");
  }
  const absl::Time start = absl::Now();
  RetentionReport report;
  int64_t after_id = 0;
  while (true) {
    absl::StatusOr<PurgeBatch> batch = store.PurgeIdentities(now - retention, &after_id, batch_size);
    if (!batch.ok()) return batch.status();
    report.complaints += batch->complaints;
    report.notifications += batch->notifications;
    if (batch->done) break;
  }
  report.elapsed = absl::Now() - start;
  return report;
}

}  // namespace dumas
