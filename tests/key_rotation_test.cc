// Rotation of the data key against a real MariaDB while the service runs:
// a new key becomes current without a restart, re-encryption moves every
// encrypted row (identities, reply addresses, salts, the 24-hour tracking
// codes, notification texts) to it in batches while complaints are submitted,
// read and tracked, the old key leaves the key file once nothing uses it, and
// the blind index, tracking-code hashes and the log's authentication codes
// hold throughout.
#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/key_rotation.h"
#include "storage/keyring.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

// Events and records the log's sequencer has not numbered yet.
constexpr char kQueued[] =
    "SELECT (SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE) +"
    " (SELECT COUNT(*) FROM log_records WHERE log_pending = TRUE)";

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class KeyRotationTest : public ServiceFixture {
 protected:
  struct Submitted {
    v1::SubmitComplaintRequest request;
    std::string reference;
    std::string code;
  };

  Submitted SubmitOne() {
    Submitted s;
    s.request = ValidRequest();
    v1::SubmitComplaintResponse response;
    const grpc::Status status = Submit(s.request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    s.reference = response.reference_number();
    s.code = response.tracking_code();
    return s;
  }

  // Rows per key and table.
  std::map<std::string, int64_t> Usage() {
    std::map<std::string, int64_t> rows;
    absl::StatusOr<std::vector<KeyUsage>> usage = store().ListKeyUsage();
    EXPECT_TRUE(usage.ok()) << usage.status();
    for (const KeyUsage& u : usage.value_or(std::vector<KeyUsage>{})) {
      rows[absl::StrCat(u.key_id, "/", std::string(EncryptedTableName(u.table)))] += u.rows;
    }
    return rows;
  }

  // Reads the identity as a supervisor (FULL view).
  grpc::Status ReadIdentity(const Submitted& s, v1::GetComplaintResponse* response) {
    return Get(absl::StrCat("complaints/", s.reference), v1::COMPLAINT_VIEW_FULL,
               token(Role::kSupervisor), response);
  }

  void ExpectIdentityReadable(const Submitted& s) {
    v1::GetComplaintResponse got;
    const grpc::Status status = ReadIdentity(s, &got);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(got.complaint().complainant().nik(), s.request.complaint().complainant().nik());
    EXPECT_EQ(got.complaint().complainant().full_name(),
              s.request.complaint().complainant().full_name());
    EXPECT_EQ(got.complaint().reply_address(), "+6281234567890");
  }

  // Waits until the sequencer numbered every event; fails on a refused one.
  void AwaitLogged() {
    for (int i = 0; i < 400; ++i) {
      if (*database().QueryInt(kQueued) == 0) break;
      absl::SleepFor(absl::Milliseconds(25));
    }
    EXPECT_EQ(*database().QueryInt(kQueued), 0);
    EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM log_rejected"), 0);
  }

  absl::StatusOr<Keyring> LoadKeys() { return Keyring::LoadFromFile(key_file_path()); }
};

TEST_F(KeyRotationTest, RotatesWithoutDowntimeWhileWritesAndReadsRun) {
  // Rows under the first key: complaints, their 24-hour tracking codes,
  // their receipts.
  const std::string old_key = store().keyring()->active_key_id();
  std::vector<Submitted> before;
  for (int i = 0; i < 12; ++i) before.push_back(SubmitOne());
  EXPECT_EQ(Usage()[absl::StrCat(old_key, "/complaints")], 12);
  EXPECT_EQ(Usage()[absl::StrCat(old_key, "/idempotency_keys")], 12);
  EXPECT_EQ(Usage()[absl::StrCat(old_key, "/notifications")], 12);
  const std::string nik_index_before = database().Query(
      absl::StrCat("SELECT HEX(nik_blind_index) FROM complaints WHERE reference_number = '",
                   before[0].reference, "'"))
                                            ->at(0)
                                            .at(0);

  // Writers, readers and trackers run throughout.
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  absl::Mutex mu;
  std::vector<Submitted> during;
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    while (!stop) {
      Submitted s = SubmitOne();
      if (s.reference.empty()) {
        ++failures;
        continue;
      }
      absl::MutexLock lock(&mu);
      during.push_back(std::move(s));
    }
  });
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; !stop; i = (i + 1) % before.size()) {
        v1::GetComplaintResponse got;
        if (!ReadIdentity(before[i], &got).ok() ||
            got.complaint().complainant().nik() != before[i].request.complaint().complainant().nik()) {
          ++failures;
        }
        v1::TrackComplaintResponse tracked;
        if (!Track(before[i].reference, before[i].code, &tracked).ok()) ++failures;
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(300));

  // A new key, current at once, taken up without a restart.
  absl::StatusOr<std::string> new_key = Keyring::AddDataKey(key_file_path(), true);
  ASSERT_TRUE(new_key.ok()) << new_key.status();
  absl::StatusOr<Keyring> rotated = LoadKeys();
  ASSERT_TRUE(rotated.ok());
  ASSERT_TRUE(store().ReplaceKeyring(*std::move(rotated)).ok());
  EXPECT_EQ(store().keyring()->active_key_id(), *new_key);
  absl::SleepFor(absl::Milliseconds(300));

  // Re-encryption in small batches, while the threads go on.
  ReencryptionOptions options;
  options.batch_size = 5;
  std::vector<KeyUsage> progress;
  absl::StatusOr<ReencryptionReport> report =
      ReencryptAll(store(), *new_key, options, [&](const KeyUsage& done) {
        progress.push_back(done);
      });
  ASSERT_TRUE(report.ok()) << report.status();
  absl::SleepFor(absl::Milliseconds(300));
  stop = true;
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(failures, 0);
  EXPECT_GE(report->rewritten, 36);  // 12 complaints, 12 tracking codes, 12 receipts at least
  EXPECT_EQ(report->failed, 0);
  EXPECT_THAT(report->remaining, IsEmpty());
  EXPECT_GT(progress.size(), 3u);  // batches, not one transaction
  ASSERT_FALSE(during.empty());
  for (const auto& [key_table, rows] : Usage()) {
    EXPECT_THAT(key_table, HasSubstr(*new_key)) << key_table << ": " << rows;
  }

  // Nothing uses the old key: it leaves the key file, and the server takes
  // the file without it.
  absl::StatusOr<std::vector<KeyUsage>> old_rows = RowsUsingKey(store(), old_key);
  ASSERT_TRUE(old_rows.ok());
  EXPECT_THAT(*old_rows, IsEmpty());
  ASSERT_TRUE(Keyring::RemoveDataKey(key_file_path(), old_key).ok());
  absl::StatusOr<Keyring> without_old = LoadKeys();
  ASSERT_TRUE(without_old.ok());
  EXPECT_FALSE(without_old->HasDataKey(old_key));
  ASSERT_TRUE(store().ReplaceKeyring(*std::move(without_old)).ok());

  // Everything reads: identities, reply addresses, tracking, the replay of
  // a submission (its tracking code came from the re-encrypted record).
  for (const Submitted& s : before) ExpectIdentityReadable(s);
  for (const Submitted& s : during) ExpectIdentityReadable(s);
  for (const Submitted& s : before) {
    v1::TrackComplaintResponse tracked;
    EXPECT_TRUE(Track(s.reference, s.code, &tracked).ok());
  }
  v1::SubmitComplaintResponse replay;
  ASSERT_TRUE(Submit(before[3].request, &replay).ok());
  EXPECT_EQ(replay.tracking_code(), before[3].code);
  // The blind index is the same bytes.
  EXPECT_EQ(database().Query(absl::StrCat(
                "SELECT HEX(nik_blind_index) FROM complaints WHERE reference_number = '",
                before[0].reference, "'"))
                 ->at(0)
                 .at(0),
            nik_index_before);
  // Every receipt decrypts for its gateway; none is set aside.
  size_t delivered = 0;
  while (true) {
    v1::FetchNotificationsRequest fetch;
    fetch.set_max_notifications(100);
    v1::FetchNotificationsResponse fetched;
    grpc::ClientContext context;
    Authorize(context, token(Role::kGateway));
    ASSERT_TRUE(notifications().FetchNotifications(&context, fetch, &fetched).ok());
    if (fetched.notifications().empty()) break;
    for (const v1::Notification& n : fetched.notifications()) {
      EXPECT_THAT(n.text(), HasSubstr("Kode pelacakan"));
      EXPECT_EQ(n.reply_address(), "+6281234567890");
      ++delivered;
    }
  }
  EXPECT_EQ(delivered, before.size() + during.size());
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM notifications WHERE failed_at IS NOT NULL"),
            0);
  // The log's authentication codes did not change with the data key.
  AwaitLogged();
}

