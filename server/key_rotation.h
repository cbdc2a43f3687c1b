// The operator's side of rotating the data key (dumasd key-usage,
// reencrypt, remove-key): every row still under an older key moved to the
// current one, batch by batch, while the service runs.
#ifndef DUMAS_SERVER_KEY_ROTATION_H_
#define DUMAS_SERVER_KEY_ROTATION_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/key_rotation_store.h"

namespace dumas {

struct ReencryptionOptions {
  int batch_size = 500;  // rows per transaction, 1-1000
  // A pause between batches, to leave the database to the service.
  absl::Duration pause = absl::ZeroDuration();
};

struct ReencryptionReport {
  int64_t rewritten = 0;  // rows now under the current key
  int64_t failed = 0;     // rows that could not be decrypted, left as they were
  absl::Duration elapsed;
  // What still uses a key other than the current one afterwards: the failed
  // rows, and rows written meanwhile by a server that still encrypts with an
  // older key.
  std::vector<KeyUsage> remaining;
};

// Re-encrypts under `current_key_id` (the store's current key) every row of
// every table that another key encrypts: the keys ListKeyUsage names, table
// by table, in batches (KeyRotationStore::ReencryptBatch). `progress`, when
// set, is called after each batch with the key, table and rows done so far
// for it. Resumable: run again, it finds only what is left. The store's
// errors end it (what was done stays done).
absl::StatusOr<ReencryptionReport> ReencryptAll(
    KeyRotationStore& store, std::string_view current_key_id, const ReencryptionOptions& options,
    const std::function<void(const KeyUsage& done)>& progress = {});

// The rows that use `key_id`, per table; empty when none does (the key may
// then leave the key file).
absl::StatusOr<std::vector<KeyUsage>> RowsUsingKey(KeyRotationStore& store,
                                                   std::string_view key_id);

}  // namespace dumas

#endif  // DUMAS_SERVER_KEY_ROTATION_H_
