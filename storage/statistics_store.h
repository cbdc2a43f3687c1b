// Figures about the store for operators (server/server_metrics.h): the
// connection pool's use, the outbox's backlog, overdue complaints, the schema
// version. No personal data: counts, times, channels, unit ids.
#ifndef DUMAS_STORAGE_STATISTICS_STORE_H_
#define DUMAS_STORAGE_STATISTICS_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/complaint.h"

namespace dumas {

// The connection pool, now and since it was created.
struct ConnectionPoolStats {
  int max_connections = 0;   // pool_size
  int open_connections = 0;  // idle, leased or being dialled
  int idle_connections = 0;
  // Acquisitions that found no connection free and waited, the time they
  // waited in all, and those that gave up (UNAVAILABLE).
  int64_t waits = 0;
  double wait_seconds = 0;
  int64_t acquire_timeouts = 0;
  // Work run again: a transaction after a deadlock or lock-wait timeout,
  // and any call (read or transaction) whose connection was found dead.
  int64_t deadlock_retries = 0;
  int64_t stale_connection_retries = 0;
};

// The undelivered notifications of one channel.
struct OutboxChannelStats {
  Channel channel = Channel::kUnspecified;
  int64_t pending = 0;    // waiting for their gateway (leased or not)
  int64_t set_aside = 0;  // undeliverable, waiting for an operator
  // When the oldest pending one was queued; unset without any.
  std::optional<absl::Time> oldest_pending_time;
};

// Complaints past a deadline, by handling unit.
struct OverdueCount {
  std::string handling_unit_id;  // empty: not assigned yet
  int64_t sp3d = 0;     // the progress letter is late
  int64_t result = 0;   // the official answer is late
};

class StatisticsStore {
 public:
  virtual ~StatisticsStore() = default;

  // The pool's figures; cheap (no database round trip).
  virtual ConnectionPoolStats PoolStatistics() const = 0;

  // The outbox per channel with anything undelivered. One query over the
  // unacknowledged notifications only.
  virtual absl::StatusOr<std::vector<OutboxChannelStats>> OutboxStatistics() = 0;

  // The complaints overdue on `today` (WITA), as ListComplaints' overdue
  // filter defines it, per handling unit with any. One query over the
  // complaints not in a terminal state.
  virtual absl::StatusOr<std::vector<OverdueCount>> OverdueComplaints(absl::CivilDay today) = 0;

  // The newest migration applied to the database, and the newest this
  // binary knows (they differ while servers of two releases share it).
  struct SchemaVersions {
    int applied = 0;
    int latest_known = 0;
  };
  virtual absl::StatusOr<SchemaVersions> SchemaVersion() = 0;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_STATISTICS_STORE_H_
