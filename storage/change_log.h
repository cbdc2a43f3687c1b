// The change feed and the transparency log (docs/transparency-log.md): every
// event of every complaint, numbered by revision in commit order, as the
// leaves of an RFC 9162 Merkle tree with signed checkpoints and witnesses'
// cosignatures. The MySQL implementation is MySqlChangeLog
// (storage/mysql_change_log.h). Errors as in storage/complaint_store.h.
// Thread-safe.
#ifndef DUMAS_STORAGE_CHANGE_LOG_H_
#define DUMAS_STORAGE_CHANGE_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/complaint_update.h"
#include "domain/log_entry.h"

namespace dumas {

// One change of the feed: an event as it is stored now, with the leaf hash
// the log recorded when it numbered it.
struct ChangeRecord {
  int64_t revision = 0;
  std::string leaf_hash;  // 32 bytes
  // A record of the resort itself (such as a frozen report's digest) instead
  // of a complaint's event: then nothing below is set.
  std::optional<LogRecord> record;
  std::string reference_number;
  ComplaintEventRecord event;
  std::string details;  // canonical encoding (domain/log_entry.h)
  // Only in the registration of a complaint whose complainant consented to
  // share the identity with Kompolnas.
  std::optional<Identity> identity;
  std::string identity_salt;
  std::string reply_address;
};

// A signed checkpoint with its cosignatures.
struct SignedCheckpoint {
  int64_t tree_size = 0;
  std::string root_hash;  // 32 bytes
  std::string body;       // the three lines the signatures cover
  std::string note;       // the body, a blank line, every signature line
};

// An inclusion proof of a revision.
struct InclusionProofOf {
  int64_t revision = 0;
  int64_t tree_size = 0;
  std::string leaf_hash;
  std::vector<std::string> hashes;
};

class ChangeLog {
 public:
  virtual ~ChangeLog() = default;

  // Up to `limit` (1-1000) changes with revisions above `after_revision`, in
  // revision order. The identities of consented registrations are included;
  // the first delivery of each to `reader` is recorded as an IDENTITY_READ
  // event of `reader` before they are returned (reading the feed again
  // discloses nothing new and records nothing). INVALID_ARGUMENT for a negative revision or a limit
  // out of range.
  virtual absl::StatusOr<std::vector<ChangeRecord>> ListChanges(int64_t after_revision, int limit,
                                                                const Principal& reader) = 0;

  // The highest revision numbered so far, as this process knows it (it
  // follows the sequencer, in this or another process, within milliseconds).
  virtual int64_t HeadRevision() = 0;

  // Waits until a revision above `revision` is known or `deadline` passes;
  // whether one is.
  virtual bool AwaitRevisionAbove(int64_t revision, absl::Time deadline) = 0;

  // The latest signed checkpoint, with every cosignature. NOT_FOUND before
  // the first.
  virtual absl::StatusOr<SignedCheckpoint> LatestCheckpoint() = 0;

  // Signs a checkpoint of the log as this process knows it now (a repeated
  // size gets the same checkpoint). FAILED_PRECONDITION while the log is
  // empty; DATA_LOSS when the database holds another root for that size.
  virtual absl::StatusOr<SignedCheckpoint> CreateCheckpoint() = 0;

  // RFC 9162 proofs, for trees up to the latest checkpoint's size:
  // OUT_OF_RANGE above it, INVALID_ARGUMENT for sizes or revisions outside
  // the tree.
  virtual absl::StatusOr<InclusionProofOf> InclusionProof(int64_t revision,
                                                          int64_t tree_size) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ConsistencyProof(int64_t first_tree_size,
                                                                    int64_t second_tree_size) = 0;

  // Adds a witness's cosignature line (C2SP Ed25519 cosignature/v1) of the
  // checkpoint with `body`, checked against `verifier_key`, and returns the
  // checkpoint with its cosignatures. A repeated line is fine.
  // INVALID_ARGUMENT for a malformed body, line or key, or a signature that
  // does not verify; NOT_FOUND when the log signed no such checkpoint;
  // FAILED_PRECONDITION when the witness cosigned a larger one already.
  virtual absl::StatusOr<SignedCheckpoint> AddCosignature(std::string_view body,
                                                          std::string_view signature_line,
                                                          std::string_view verifier_key,
                                                          int64_t principal_id) = 0;

  // The log's origin and its public key as a C2SP verifier key.
  virtual const std::string& origin() const = 0;
  virtual const std::string& verifier_key() const = 0;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_CHANGE_LOG_H_
