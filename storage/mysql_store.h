// MySqlStore: the MariaDB/MySQL implementation of the store interfaces
// (storage/complaint_store.h), over a ConnectionPool, with personal data
// encrypted by a Keyring.
//
// Open dials nothing: connections are made on demand, so a server may start
// before its database and recovers on its own when the database comes back
// (calls meanwhile fail with UNAVAILABLE). Use Ping() to check reachability.
// Open does not migrate either: run Migrate (storage/migrator.h) first.
//
// Every statement is prepared (and cached per connection), every write
// transaction explicit (on a connection with autocommit off: commit(), or
// rollback() on any error), and nothing throws: Connector/C++ exceptions become statuses
// (storage/sql_error.h). Deadlocks and lock-wait timeouts are retried with
// jittered backoff; a call that finds its pooled connection dead (the server
// restarted, the connection was killed) is repeated once on a new connection
// when that is safe. Timestamps are stored as UTC DATETIME(6).
//
// Round trips per call (the pool keeps connections in autocommit mode for
// reads and with autocommit off for transactions, switching one only when
// the other kind runs out): Track 1; Get 1 (3 with identity: the
// IDENTITY_READ event is written in the same transaction); Authenticate 1;
// Submit 4 (INSERT complaint ... RETURNING id, INSERT idempotency record when
// request_id is set, INSERT event, COMMIT).
//
// Errors, besides those of storage/complaint_store.h: DATA_LOSS when a stored
// ciphertext fails authentication (tampering, or a ciphertext moved between
// rows), FAILED_PRECONDITION when its key is no longer in the key file.
//
// Thread safety: all methods are thread-safe.
#ifndef DUMAS_STORAGE_MYSQL_STORE_H_
#define DUMAS_STORAGE_MYSQL_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/complaint_store.h"
#include "storage/connection_pool.h"
#include "storage/keyring.h"
#include "storage/mysql_options.h"

namespace dumas {

class MySqlStore final : public ComplaintStore, public PrincipalStore, public ReferenceDataStore {
 public:
  // How long a submission's idempotency record answers retries.
  static constexpr absl::Duration kIdempotencyWindow = absl::Hours(24);

  // A store over `options.database`, which Migrate has prepared. Dials
  // nothing (see above). INVALID_ARGUMENT for unusable options.
  static absl::StatusOr<std::unique_ptr<MySqlStore>> Open(const MySqlOptions& options,
                                                          Keyring keyring);

  ~MySqlStore() override;

  // ComplaintStore. Submit: INVALID_ARGUMENT also when submitted_by is not a
  // principal, category_id or subject.unit_id name no category or unit, or a
  // value exceeds its column; the message names the field, never the value.
  absl::StatusOr<SubmittedComplaint> Submit(
      const NewComplaint& complaint, absl::FunctionRef<std::string()> next_reference) override;
  absl::StatusOr<TrackedComplaint> Track(std::string_view reference_number,
                                         std::string_view tracking_code) override;
  absl::StatusOr<Complaint> Get(std::string_view reference_number, bool with_identity,
                                const Principal& reader) override;

  // PrincipalStore.
  absl::StatusOr<Principal> Authenticate(std::string_view token) override;
  absl::StatusOr<std::string> CreatePrincipal(std::string_view name, Role role,
                                              std::string_view unit_id) override;

  // Revokes the active principal called `name`: its token stops working and
  // the name is free for a new principal. NOT_FOUND when no active principal
  // has that name.
  absl::Status RevokePrincipal(std::string_view name);

  // ReferenceDataStore. At most 1000 rows per call. INVALID_ARGUMENT for a
  // limit below 1 or an after_id that is not ASCII.
  absl::StatusOr<std::vector<Category>> ListCategories(std::string_view after_id,
                                                       int limit) override;
  absl::StatusOr<std::vector<Unit>> ListUnits(std::string_view after_id, int limit) override;
  absl::StatusOr<std::vector<absl::CivilDay>> ListHolidays() override;
  absl::Status Ping() override;

  // Deletes up to `limit` idempotency records that expired at or before
  // `now`; returns how many. For a periodic cleanup task (expired records are
  // otherwise only replaced when their request_id is used again).
  absl::StatusOr<int64_t> PurgeExpiredIdempotencyKeys(absl::Time now, int limit);

  // The pool, for metrics and tests.
  const ConnectionPool& pool() const { return *pool_; }

 private:
  MySqlStore(std::unique_ptr<ConnectionPool> pool, Keyring keyring);

  std::unique_ptr<ConnectionPool> pool_;
  const Keyring keyring_;
  // Compared against when a tracked reference does not exist, so that an
  // unknown reference costs the same work as a wrong code.
  const std::string dummy_tracking_hash_;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_MYSQL_STORE_H_