TEST_F(KeyRotationTest, AKeyFileThatCannotReadTheRowsIsRefused) {
  const std::string old_key = store().keyring()->active_key_id();
  const Submitted s = SubmitOne();
  absl::StatusOr<std::string> new_key = Keyring::AddDataKey(key_file_path(), true);
  ASSERT_TRUE(new_key.ok());
  // The old key cannot be dropped from the file while rows use it...
  absl::StatusOr<std::vector<KeyUsage>> rows = RowsUsingKey(store(), old_key);
  ASSERT_TRUE(rows.ok());
  EXPECT_FALSE(rows->empty());
  // ...and a key file without it is refused by the running server, naming it.
  ASSERT_TRUE(Keyring::RemoveDataKey(key_file_path(), old_key).ok());
  absl::StatusOr<Keyring> incomplete = LoadKeys();
  ASSERT_TRUE(incomplete.ok());
  const absl::Status refused = store().ReplaceKeyring(*std::move(incomplete));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr(old_key));
  EXPECT_THAT(refused.message(), HasSubstr("complaints: 1"));
  EXPECT_EQ(store().keyring()->active_key_id(), old_key);  // unchanged
  ExpectIdentityReadable(s);

  // Another index key would change every hash: refused too.
  const std::string other = key_file_path() + ".other";
  ASSERT_TRUE(Keyring::GenerateFile(other).ok());
  absl::StatusOr<Keyring> foreign = Keyring::LoadFromFile(other);
  ASSERT_TRUE(foreign.ok());
  const absl::Status foreign_refused = store().ReplaceKeyring(*std::move(foreign));
  EXPECT_EQ(foreign_refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(foreign_refused.message(), HasSubstr("index key"));
  std::remove(other.c_str());

  // Re-encrypting from the current key, or from a key the file lacks, is
  // refused before anything is read.
  ReencryptionCursor cursor;
  EXPECT_EQ(store().ReencryptBatch(EncryptedTable::kComplaints, old_key, cursor, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store().ReencryptBatch(EncryptedTable::kComplaints, "k-absent", cursor, 10).status().code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(KeyRotationTest, ARowThatFailsToDecryptIsSkippedAndReported) {
  const std::string old_key = store().keyring()->active_key_id();
  const Submitted good = SubmitOne();
  const Submitted bad = SubmitOne();
  // A ciphertext moved from another row: authentication fails for it.
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat(
                      "UPDATE complaints c JOIN complaints g ON g.reference_number = '",
                      good.reference, "' SET c.phone_ct = g.phone_ct WHERE c.reference_number = '",
                      bad.reference, "'"))
                  .ok());
  absl::StatusOr<std::string> new_key = Keyring::AddDataKey(key_file_path(), true);
  ASSERT_TRUE(new_key.ok());
  ASSERT_TRUE(store().ReplaceKeyring(*LoadKeys()).ok());
  absl::StatusOr<ReencryptionReport> report = ReencryptAll(store(), *new_key, {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->failed, 1);
  ASSERT_EQ(report->remaining.size(), 1u);
  EXPECT_EQ(report->remaining[0].key_id, old_key);
  EXPECT_EQ(report->remaining[0].table, EncryptedTable::kComplaints);
  ExpectIdentityReadable(good);
  // Run again, it finds the same row and nothing else.
  absl::StatusOr<ReencryptionReport> again = ReencryptAll(store(), *new_key, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rewritten, 0);
  EXPECT_EQ(again->failed, 1);
}

}  // namespace
}  // namespace dumas
