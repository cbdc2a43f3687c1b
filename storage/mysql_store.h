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
// transaction explicit (on a connection with autocommit off: a COMMIT
// statement, or ROLLBACK on any error; never the Connector's commit(), which
// drops errors: see storage/connection_pool.h), and nothing throws: Connector/C++
// exceptions become statuses (storage/sql_error.h). A write whose COMMIT
// outcome is unknown (the connection lost at commit) answers UNAVAILABLE,
// never OK: the caller retries with the same request_id. Deadlocks and lock-wait timeouts are retried with
// jittered backoff; a call that finds its pooled connection dead (the server
// restarted, the connection was killed) is repeated once on a new connection
// when that is safe. Timestamps are stored as UTC DATETIME(6).
//
// Round trips per call (the pool keeps connections in autocommit mode for
// reads and with autocommit off for transactions, switching one only when
// the other kind runs out): Track 1; Get 1 (3 with identity: the
// IDENTITY_READ event is written in the same transaction); Authenticate 1;
// Submit 4, 5 with a receipt (INSERT complaint ... RETURNING id, INSERT
// idempotency record when request_id is set, INSERT event, INSERT receipt
// notification, COMMIT); Mutate 4 plus one per notification (SELECT ... FOR
// UPDATE with the request_id lookup, UPDATE, INSERT event, COMMIT), 2 for a
// replay; ListComplaints 1; ListEvents 1 (2 when the page is empty);
// LeaseNotifications 4 (SELECT ... FOR UPDATE SKIP LOCKED, UPDATE, SELECT with
// the complaints, COMMIT), 2 when nothing is due; AcknowledgeNotifications 3.
//
// Errors, besides those of storage/complaint_store.h: DATA_LOSS when a stored
// ciphertext fails authentication (tampering, or a ciphertext moved between
// rows), FAILED_PRECONDITION when its key is no longer in the key file.
//
// Thread safety: all methods are thread-safe.
#ifndef DUMAS_STORAGE_MYSQL_STORE_H_
#define DUMAS_STORAGE_MYSQL_STORE_H_

#include <cstdint>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/anev_store.h"
#include "storage/case_store.h"
#include "storage/complaint_store.h"
#include "storage/connection_pool.h"
#include "storage/key_rotation_store.h"
#include "storage/keyring.h"
#include "storage/mysql_options.h"
#include "storage/personal_data_store.h"
#include "storage/statistics_store.h"
#include "storage/track_throttle_store.h"
#include "storage/tracking_cache.h"

