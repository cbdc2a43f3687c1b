// The national integration through gRPC against a real MariaDB: the change
// feed, the transparency log's checkpoints and proofs (checked with an
// independent implementation of RFC 9162), tampering found by the verifier,
// the import of complaints from Kompolnas, and the complainant's consent.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/log_entry.h"
#include "domain/signed_note.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "storage/connection_pool.h"
#include "storage/mysql_store_internal.h"
#include "tests/rfc9162_reference.h"
#include "tests/service_fixture.h"
#include "tools/log_verifier/log_verifier.h"

namespace dumas {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class IntegrationServiceTest : public ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    integration_ = v1::IntegrationService::NewStub(channel());
    oversight_ = token(Role::kOversight);
  }

  // Submits a complaint and takes it a few steps: `steps` + 1 events.
  std::string NewComplaintWithSteps(int notes, v1::SubmitComplaintRequest request = {}) {
    if (!request.has_complaint()) request = ValidRequest();
    v1::SubmitComplaintResponse submitted;
    const grpc::Status status = Submit(request, &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::string etag = submitted.complaint().etag();
    for (int i = 0; i < notes; ++i) {
      v1::AddComplaintNoteRequest note;
      note.set_name(submitted.complaint().name());
      note.set_etag(etag);
      note.set_text(absl::StrCat("Catatan pemeriksaan ke-", i + 1));
      v1::AddComplaintNoteResponse noted;
      grpc::ClientContext context;
      Authorize(context, token(Role::kSupervisor));
      EXPECT_TRUE(stub().AddComplaintNote(&context, note, &noted).ok());
      etag = noted.complaint().etag();
    }
    return submitted.reference_number();
  }

  // Waits until every event in the database is numbered.
  int64_t AwaitAllNumbered() {
    int64_t events = 0;
    for (int i = 0; i < 400; ++i) {
      events = Count("SELECT COUNT(*) FROM complaint_events");
      if (Count("SELECT COUNT(*) FROM log_entries") == events &&
          change_log().HeadRevision() == events) {
        return events;
      }
      absl::SleepFor(absl::Milliseconds(25));
    }
    ADD_FAILURE() << "the sequencer did not number every event";
    return events;
  }

  // The first `n` changes of the feed, in one page. Reading a consented
  // identity writes an IDENTITY_READ event, which a later page may already
  // hold: one page reads exactly the changes asked for.
  std::vector<v1::Change> FirstChanges(const std::string& token, int n) {
    v1::ListChangesRequest request;
    request.set_after_revision(0);
    request.set_page_size(n);
    v1::ListChangesResponse response;
    grpc::ClientContext context;
    Authorize(context, token);
    const grpc::Status status = integration_->ListChanges(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.changes().begin(), response.changes().end()};
  }

  std::vector<v1::Change> AllChanges(const std::string& token) {
    std::vector<v1::Change> all;
    int64_t after = 0;
    while (true) {
      v1::ListChangesRequest request;
      request.set_after_revision(after);
      request.set_page_size(7);  // several pages
      v1::ListChangesResponse response;
      grpc::ClientContext context;
      Authorize(context, token);
      const grpc::Status status = integration_->ListChanges(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok() || response.changes().empty()) break;
      for (const v1::Change& change : response.changes()) all.push_back(change);
      after = all.back().revision();
    }
    return all;
  }

  v1::CreateCheckpointResponse Checkpoint() {
    v1::CreateCheckpointRequest request;
    v1::CreateCheckpointResponse response;
    grpc::ClientContext context;
    Authorize(context, oversight_);
    const grpc::Status status = integration_->CreateCheckpoint(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  VerifierKey LogKey() {
    v1::GetCheckpointResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(integration_->GetCheckpoint(&context, {}, &response).ok());
    absl::StatusOr<VerifierKey> key = VerifierKey::Parse(response.verifier_key());
    EXPECT_TRUE(key.ok()) << key.status();
    return key.value_or(VerifierKey{});
  }

  int64_t Count(const std::string& sql) {
    auto n = database().QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  std::unique_ptr<v1::IntegrationService::Stub> integration_;
  std::string oversight_;
};

TEST_F(IntegrationServiceTest, TheFeedServesEveryEventOnceInOrderWithItsLeaf) {
  for (int i = 0; i < 5; ++i) NewComplaintWithSteps(i);
  const int64_t events = AwaitAllNumbered();
  EXPECT_EQ(events, 5 + 0 + 1 + 2 + 3 + 4);
  const std::vector<v1::Change> changes = AllChanges(oversight_);
  ASSERT_THAT(changes, SizeIs(events));
  std::set<std::string> seen;
  for (size_t i = 0; i < changes.size(); ++i) {
    const v1::Change& change = changes[i];
    EXPECT_EQ(change.revision(), static_cast<int64_t>(i + 1));
    EXPECT_TRUE(seen.insert(change.event().name()).second) << "repeated: " << change.event().name();
    // Each leaf recomputes from the fields, as any verifier does.
    absl::StatusOr<LogEntry> entry = EntryOfChange(change);
    ASSERT_TRUE(entry.ok()) << entry.status();
    const Hash leaf = EntryLeafHash(*entry);
    EXPECT_EQ(std::string(leaf.begin(), leaf.end()), change.leaf_hash()) << change.revision();
    // The independent implementation agrees on the leaf.
    EXPECT_EQ(rfc9162::LeafHash(EncodeEntry(*entry)), change.leaf_hash());
    EXPECT_EQ(change.event().revision(), change.revision());
  }
  // A registration records the complaint as registered; a note, the version.
  EXPECT_EQ(changes[0].event().type(), "RECEIVED");
  EXPECT_TRUE(changes[0].details().has_description());
  EXPECT_EQ(changes[0].details().identity_commitment().size(), 32u);
  EXPECT_EQ(changes[0].details().state(), v1::COMPLAINT_STATE_RECEIVED);
  EXPECT_FALSE(changes[0].has_complainant());  // no consent
  // Only OVERSIGHT reads the feed.
  v1::ListChangesResponse response;
  grpc::ClientContext context;
  Authorize(context, token(Role::kSupervisor));
  EXPECT_EQ(integration_->ListChanges(&context, {}, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(IntegrationServiceTest, WatchersGetTheBacklogThenLiveChangesAndHeartbeats) {
  NewComplaintWithSteps(2);
  AwaitAllNumbered();
  grpc::ClientContext context;
  Authorize(context, oversight_);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::WatchChangesRequest request;
  request.set_after_revision(1);  // resume after the first
  auto reader = integration_->WatchChanges(&context, request);
  v1::WatchChangesResponse message;
  std::vector<int64_t> revisions;
  while (revisions.size() < 2 && reader->Read(&message)) {
    if (message.has_change()) revisions.push_back(message.change().revision());
  }
  EXPECT_THAT(revisions, ::testing::ElementsAre(2, 3));
  // A change committed now reaches the watcher.
  NewComplaintWithSteps(0);
  bool live = false;
  bool heartbeat = false;
  while (!(live && heartbeat) && reader->Read(&message)) {
    if (message.has_change()) {
      EXPECT_EQ(message.change().revision(), 4);
      live = true;
    }
    if (message.has_heartbeat()) {
      EXPECT_GE(message.heartbeat().head_revision(), 4);
      heartbeat = true;
    }
  }
  EXPECT_TRUE(live);
  EXPECT_TRUE(heartbeat);
  context.TryCancel();
  reader->Finish();
}

TEST_F(IntegrationServiceTest, ProofsVerifyWithAnIndependentRfc9162Implementation) {
  std::vector<v1::CreateCheckpointResponse> checkpoints;
  for (int round = 0; round < 6; ++round) {
    NewComplaintWithSteps(round % 3);
    AwaitAllNumbered();
    checkpoints.push_back(Checkpoint());
  }
  const std::vector<v1::Change> changes = AllChanges(oversight_);
  std::vector<std::string> leaves;
  for (const v1::Change& change : changes) leaves.push_back(change.leaf_hash());
  for (const v1::CreateCheckpointResponse& checkpoint : checkpoints) {
    const int64_t size = checkpoint.tree_size();
    // The signed root is the root of the served leaves.
    EXPECT_EQ(rfc9162::RootFromLeafHashes(
                  std::vector<std::string>(leaves.begin(), leaves.begin() + size)),
              checkpoint.root_hash())
        << size;
    for (int64_t revision = 1; revision <= size; ++revision) {
      v1::GetInclusionProofRequest request;
      request.set_revision(revision);
      request.set_tree_size(size);
      v1::GetInclusionProofResponse proof;
      grpc::ClientContext context;  // no token: proofs are public
      ASSERT_TRUE(integration_->GetInclusionProof(&context, request, &proof).ok());
      const std::vector<std::string> path(proof.hashes().begin(), proof.hashes().end());
      EXPECT_TRUE(rfc9162::VerifyInclusion(revision - 1, size, leaves[revision - 1], path,
                                           checkpoint.root_hash()))
          << revision << " in " << size;
      // A proof for another leaf does not verify.
      EXPECT_FALSE(rfc9162::VerifyInclusion(revision - 1, size, rfc9162::LeafHash("other"),
                                            path, checkpoint.root_hash()));
    }
  }
  for (const auto& first : checkpoints) {
    for (const auto& second : checkpoints) {
      if (first.tree_size() > second.tree_size()) continue;
      v1::GetConsistencyProofRequest request;
      request.set_first_tree_size(first.tree_size());
      request.set_second_tree_size(second.tree_size());
      v1::GetConsistencyProofResponse proof;
      grpc::ClientContext context;
      ASSERT_TRUE(integration_->GetConsistencyProof(&context, request, &proof).ok());
      const std::vector<std::string> path(proof.hashes().begin(), proof.hashes().end());
      EXPECT_TRUE(rfc9162::VerifyConsistency(first.tree_size(), second.tree_size(),
                                             first.root_hash(), second.root_hash(), path))
          << first.tree_size() << " -> " << second.tree_size();
      if (first.tree_size() < second.tree_size()) {
        EXPECT_FALSE(rfc9162::VerifyConsistency(first.tree_size(), second.tree_size(),
                                                rfc9162::LeafHash("forged root"),
                                                second.root_hash(), path));
      }
    }
  }
  // Beyond the latest checkpoint: OUT_OF_RANGE, though the tree holds the
  // leaf. The sequencer signs checkpoints while the log grows, so one may be
  // signed between the two calls: the proof is then served, a checkpoint
  // covering it must exist, and the question is asked again.
  bool refused = false;
  for (int attempt = 0; attempt < 10 && !refused; ++attempt) {
    NewComplaintWithSteps(0);
    AwaitAllNumbered();
    v1::GetCheckpointResponse latest;
    {
      grpc::ClientContext context;
      ASSERT_TRUE(integration_->GetCheckpoint(&context, {}, &latest).ok());
    }
    v1::GetInclusionProofRequest beyond;
    beyond.set_revision(1);
    beyond.set_tree_size(latest.tree_size() + 1);
    v1::GetInclusionProofResponse proof;
    grpc::ClientContext context;
    const grpc::Status status = integration_->GetInclusionProof(&context, beyond, &proof);
    if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      refused = true;
      continue;
    }
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::GetCheckpointResponse newer;
    grpc::ClientContext again;
    ASSERT_TRUE(integration_->GetCheckpoint(&again, {}, &newer).ok());
    EXPECT_GT(newer.tree_size(), latest.tree_size());
  }
  EXPECT_TRUE(refused);
}

TEST_F(IntegrationServiceTest, CheckpointsAreSignedAndCosignedByWitnesses) {
  NewComplaintWithSteps(1);
  AwaitAllNumbered();
  const v1::CreateCheckpointResponse created = Checkpoint();
  v1::GetCheckpointResponse latest;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(integration_->GetCheckpoint(&context, {}, &latest).ok());
  }
  EXPECT_EQ(latest.tree_size(), created.tree_size());
  EXPECT_EQ(latest.origin(), testing::kTestLogOrigin);
  absl::StatusOr<SignedNote> note = SignedNote::Parse(latest.checkpoint());
  ASSERT_TRUE(note.ok()) << note.status();
  absl::StatusOr<VerifierKey> key = VerifierKey::Parse(latest.verifier_key());
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(VerifyNoteSignature(*note, *key).ok());

  // Kompolnas cosigns as a witness.
  absl::StatusOr<Cosigner> witness =
      Cosigner::FromSeed("kompolnas.go.id/witness", std::string(32, '\x07'));
  ASSERT_TRUE(witness.ok()) << witness.status();
  auto cosign = [&](const std::string& body, uint64_t time) {
    v1::AddCosignatureRequest request;
    request.set_checkpoint_body(body);
    request.set_signature_line(SignatureLine(witness->Cosign(body, time)));
    request.set_verifier_key(witness->verifier_key().Text());
    v1::AddCosignatureResponse response;
    grpc::ClientContext context;
    Authorize(context, oversight_);
    return std::make_pair(integration_->AddCosignature(&context, request, &response), response);
  };
  const uint64_t now = static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now()));
  auto [status, cosigned] = cosign(note->body, now);
  ASSERT_TRUE(status.ok()) << status.error_message();
  absl::StatusOr<SignedNote> with = SignedNote::Parse(cosigned.checkpoint());
  ASSERT_TRUE(with.ok());
  EXPECT_THAT(with->signatures, SizeIs(2));
  EXPECT_TRUE(VerifyCosignature(*with, witness->verifier_key()).ok());
  // Served with the checkpoint from now on.
  {
    grpc::ClientContext context;
    ASSERT_TRUE(integration_->GetCheckpoint(&context, {}, &latest).ok());
    EXPECT_EQ(latest.checkpoint(), cosigned.checkpoint());
  }
  // A forged body, a bad signature, a future date are refused.
  // The forgery changes a character inside the root hash's base64: its
  // last character also carries padding bits, which a change may set, making
  // the body malformed rather than forged.
  std::string forged = note->body;
  const size_t in_root = forged.size() - 20;
  forged[in_root] = forged[in_root] == 'A' ? 'B' : 'A';
  {
    const grpc::Status refused = cosign(forged, now).first;
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND) << refused.error_message();
  }
  {
    v1::AddCosignatureRequest request;
    request.set_checkpoint_body(note->body);
    request.set_signature_line(SignatureLine(witness->Cosign(forged, now)));
    request.set_verifier_key(witness->verifier_key().Text());
    v1::AddCosignatureResponse response;
    grpc::ClientContext context;
    Authorize(context, oversight_);
    EXPECT_EQ(integration_->AddCosignature(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_EQ(cosign(note->body, now + 3600).first.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A witness never goes back to a smaller tree.
  NewComplaintWithSteps(0);
  AwaitAllNumbered();
  const v1::CreateCheckpointResponse larger = Checkpoint();
  absl::StatusOr<SignedNote> larger_note = SignedNote::Parse(larger.checkpoint());
  ASSERT_TRUE(larger_note.ok());
  ASSERT_TRUE(cosign(larger_note->body, now).first.ok());
  EXPECT_EQ(cosign(note->body, now).first.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

// --- Tampering in MariaDB, found by a verifier holding an earlier checkpoint ---

class TamperingTest : public IntegrationServiceTest {
 protected:
  void SetUp() override {
    IntegrationServiceTest::SetUp();
    for (int i = 0; i < 4; ++i) NewComplaintWithSteps(2);
    AwaitAllNumbered();
    Checkpoint();
    verifier_ = std::make_unique<LogVerifier>(channel(), oversight_, LogKey());
    absl::StatusOr<VerifiedCheckpoint> first = verifier_->FetchCheckpoint();
    ASSERT_TRUE(first.ok()) << first.status();
    held_ = first->checkpoint;
    const LogReport report = verifier_->RecomputeTree(held_, nullptr, &leaves_);
    ASSERT_TRUE(report.ok) << report.problem;
    ASSERT_EQ(report.leaves_checked, 12);
  }

  // Verifies again after the tampering, as the verifier's next run does.
  LogReport VerifyAgain() {
    absl::StatusOr<VerifiedCheckpoint> latest = verifier_->FetchCheckpoint();
    if (!latest.ok()) {
      LogReport report;
      report.ok = false;
      report.problem = std::string(latest.status().message());
      return report;
    }
    LogReport consistent = verifier_->CheckConsistency(held_, latest->checkpoint);
    if (!consistent.ok) {
      // Still name the first leaf that changed, from the leaves kept.
      LogReport named = verifier_->RecomputeTree(held_, &leaves_);
      if (!named.ok && named.first_bad_revision > 0) return named;
      return consistent;
    }
    return verifier_->RecomputeTree(latest->checkpoint, &leaves_);
  }

  void Execute(const std::string& sql) {
    ASSERT_TRUE(database().Execute(sql).ok()) << sql;
  }

  std::unique_ptr<LogVerifier> verifier_;
  dumas::Checkpoint held_;
  std::vector<Hash> leaves_;
};

TEST_F(TamperingTest, NothingTamperedVerifies) {
  NewComplaintWithSteps(1);
  AwaitAllNumbered();
  Checkpoint();
  const LogReport report = VerifyAgain();
  EXPECT_TRUE(report.ok) << report.problem;
}

// A record of the resort itself (here a frozen report's digest) is logged
// beside the events, once per kind and name, and a swapped digest is named.
TEST_F(TamperingTest, ARecordIsLoggedOnceAndASwappedDigestIsNamed) {
  auto insert = [&](const LogRecord& record) {
    return store().connection_pool().RunTransaction(
        [&](PooledConnection& c) -> absl::StatusOr<ConnectionPool::TransactionEnd> {
          absl::StatusOr<int64_t> id =
              mysql_store_internal::InsertLogRecord(c, *store().keyring(), record);
          if (!id.ok()) return id.status();
          return ConnectionPool::TransactionEnd::kCommit;
        },
        /*idempotent=*/false);
  };
  const LogRecord record{.kind = "ANEV_REPORT",
                         .name = "reports/2026-10",
                         .time = absl::FromUnixMicros(1793496600250000),
                         .digest = std::string(32, '\x5d')};
  ASSERT_TRUE(insert(record).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(insert(record)));
  LogRecord bad = record;
  bad.kind = "anev";
  EXPECT_TRUE(absl::IsInvalidArgument(insert(bad)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM log_records"), 1);
  for (int i = 0; i < 200 && Count("SELECT COUNT(*) FROM log_entries") < 13; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const std::vector<v1::Change> changes = AllChanges(oversight_);
  ASSERT_THAT(changes, SizeIs(13));
  const v1::Change& logged = changes[12];
  ASSERT_TRUE(logged.has_record());
  EXPECT_TRUE(logged.complaint().empty());
  EXPECT_EQ(logged.record().kind(), "ANEV_REPORT");
  EXPECT_EQ(logged.record().name(), "reports/2026-10");
  EXPECT_EQ(logged.record().digest(), record.digest);
  absl::StatusOr<Hash> leaf = LeafOfChange(logged);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(std::string(leaf->begin(), leaf->end()), logged.leaf_hash());
  EXPECT_EQ(rfc9162::LeafHash(EncodeRecord(record)), logged.leaf_hash());
  Checkpoint();
  LogReport report = VerifyAgain();
  ASSERT_TRUE(report.ok) << report.problem;
  held_ = verifier_->FetchCheckpoint()->checkpoint;

  Execute("UPDATE log_records SET digest = UNHEX(SHA2('laporan lain', 256))");
  report = VerifyAgain();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_revision, 13) << report.problem;
}

// A logged event queued again by hand is only taken off the queue: it is not
// logged twice, and the sequencer goes on numbering what comes after it.
TEST_F(TamperingTest, AnEventQueuedAgainIsNotLoggedTwice) {
  Execute("UPDATE complaint_events SET log_pending = TRUE WHERE id = "
          "(SELECT event_id FROM log_entries WHERE revision = 3)");
  NewComplaintWithSteps(1);
  EXPECT_EQ(AwaitAllNumbered(), 14);
  for (int i = 0;
       i < 200 && Count("SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE") > 0;
       ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM log_rejected"), 0);
  Checkpoint();
  const LogReport report = VerifyAgain();
  EXPECT_TRUE(report.ok) << report.problem;
}

TEST_F(TamperingTest, AnUpdatedEventIsNamed) {
  Execute("UPDATE complaint_events SET internal_note = 'tidak ada masalah' WHERE id = "
          "(SELECT event_id FROM log_entries WHERE revision = 5)");
  const LogReport report = VerifyAgain();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_revision, 5) << report.problem;
}

TEST_F(TamperingTest, ADeletedEventIsNamed) {
  Execute("SET SESSION foreign_key_checks = 0");
  Execute("DELETE FROM complaint_events WHERE id = "
          "(SELECT event_id FROM log_entries WHERE revision = 7)");
  const LogReport report = VerifyAgain();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_revision, 7) << report.problem;
}

TEST_F(TamperingTest, AnInsertedEventIsNeverLoggedAndHistoryCannotMakeRoomForIt) {
  // Written straight into the database: no valid code, so never numbered.
  // It is even queued for the sequencer, as dumasd queues its events.
  Execute("INSERT INTO complaint_events (complaint_id, event_time, type, public,"
          " public_message, log_pending) SELECT MIN(id), '2026-01-01 00:00:00', 'NOTE', TRUE,"
          " 'palsu', TRUE FROM complaints");
  for (int i = 0; i < 100 && Count("SELECT COUNT(*) FROM log_rejected") == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM log_rejected WHERE reason = 'BAD_AUTHENTICATION_CODE'"),
            1);
  // Refused once and taken off the queue: not looked at again.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM log_entries"), 12);
  // Forced into the middle of the log, it changes the history the verifier holds.
  Execute("UPDATE log_entries SET revision = revision + 100 WHERE revision >= 4");
  Execute("UPDATE log_entries SET revision = revision - 99 WHERE revision >= 104");
  Execute("INSERT INTO log_entries (revision, event_id, leaf_hash, sequenced_at)"
          " SELECT 4, MAX(id), UNHEX(SHA2('palsu', 256)), NOW(6) FROM complaint_events");
  const LogReport report = VerifyAgain();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_revision, 4) << report.problem;
}

TEST_F(TamperingTest, SwappedEventsAreNamed) {
  // What revisions 3 and 6 record changes places.
  Execute("UPDATE complaint_events a"
          " JOIN log_entries la ON la.event_id = a.id AND la.revision = 3"
          " JOIN log_entries lb ON lb.revision = 6"
          " JOIN complaint_events b ON b.id = lb.event_id"
          " SET a.internal_note = b.internal_note, b.internal_note = a.internal_note,"
          " a.event_time = b.event_time, b.event_time = a.event_time");
  const LogReport report = VerifyAgain();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_revision, 3) << report.problem;
}

TEST_F(TamperingTest, ATruncatedTailIsNamed) {
  // The tail after revision 9 goes, and a checkpoint of the shorter log is
  // signed with the real key. The server is down meanwhile: a running one
  // would sign its own tree again.
  RestartServer([&] {
    Execute("SET SESSION foreign_key_checks = 0");
    Execute("DELETE FROM log_entries WHERE revision > 9");
    Execute("DELETE FROM log_cosignatures");
    Execute("DELETE FROM log_checkpoints WHERE tree_size > 9");
  });
  integration_ = v1::IntegrationService::NewStub(channel());
  Checkpoint();
  verifier_ = std::make_unique<LogVerifier>(channel(), oversight_, LogKey());
  const LogReport report = VerifyAgain();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_revision, 10) << report.problem;
}

TEST_F(TamperingTest, HistoryRewrittenAndResignedWithTheRealKeyIsNamed) {
  // Someone with the key file alters an event, recomputes its leaf, and signs
  // a new checkpoint of the same size: a split view for whoever held the old.
  Execute("UPDATE complaint_events SET internal_note = 'ditulis ulang' WHERE id = "
          "(SELECT event_id FROM log_entries WHERE revision = 2)");
  const std::vector<v1::Change> changes = AllChanges(oversight_);
  absl::StatusOr<LogEntry> entry = EntryOfChange(changes[1]);
  ASSERT_TRUE(entry.ok());
  const Hash leaf = EntryLeafHash(*entry);
  // The server is down meanwhile (a running one would sign the tree it
  // holds again), and the next loads the rewritten leaves.
  RestartServer([&] {
    Execute(absl::StrCat("UPDATE log_entries SET leaf_hash = UNHEX('",
                         absl::BytesToHexString(std::string(leaf.begin(), leaf.end())),
                         "') WHERE revision = 2"));
    Execute("SET SESSION foreign_key_checks = 0");
    Execute("DELETE FROM log_cosignatures");
    Execute("DELETE FROM log_checkpoints");
  });
  integration_ = v1::IntegrationService::NewStub(channel());
  Checkpoint();
  verifier_ = std::make_unique<LogVerifier>(channel(), oversight_, LogKey());
  const LogReport report = VerifyAgain();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_revision, 2) << report.problem;
}

// --- Import from Kompolnas --------------------------------------------------------

class ImportTest : public IntegrationServiceTest {
 protected:
  void SetUp() override {
    IntegrationServiceTest::SetUp();
    kompolnas_ = NewToken("gateway-kompolnas", Role::kGateway, "",
                          ChannelSet{Channel::kKompolnas});
  }

  v1::ImportComplaintRequest Request(const std::string& external_id) {
    v1::ImportComplaintRequest request;
    request.set_external_id(external_id);
    request.mutable_receive_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 86400);
    *request.mutable_complaint() = ValidRequest().complaint();
    request.mutable_complaint()->set_channel(v1::CHANNEL_KOMPOLNAS);
    request.mutable_complaint()->set_reply_address(external_id);
    return request;
  }

  grpc::Status Import(const v1::ImportComplaintRequest& request,
                      v1::ImportComplaintResponse* response, const std::string& token = "") {
    grpc::ClientContext context;
    Authorize(context, token.empty() ? kompolnas_ : token);
    return integration_->ImportComplaint(&context, request, response);
  }

  std::string kompolnas_;
};

TEST_F(ImportTest, AnImportIsDoneOnceAndNeverOverwritten) {
  const v1::ImportComplaintRequest request = Request("KOMPOLNAS-2026-000123");
  v1::ImportComplaintResponse first;
  ASSERT_TRUE(Import(request, &first).ok());
  EXPECT_FALSE(first.already_imported());
  EXPECT_FALSE(first.tracking_code().empty());
  EXPECT_EQ(first.complaint().channel(), v1::CHANNEL_KOMPOLNAS);
  EXPECT_EQ(first.complaint().external_id(), "KOMPOLNAS-2026-000123");
  // Again, the same: the same complaint, nothing written.
  const int64_t events = Count("SELECT COUNT(*) FROM complaint_events");
  v1::ImportComplaintResponse again;
  ASSERT_TRUE(Import(request, &again).ok());
  EXPECT_TRUE(again.already_imported());
  EXPECT_EQ(again.reference_number(), first.reference_number());
  EXPECT_TRUE(again.tracking_code().empty());
  EXPECT_EQ(CountComplaints(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events"), events);
  // The same external id with other content: refused, naming the field.
  v1::ImportComplaintRequest changed = request;
  changed.mutable_complaint()->set_description(
      "Keterangan yang berbeda dari pengaduan yang sudah diteruskan sebelumnya.");
  v1::ImportComplaintResponse refused;
  const grpc::Status status = Import(changed, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(status.error_message(), HasSubstr("complaint.description"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  EXPECT_EQ(bad_request.field_violations(0).field(), "complaint.description");
  v1::ImportComplaintRequest other_nik = request;
  other_nik.mutable_complaint()->mutable_complainant()->set_nik("7271014509900099");
  EXPECT_THAT(Import(other_nik, &refused).error_message(),
              HasSubstr("complaint.complainant.nik"));
  EXPECT_EQ(CountComplaints(), 1);

  // Concurrent imports of one external id: one complaint.
  std::vector<std::thread> threads;
  std::vector<grpc::Status> statuses(8);
  const v1::ImportComplaintRequest parallel = Request("KOMPOLNAS-2026-000999");
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      v1::ImportComplaintResponse response;
      statuses[i] = Import(parallel, &response);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const grpc::Status& s : statuses) {
    EXPECT_TRUE(s.ok() || s.error_code() == grpc::StatusCode::ABORTED) << s.error_message();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaints WHERE external_id = 'KOMPOLNAS-2026-000999'"),
            1);
}

TEST_F(ImportTest, OnlyTheKompolnasGatewayImportsAndFieldsAreChecked) {
  v1::ImportComplaintResponse response;
  EXPECT_EQ(Import(Request("K-1"), &response, token(Role::kGateway)).error_code(),
            grpc::StatusCode::OK);  // the test gateway serves every channel
  const std::string whatsapp =
      NewToken("gateway-wa", Role::kGateway, "", ChannelSet{Channel::kWhatsapp});
  EXPECT_EQ(Import(Request("K-2"), &response, whatsapp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Import(Request("K-3"), &response, oversight_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ImportComplaintRequest bad = Request("");
  bad.clear_receive_time();
  bad.mutable_complaint()->set_channel(v1::CHANNEL_EMAIL);
  bad.mutable_complaint()->set_description("x");
  const grpc::Status status = Import(bad, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* field : {"external_id", "receive_time", "complaint.channel",
                            "complaint.description"}) {
    EXPECT_THAT(status.error_message(), HasSubstr(field));
  }
}

TEST_F(ImportTest, TheAnswerGoesBackToKompolnasAndTheNationalReferenceIsVisible) {
  v1::ImportComplaintResponse imported;
  ASSERT_TRUE(Import(Request("KOMPOLNAS-2026-000777"), &imported).ok());
  const std::string name = imported.complaint().name();
  std::string etag = imported.complaint().etag();
  auto step = [&](auto rpc, auto request, auto response) {
    request.set_name(name);
    request.set_etag(etag);
    grpc::ClientContext context;
    Authorize(context, token(Role::kSupervisor));
    const grpc::Status status = (stub().*rpc)(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    etag = response.complaint().etag();
  };
  step(&v1::ComplaintService::Stub::VerifyComplaint, v1::VerifyComplaintRequest{},
       v1::VerifyComplaintResponse{});
  step(&v1::ComplaintService::Stub::AssignComplaint, v1::AssignComplaintRequest{},
       v1::AssignComplaintResponse{});
  step(&v1::ComplaintService::Stub::StartInvestigation, v1::StartInvestigationRequest{},
       v1::StartInvestigationResponse{});
  v1::ConcludeComplaintRequest conclude;
  conclude.set_outcome(v1::OUTCOME_SUBSTANTIATED);
  conclude.set_findings("Terbukti berdasarkan keterangan saksi dan rekaman.");
  step(&v1::ComplaintService::Stub::ConcludeComplaint, conclude, v1::ConcludeComplaintResponse{});
  v1::AnswerComplaintRequest answer;
  answer.set_answer("Petugas yang bersangkutan telah dijatuhi sanksi disiplin.");
  step(&v1::ComplaintService::Stub::AnswerComplaint, answer, v1::AnswerComplaintResponse{});

  v1::FetchNotificationsRequest fetch;
  fetch.set_max_notifications(100);
  v1::FetchNotificationsResponse fetched;
  grpc::ClientContext context;
  Authorize(context, kompolnas_);
  ASSERT_TRUE(notifications().FetchNotifications(&context, fetch, &fetched).ok());
  std::set<v1::NotificationKind> kinds;
  for (const v1::Notification& n : fetched.notifications()) {
    EXPECT_EQ(n.channel(), v1::CHANNEL_KOMPOLNAS);
    EXPECT_EQ(n.complaint(), name);
    EXPECT_EQ(n.reply_address(), "KOMPOLNAS-2026-000777");
    kinds.insert(n.kind());
  }
  EXPECT_TRUE(kinds.contains(v1::NOTIFICATION_KIND_RECEIPT));
  EXPECT_TRUE(kinds.contains(v1::NOTIFICATION_KIND_SP3D));
  EXPECT_TRUE(kinds.contains(v1::NOTIFICATION_KIND_ANSWER));

  v1::GetComplaintResponse got;
  ASSERT_TRUE(Get(name, v1::COMPLAINT_VIEW_BASIC, oversight_, &got).ok());
  EXPECT_EQ(got.complaint().external_id(), "KOMPOLNAS-2026-000777");
  AwaitAllNumbered();
  const std::vector<v1::Change> changes = AllChanges(oversight_);
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes[0].details().external_id(), "KOMPOLNAS-2026-000777");
  EXPECT_TRUE(changes[0].details().has_external_receive_time());
}

// --- Consent ------------------------------------------------------------------------

TEST_F(IntegrationServiceTest, TheIdentityReachesKompolnasOnlyWithConsent) {
  v1::SubmitComplaintRequest consenting = ValidRequest();
  consenting.mutable_complaint()->set_share_identity_with_kompolnas(true);
  v1::SubmitComplaintResponse with;
  ASSERT_TRUE(Submit(consenting, &with).ok());
  EXPECT_TRUE(with.complaint().share_identity_with_kompolnas());
  v1::SubmitComplaintResponse without;
  ASSERT_TRUE(Submit(ValidRequest(), &without).ok());
  AwaitAllNumbered();

  const std::vector<v1::Change> changes = FirstChanges(oversight_, 2);
  ASSERT_THAT(changes, SizeIs(2));
  const v1::Change& shared =
      changes[0].complaint() == with.complaint().name() ? changes[0] : changes[1];
  const v1::Change& private_ =
      changes[0].complaint() == with.complaint().name() ? changes[1] : changes[0];
  ASSERT_TRUE(shared.has_complainant());
  EXPECT_EQ(shared.complainant().nik(), consenting.complaint().complainant().nik());
  EXPECT_FALSE(shared.reply_address().empty());
  // The identity matches the commitment in the log.
  Identity identity{shared.complainant().full_name(), shared.complainant().nik(),
                    shared.complainant().phone(), shared.complainant().email(),
                    shared.complainant().address()};
  EXPECT_EQ(IdentityCommitment(shared.identity_salt(), identity),
            shared.details().identity_commitment());
  EXPECT_FALSE(private_.has_complainant());
  EXPECT_TRUE(private_.identity_salt().empty());
  EXPECT_TRUE(private_.reply_address().empty());
  // Delivering it was an identity read by Kompolnas, and is itself logged.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events WHERE type = 'IDENTITY_READ'"), 1);
  // Reading the feed again discloses nothing new and records nothing; the
  // first delivery to another OVERSIGHT principal is recorded again.
  AwaitAllNumbered();
  const std::vector<v1::Change> again = AllChanges(oversight_);
  ASSERT_THAT(again, SizeIs(3));
  EXPECT_EQ(again[2].event().type(), "IDENTITY_READ");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events WHERE type = 'IDENTITY_READ'"), 1);
  const std::string second_reader = NewToken("second-oversight", Role::kOversight, "");
  ASSERT_THAT(FirstChanges(second_reader, 3), SizeIs(3));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events WHERE type = 'IDENTITY_READ'"), 2);

  // GetComplaint shows OVERSIGHT the identity with consent only.
  v1::GetComplaintResponse full;
  ASSERT_TRUE(Get(with.complaint().name(), v1::COMPLAINT_VIEW_FULL, oversight_, &full).ok());
  EXPECT_EQ(full.complaint().complainant().nik(), consenting.complaint().complainant().nik());
  ASSERT_TRUE(Get(without.complaint().name(), v1::COMPLAINT_VIEW_FULL, oversight_, &full).ok());
  EXPECT_FALSE(full.complaint().has_complainant());

  // Tracking shows the consent and where the registration is in the log.
  absl::SleepFor(absl::Seconds(2.1));  // past the tracking cache's entry of the submission
  v1::TrackComplaintResponse tracked;
  ASSERT_TRUE(Track(with.reference_number(), with.tracking_code(), &tracked).ok());
  EXPECT_TRUE(tracked.complaint().share_identity_with_kompolnas());
  EXPECT_GT(tracked.complaint().receipt_revision(), 0);
  EXPECT_EQ(tracked.complaint().receipt_leaf_hash(), shared.leaf_hash());
}

// --- Several servers on one database ----------------------------------------------

TEST_F(IntegrationServiceTest, AnotherServerTakesOverTheSequencer) {
  std::unique_ptr<OtherServer> other = StartOtherServer(Options());
  ASSERT_NE(other, nullptr);
  NewComplaintWithSteps(1);
  AwaitAllNumbered();
  // Exactly one of the two numbers events.
  EXPECT_NE(change_log().sequencing(), other->change_log->sequencing());
  // The sequencer's process dies; the other takes over and numbers what comes.
  const bool main_was_sequencing = change_log().sequencing();
  if (main_was_sequencing) {
    RestartServer();  // a new process: the lock passes on
    integration_ = v1::IntegrationService::NewStub(channel());
  } else {
    other.reset();
  }
  NewComplaintWithSteps(2);
  const int64_t events = AwaitAllNumbered();
  EXPECT_EQ(events, 2 + 3);
  const std::vector<v1::Change> changes = AllChanges(oversight_);
  ASSERT_THAT(changes, SizeIs(events));
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].revision(), static_cast<int64_t>(i + 1));
  }
}

}  // namespace
}  // namespace dumas
