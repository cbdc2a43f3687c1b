// MySqlChangeLog: the change feed and transparency log (storage/change_log.h)
// over the tables of migration 6 (the queue as migration 12 keeps it).
//
// Numbering. Writers queue every event by its own insert, in the event's
// transaction (complaint_events.log_pending TRUE; storage/mysql_store_internal.h,
// InsertEvent), and every record of the resort likewise (log_records). One
// sequencer at a time, in one of the dumasd processes on the database, reads
// the committed queue through the log_pending indexes, checks each event's
// authentication code, numbers the events after the last revision and takes
// them off the queue (log_pending FALSE, by id: exactly the rows it read) in
// one transaction, then adds their leaves to its in-memory tree. The
// sequencer is whichever process holds the database lock
// GET_LOCK('dumas_log_sequencer_<database>') on a connection of its own, and
// numbers on that connection; when its process or connection dies the lock
// is released, its open batch rolled back, and another process takes over
// within a poll interval. Because revisions are given after commit, by one
// sequencer, in one transaction each batch, a revision never becomes visible
// before a smaller one: a consumer that reads "revision > last" misses
// nothing, whatever order the writers' commits became visible in; the unique
// keys of log_entries refuse an event or record numbered twice. Writers pay
// one secondary-index entry in a statement they run anyway; nobody holds a
// lock across another transaction's commit (the sequencer locks only
// committed events, which no writer locks again).
//
// Following. Every process keeps the tree in memory (two hashes per event)
// for proofs and the head revision; the others follow the sequencer by
// reading new leaves from log_entries every poll interval.
//
// Checkpoints are signed with the key file's signing key (Keyring::
// LogSigningSeed) by the sequencer every checkpoint_interval while the log
// grows, and on demand by any process.
#ifndef DUMAS_STORAGE_MYSQL_CHANGE_LOG_H_
#define DUMAS_STORAGE_MYSQL_CHANGE_LOG_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "domain/merkle_tree.h"
#include "domain/signed_note.h"
#include "storage/change_log.h"
#include "storage/mysql_options.h"
#include "storage/mysql_store.h"

namespace dumas {

class PooledConnection;

class MySqlChangeLog final : public ChangeLog {
 public:
  struct Options {
    // The first line of every checkpoint, such as
    // "dumas.polres-palu.polri.go.id/log".
    std::string origin;
    // How often the sequencer looks for new events when nobody pokes it, and
    // how often the other processes look for new leaves.
    absl::Duration poll_interval = absl::Milliseconds(20);
    // The shortest time between the starts of two batches while the queue is
    // short: the events committed meanwhile are numbered together, so that the
    // sequencer's transactions (and their fsyncs) do not grow with the
    // writers' rate. It is also what a live change waits at most before it is
    // numbered. A full batch is followed at once.
    absl::Duration batch_gap = absl::Milliseconds(10);
    // How often the sequencer signs a checkpoint while the log grows.
    absl::Duration checkpoint_interval = absl::Seconds(10);
    // Events numbered per transaction at most.
    int batch_size = 2000;
  };

  // A log over `store`'s database, pool and keys; `store` must outlive it.
  // Starts its thread (which dials its own connection for the sequencer's
  // lock) and loads the leaves already numbered. INVALID_ARGUMENT for a bad
  // origin.
  static absl::StatusOr<std::unique_ptr<MySqlChangeLog>> Start(MySqlStore& store,
                                                               const MySqlOptions& database,
                                                               Options options);
  ~MySqlChangeLog() override;

  // Wakes the sequencer: a writer of this process committed events.
  void Poke();

  // Whether this process is the sequencer now.
  bool sequencing() const ABSL_LOCKS_EXCLUDED(mu_);

  // ChangeLog.
  absl::StatusOr<std::vector<ChangeRecord>> ListChanges(int64_t after_revision, int limit,
                                                        const Principal& reader) override;
  int64_t HeadRevision() override ABSL_LOCKS_EXCLUDED(mu_);
  bool AwaitRevisionAbove(int64_t revision, absl::Time deadline) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<SignedCheckpoint> LatestCheckpoint() override;
  absl::StatusOr<SignedCheckpoint> CreateCheckpoint() override;
  absl::StatusOr<InclusionProofOf> InclusionProof(int64_t revision, int64_t tree_size) override;
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(int64_t first_tree_size,
                                                            int64_t second_tree_size) override;
  absl::StatusOr<SignedCheckpoint> AddCosignature(std::string_view body,
                                                  std::string_view signature_line,
                                                  std::string_view verifier_key,
                                                  int64_t principal_id) override;
  const std::string& origin() const override { return options_.origin; }
  const std::string& verifier_key() const override { return verifier_key_; }

 private:
  MySqlChangeLog(MySqlStore& store, const MySqlOptions& database, Options options,
                 NoteSigner signer);

  void Run();
  // Reads the leaves numbered after the tree's size into the tree.
  absl::Status CatchUp() ABSL_LOCKS_EXCLUDED(mu_);
  // Adds leaves from `first_revision` on; those the tree holds already must
  // be equal (INTERNAL otherwise: the database changed under it).
  absl::Status AddLeaves(int64_t first_revision, const std::vector<Hash>& leaves)
      ABSL_LOCKS_EXCLUDED(mu_);
  // As the sequencer, on its own connection: numbers one batch. How many.
  absl::StatusOr<int> SequenceBatch(PooledConnection& c);
  // Signs and stores the checkpoint of the tree's first `size` leaves.
  absl::StatusOr<SignedCheckpoint> SignCheckpoint(int64_t size);
  absl::StatusOr<SignedCheckpoint> ReadCheckpoint(PooledConnection& c, bool latest,
                                                  int64_t tree_size);
  // The size of the latest checkpoint, 0 before the first.
  absl::StatusOr<int64_t> LatestCheckpointSize();

  MySqlStore& store_;
  const MySqlOptions database_;
  const Options options_;
  const NoteSigner signer_;
  const std::string verifier_key_;
  const std::string lock_name_;

  mutable absl::Mutex mu_;
  MerkleTree tree_ ABSL_GUARDED_BY(mu_);
  bool sequencing_ ABSL_GUARDED_BY(mu_) = false;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t legacy_max_event_id_ = -1;  // the sequencer thread's
  std::thread thread_;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_MYSQL_CHANGE_LOG_H_