namespace dumas {

class MySqlStore final : public ComplaintStore,
                         public PrincipalStore,
                         public ReferenceDataStore,
                         public CaseStore,
                         public NotificationStore,
                         public AdminStore,
                         public TrackThrottleStore,
                         public DeadlineStore,
                         public StatisticsStore,
                         public KeyRotationStore,
                         public PersonalDataStore,
                         public AnevStore {
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
  // Get and Track fill the case-handling fields; Track's answer is the stored
  // official answer.
  absl::StatusOr<SubmittedComplaint> Submit(
      const NewComplaint& complaint, absl::FunctionRef<std::string()> next_reference) override;
  absl::StatusOr<TrackedComplaint> Track(std::string_view reference_number,
                                         std::string_view tracking_code) override;
  absl::StatusOr<Complaint> Get(std::string_view reference_number, const Principal& reader,
                                bool want_identity,
                                absl::FunctionRef<ReadAccess(const Complaint&)> access) override;

  // PrincipalStore.
  absl::StatusOr<Principal> Authenticate(std::string_view token) override;
  absl::StatusOr<std::string> CreatePrincipal(std::string_view name, Role role,
                                              std::string_view unit_id,
                                              ChannelSet channels = {}) override;
  absl::StatusOr<std::vector<Principal>> PrincipalsByCertificate(
      const std::vector<std::string>& identities) override;
  absl::StatusOr<std::string> RevocationMark() override;

  // TrackThrottleStore.
  absl::StatusOr<int> RecordTrackFailure(std::string_view client_key, absl::Time now,
                                         absl::Duration window) override;
  absl::StatusOr<int64_t> PurgeTrackFailures(absl::Time before, int limit) override;

  // CaseStore. The complaints that Mutate passes to `decide` and returns, and
  // that ListComplaints lists, have neither identity nor reply address (the
  // server shows the reply address only with the identity; Get has both).
  // Mutate: INVALID_ARGUMENT when the update names an unknown handling unit,
  // a state or value out of range, or a request_id that is not a canonical
  // UUID. Deadlocks are retried, calling `authorize` and `decide` again (a
  // status from them, ABORTED included, is final). ListComplaints and
  // ListEvents: at most 1000 rows per call, INVALID_ARGUMENT for a limit
  // below 1.
  absl::StatusOr<Complaint> Mutate(
      std::string_view reference_number, const ChangeRequest& request,
      absl::FunctionRef<absl::Status(const Complaint&)> authorize,
      absl::FunctionRef<absl::StatusOr<ComplaintUpdate>(const Complaint&)> decide) override;
  absl::StatusOr<std::vector<ListedComplaint>> ListComplaints(
      const ComplaintFilter& filter, const std::optional<ComplaintCursor>& after,
      int limit) override;
  absl::StatusOr<std::vector<ComplaintEventRecord>> ListEvents(std::string_view reference_number,
                                                               int64_t after_id,
                                                               int limit) override;

  // NotificationStore. At most 1000 notifications per call.
  // INVALID_ARGUMENT for a principal without channels.
  absl::StatusOr<std::vector<Notification>> LeaseNotifications(const Principal& gateway,
                                                               int limit,
                                                               absl::Duration lease) override;
  absl::Status AcknowledgeNotifications(const Principal& gateway,
                                        const std::vector<int64_t>& ids) override;
  absl::StatusOr<std::vector<UndeliverableNotification>> ListUndeliverableNotifications(
      int64_t after_id, int limit) override;

  // AdminStore. INVALID_ARGUMENT also for values that do not fit their
  // columns (names over 200 characters, ids over 64 ASCII characters) and,
  // in SetHolidays, for a day outside `year` or listed twice. A new unit's
  // kind follows its id: polsek-* POLSEK, sat-* SATUAN, bag-* BAGIAN, si-*
  // SEKSI, spkt SPKT, anything else SATUAN.
  absl::StatusOr<std::pair<Principal, std::string>> CreatePrincipalWithToken(
      const Principal& principal) override;
  absl::StatusOr<std::vector<Principal>> ListPrincipals(int64_t after_id, int limit) override;
  absl::StatusOr<Principal> RevokePrincipalById(int64_t id) override;
  // Revokes the active principal called `name`: its token stops working and
  // the name is free for a new principal. NOT_FOUND when no active principal
  // has that name.
  absl::Status RevokePrincipal(std::string_view name) override;
  absl::Status CreateUnit(const Unit& unit) override;
  absl::Status CreateCategory(const Category& category) override;
  absl::StatusOr<std::vector<RoutingRule>> ListRoutingRules() override;
  absl::Status SetRoutingRule(const RoutingRule& rule) override;
  absl::StatusOr<std::vector<Holiday>> ListHolidays(int year) override;
  absl::Status SetHolidays(int year, const std::vector<Holiday>& holidays) override;
  absl::StatusOr<CalendarSettings> GetCalendarSettings() override;
  absl::StatusOr<CalendarSettings> SetSkipCutiBersama(bool skip_cuti_bersama) override;
  absl::StatusOr<StoredCalendar> LoadCalendar() override;

  // DeadlineStore (mysql_deadline_store.cc). RecomputeDeadlines: 3 round
  // trips per batch (SELECT ... FOR UPDATE, one UPDATE of the changed rows,
  // COMMIT), 2 when nothing changed; at most 1000 rows per batch,
  // INVALID_ARGUMENT for a limit below 1 or no states. Tracking answers of
  // changed complaints are dropped from this server's cache.
  absl::StatusOr<DeadlineBatch> RecomputeDeadlines(
      int64_t after_id, int limit, const std::vector<ComplaintState>& states,
      Recompute recompute) override;
  absl::StatusOr<std::string> DeadlinesCalendarDigest() override;
  absl::Status RecordDeadlinesCalendarDigest(std::string_view digest) override;

  // AnevStore (mysql_anev_store.cc). ReadAnevData: one read-only snapshot,
  // 9 statements per period; for a request, read on two connections at once
  // when their consistent snapshots are at the same binary log position (so
  // they see the same committed changes) and a second connection is free,
  // else on one; FreezeAnevMonth: one transaction, one statement per scope
  // and one for the month; INVALID_ARGUMENT for a digest that is not 64 hex
  // digits.
  absl::StatusOr<std::vector<AnevMonthData>> ReadAnevData(const std::vector<AnevPeriod>& periods,
                                                          ReadFor read_for) override;
  absl::StatusOr<std::vector<FrozenAnevMonth>> ListFrozenAnevMonths(
      absl::CivilMonth first, absl::CivilMonth last,
      const std::optional<std::string>& scope) override;
  absl::Status FreezeAnevMonth(absl::CivilMonth month, std::string_view digest,
                               absl::Time frozen_at,
                               const std::vector<AnevReportToFreeze>& reports) override;
  absl::StatusOr<std::optional<absl::CivilMonth>> EarliestComplaintMonth() override;
  absl::Status MakeAnevSubjectWindow(absl::CivilMonth month, absl::Time now) override;

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
  absl::StatusOr<int64_t> PurgeExpiredIdempotencyKeys(absl::Time now, int limit) override;

  // StatisticsStore (mysql_statistics_store.cc).
  ConnectionPoolStats PoolStatistics() const override;
  absl::StatusOr<std::vector<OutboxChannelStats>> OutboxStatistics() override;
  absl::StatusOr<std::vector<OverdueCount>> OverdueComplaints(absl::CivilDay today) override;
  absl::StatusOr<SchemaVersions> SchemaVersion() override;

  // KeyRotationStore (mysql_key_rotation.cc). ReencryptBatch: 3 round trips
  // per batch of complaints (SELECT ... FOR UPDATE, one UPDATE of the batch,
  // COMMIT); one UPDATE per row for the other tables, whose rows are few.
  absl::StatusOr<std::vector<KeyUsage>> ListKeyUsage() override;
  absl::StatusOr<ReencryptionBatch> ReencryptBatch(EncryptedTable table,
                                                   std::string_view from_key_id,
                                                   ReencryptionCursor& cursor,
                                                   int limit) override;
  absl::Status ReplaceKeyring(Keyring keyring) override ABSL_LOCKS_EXCLUDED(keys_mu_);

  // PersonalDataStore (mysql_personal_data_store.cc). PurgeIdentities reads
  // the complaints after the cursor once (each batch goes on from where the
  // last ended), with the events of those closed for retention.
  absl::Status QueuePersonalDataCopy(
      std::string_view reference_number, const ChangeRequest& request,
      absl::Duration min_interval,
      absl::FunctionRef<std::string(const PersonalDataRecord&)> render) override;
  absl::StatusOr<bool> CorrectContactDetails(
      std::string_view reference_number, const ChangeRequest& request,
      absl::FunctionRef<absl::StatusOr<ContactDetails>(const Complaint&)> decide) override;
  absl::StatusOr<PurgeBatch> PurgeIdentities(absl::Time closed_before, int64_t* after_id,
                                             int limit) override;

  // The pool, for metrics and tests.
  const ConnectionPool& pool() const { return *pool_; }
  // ReadAnevData calls whose statements were read on two connections, for
  // tests.
  int64_t anev_two_connection_reads() const {
    return anev_two_connection_reads_.load(std::memory_order_relaxed);
  }

  // For the change log (storage/mysql_change_log.h), which shares the
  // store's pool and keys.
  ConnectionPool& connection_pool() { return *pool_; }
  // The keys in use now (see ReplaceKeyring). Hold the pointer for the whole
  // of an operation, so that it encrypts and decrypts with one keyring.
  std::shared_ptr<const Keyring> keyring() const ABSL_LOCKS_EXCLUDED(keys_mu_);

  // Calls `listener` (or nothing, when it is empty) after every transaction
  // that wrote events commits, so that the log's sequencer numbers them at
  // once. Thread-safe; `listener` must be safe to call from any thread.
  void SetEventsCommittedListener(std::function<void()> listener) ABSL_LOCKS_EXCLUDED(listener_mu_);

 private:
  MySqlStore(std::unique_ptr<ConnectionPool> pool, Keyring keyring, const MySqlOptions& options);

  // What the database says about a reference number, for Track.
  absl::StatusOr<TrackingCache::Entry> LoadTracking(std::string_view reference_number);

  void EventsCommitted() ABSL_LOCKS_EXCLUDED(listener_mu_);

  std::unique_ptr<ConnectionPool> pool_;
  mutable absl::Mutex keys_mu_;
  std::shared_ptr<const Keyring> keys_ ABSL_GUARDED_BY(keys_mu_);
  absl::Mutex listener_mu_;
  std::function<void()> events_committed_ ABSL_GUARDED_BY(listener_mu_);
  // Compared against when a tracked reference does not exist, so that an
  // unknown reference costs the same work as a wrong code.
  const std::string dummy_tracking_hash_;
  TrackingCache tracking_cache_;
  std::atomic<int64_t> anev_two_connection_reads_{0};
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_MYSQL_STORE_H_
