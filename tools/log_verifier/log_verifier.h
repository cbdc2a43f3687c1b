// LogVerifier checks a Dumas transparency log (docs/transparency-log.md) as
// Kompolnas, or anyone, does without trusting the resort: the checkpoint's
// signature, its consistency with an older checkpoint the verifier kept, and
// every leaf recomputed from the change feed. It names the first revision
// that does not match where it can.
#ifndef DUMAS_TOOLS_LOG_VERIFIER_LOG_VERIFIER_H_
#define DUMAS_TOOLS_LOG_VERIFIER_LOG_VERIFIER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/log_entry.h"
#include "domain/merkle_tree.h"
#include "domain/signed_note.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "grpcpp/channel.h"

namespace dumas {

// The canonical log entry of a change as the feed shows it: ids from
// resource names, dates as days, times as microseconds. INVALID_ARGUMENT for
// a change the encoding cannot represent.
absl::StatusOr<LogEntry> EntryOfChange(const v1::Change& change);

// The log record of a change that carries one (change.has_record()).
// INVALID_ARGUMENT for a record the encoding cannot represent.
absl::StatusOr<LogRecord> RecordOfChange(const v1::Change& change);

// The leaf hash of a change recomputed from its fields: of its record, or of
// its event's entry.
absl::StatusOr<Hash> LeafOfChange(const v1::Change& change);

// A checkpoint whose log signature verified.
struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  std::string note;  // the signed note as served
};

// What a verification found.
struct LogReport {
  bool ok = true;
  int64_t tree_size = 0;          // of the checkpoint verified against
  int64_t leaves_checked = 0;
  int64_t first_bad_revision = 0;  // 0: none named
  std::string problem;            // what is wrong, for people; empty when ok
  // Not OK when a call failed for a reason outside the log (the server down
  // or slow, the token refused; the call's code): the check could not be
  // made, and nothing was found wrong with the log.
  absl::Status call_error;
};

class LogVerifier {
 public:
  // `token`: an OVERSIGHT principal's bearer token (the feed needs one);
  // `log_key`: the log's verifier key, trusted out of band.
  LogVerifier(std::shared_ptr<grpc::Channel> channel, std::string token, VerifierKey log_key);

  // The latest checkpoint, its signature verified with the log key.
  // DATA_LOSS when it does not verify (or names another origin); the call's
  // own code when GetCheckpoint fails (UNAVAILABLE, NOT_FOUND, ...).
  absl::StatusOr<VerifiedCheckpoint> FetchCheckpoint();

  // Whether `newer` extends `older` (both verified checkpoints): equal sizes
  // must have equal roots (else: a split view), a larger tree must come with
  // a consistency proof that verifies.
  LogReport CheckConsistency(const Checkpoint& older, const Checkpoint& newer);

  // Recomputes every leaf of the tree of `checkpoint` from the change feed:
  // each change's leaf from its fields must equal the leaf hash the log
  // serves, revisions must follow without gaps, and the root of the leaves
  // must be the checkpoint's. With `known_leaves` (the leaf hashes this
  // verifier recorded before, as a mirror does), a leaf that changed since is
  // named even when the log was rewritten consistently. On success
  // `leaves_out` (when given) receives the tree's leaf hashes.
  LogReport RecomputeTree(const Checkpoint& checkpoint,
                          const std::vector<Hash>* known_leaves = nullptr,
                          std::vector<Hash>* leaves_out = nullptr);

  // Adds this verifier's cosignature (as a witness) to `checkpoint`.
  absl::Status Cosign(const VerifiedCheckpoint& checkpoint, const Cosigner& witness);

 private:
  std::unique_ptr<v1::IntegrationService::Stub> stub_;
  const std::string token_;
  const VerifierKey log_key_;
};

}  // namespace dumas

#endif  // DUMAS_TOOLS_LOG_VERIFIER_LOG_VERIFIER_H_
