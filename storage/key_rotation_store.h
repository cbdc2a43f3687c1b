// Rotation of the key that encrypts personal data (storage/keyring.h): which
// keys the stored rows use, re-encryption of old rows under the current key
// in short batches while the service runs, and a change of keyring without a
// restart. The index key and signing seed never change, so blind indexes,
// tracking-code hashes, the log's authentication codes and its signatures
// hold throughout. Errors as in storage/complaint_store.h. Thread-safe.
#ifndef DUMAS_STORAGE_KEY_ROTATION_STORE_H_
#define DUMAS_STORAGE_KEY_ROTATION_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/keyring.h"

namespace dumas {

// The places a data key encrypts (each row names its key in key_id):
//   kComplaints        the identity, the reply address and the identity salt
//                      of a complaint (until they are purged);
//   kIdempotencyKeys   the tracking code kept 24 hours for retried submissions;
//   kNotifications     the text of a notification not yet acknowledged.
enum class EncryptedTable { kComplaints, kIdempotencyKeys, kNotifications };
inline constexpr EncryptedTable kEncryptedTables[] = {
    EncryptedTable::kComplaints, EncryptedTable::kIdempotencyKeys,
    EncryptedTable::kNotifications};

// "complaints", "idempotency_keys", "notifications".
std::string_view EncryptedTableName(EncryptedTable table);

// How many rows of a table one key encrypts.
struct KeyUsage {
  std::string key_id;
  EncryptedTable table = EncryptedTable::kComplaints;
  int64_t rows = 0;
};

// Where a walk over one key's rows of a table stands: after the row with
// this id (complaints and notifications), or this principal and request id
// (idempotency records). Start from the default.
struct ReencryptionCursor {
  int64_t id = 0;
  std::string request_id;
};

// The outcome of one batch.
struct ReencryptionBatch {
  int64_t rewritten = 0;  // now under the current key
  int64_t failed = 0;     // could not be decrypted (left as they are, skipped)
  bool done = false;      // no row of the key is left after the cursor
};

class KeyRotationStore {
 public:
  virtual ~KeyRotationStore() = default;

  // The rows each key encrypts, per table; keys with no rows are absent.
  virtual absl::StatusOr<std::vector<KeyUsage>> ListKeyUsage() = 0;

  // Re-encrypts under the current key up to `limit` rows of `table` that
  // `from_key_id` encrypts, after `cursor` in key order, in one transaction
  // that locks only those rows (a write to one waits a few milliseconds).
  // Every encrypted column of a row moves together, as the row has one
  // key_id; the associated data stays (the row's place). Advances `cursor`.
  // Safe while the service writes and reads, and to run again (a row already
  // moved is not found again), from any number of processes.
  // INVALID_ARGUMENT for a limit outside 1-1000 or `from_key_id` being the
  // current key; FAILED_PRECONDITION when the key file lacks `from_key_id`.
  virtual absl::StatusOr<ReencryptionBatch> ReencryptBatch(EncryptedTable table,
                                                           std::string_view from_key_id,
                                                           ReencryptionCursor& cursor,
                                                           int limit) = 0;

  // Uses `keyring` from now on, for new calls (calls under way finish with
  // the keyring they started with). FAILED_PRECONDITION when its index key or
  // signing seed differs from the one in use (hashes and signatures would
  // change), or when rows use a key it lacks (the message names the key ids
  // and tables, never a key). The database is asked first: UNAVAILABLE when
  // it cannot be reached, and nothing changes.
  virtual absl::Status ReplaceKeyring(Keyring keyring) = 0;
};

// The keys that rows use but `keyring` lacks, as "<key id> (<table>: <rows>,
// ...)", one per key; empty when it has every key in use.
std::vector<std::string> MissingKeys(const std::vector<KeyUsage>& usage, const Keyring& keyring);

}  // namespace dumas

#endif  // DUMAS_STORAGE_KEY_ROTATION_STORE_H_
