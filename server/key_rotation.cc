#include "server/key_rotation.h"

#include <utility>

#include "absl/time/clock.h"

namespace dumas {

absl::StatusOr<ReencryptionReport> ReencryptAll(
    KeyRotationStore& store, std::string_view current_key_id, const ReencryptionOptions& options,
    const std::function<void(const KeyUsage& done)>& progress) {
  const absl::Time start = absl::Now();
  ReencryptionReport report;
  absl::StatusOr<std::vector<KeyUsage>> usage = store.ListKeyUsage();
  if (!usage.ok()) return usage.status();
  for (const KeyUsage& old : *usage) {
    if (old.key_id == current_key_id) continue;
    KeyUsage done{old.key_id, old.table, 0};
    ReencryptionCursor cursor;
    for (bool first = true;; first = false) {
      if (!first && options.pause > absl::ZeroDuration()) absl::SleepFor(options.pause);
      absl::StatusOr<ReencryptionBatch> batch =
          store.ReencryptBatch(old.table, old.key_id, cursor, options.batch_size);
      if (!batch.ok()) return batch.status();
      report.rewritten += batch->rewritten;
      report.failed += batch->failed;
      done.rows += batch->rewritten;
      if (progress) progress(done);
      if (batch->done) break;
    }
  }
  absl::StatusOr<std::vector<KeyUsage>> after = store.ListKeyUsage();
  if (!after.ok()) return after.status();
  for (KeyUsage& left : *after) {
    if (left.key_id != current_key_id) report.remaining.push_back(std::move(left));
  }
  report.elapsed = absl::Now() - start;
  return report;
}

absl::StatusOr<std::vector<KeyUsage>> RowsUsingKey(KeyRotationStore& store,
                                                   std::string_view key_id) {
  absl::StatusOr<std::vector<KeyUsage>> usage = store.ListKeyUsage();
  if (!usage.ok()) return usage.status();
  std::vector<KeyUsage> rows;
  for (KeyUsage& u : *usage) {
    if (u.key_id == key_id) rows.push_back(std::move(u));
  }
  return rows;
}

}  // namespace dumas
