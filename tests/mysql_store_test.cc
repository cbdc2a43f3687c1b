// Integration tests of MySqlStore, the migrator and the connection pool
// against a real MariaDB (tests/test_database.h): run them through tools/test.
#include "storage/mysql_store.h"

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "domain/reference_number.h"
#include "storage/migrator.h"
#include "tests/test_database.h"

namespace dumas {
namespace {

using ::dumas::testing::TestDatabase;
using ::dumas::testing::TestKeyFile;
using ::dumas::testing::TestStore;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

// Personal data of the sample complaint: distinctive, to search for in rows.
constexpr char kFullName[] = "Siti Aminah Lamarauna";
constexpr char kNik[] = "7271014501900003";
constexpr char kPhone[] = "+6281234567891";
constexpr char kEmail[] = "siti.aminah@example.co.id";
constexpr char kAddress[] = "Jl. Cut Meutia No. 17, Kelurahan Kamonji, Palu Barat";
constexpr char kReplyAddress[] = "balasan.siti@example.co.id";

std::string NextReference() { return ReferenceNumber::Generate(); }

class MySqlStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestStore> t = TestStore::Create();
    ASSERT_TRUE(t.ok()) << t.status();
    db_ = std::move(t->database);
    keys_ = std::move(t->key_file);
    store_ = std::move(t->store);
    absl::StatusOr<Keyring> keyring = keys_->Load();
    ASSERT_TRUE(keyring.ok()) << keyring.status();
    active_key_id_ = keyring->active_key_id();
    absl::StatusOr<std::string> token =
        store_->CreatePrincipal("gateway-web", Role::kGateway, "",
                                ChannelSet{Channel::kWeb, Channel::kEmail, Channel::kWhatsapp});
    ASSERT_TRUE(token.ok()) << token.status();
    absl::StatusOr<Principal> principal = store_->Authenticate(*token);
    ASSERT_TRUE(principal.ok()) << principal.status();
    gateway_ = *principal;
  }

  void TearDown() override {
    store_.reset();
    db_.reset();
  }

  // The complaint as a reader who may see everything reads it, with or
  // without the identity.
  absl::StatusOr<Complaint> Read(std::string_view reference, bool with_identity) {
    return store_->Get(reference, gateway_, with_identity,
                       [](const Complaint&) { return ReadAccess::kWithIdentity; });
  }

  NewComplaint Sample(std::string request_id = "") const {
    NewComplaint c;
    c.draft.description =
        "Petugas meminta uang Rp 500.000 untuk mempercepat pengurusan SKCK di loket.";
    c.draft.incident_time = absl::FromCivil(absl::CivilSecond(2026, 1, 12, 9, 30, 15),
                                            absl::UTCTimeZone()) +
                            absl::Microseconds(123456);
    c.draft.incident_location = "Loket SKCK, Mapolres Palu";
    c.draft.category_id = "korupsi";
    c.draft.channel = Channel::kEmail;
    c.draft.reply_address = kReplyAddress;
    c.draft.subject.unit_id = "sat-intelkam";
    c.draft.subject.officer_name = "Brigadir B";
    c.draft.subject.officer_description = "berkacamata, bertugas pagi";
    c.draft.identity = Identity{kFullName, kNik, kPhone, kEmail, kAddress};
    c.draft.confidential = true;
    c.tracking_code = TrackingCode::Generate();
    c.sp3d_due_date = absl::CivilDay(2026, 2, 10);
    c.submitted_by = gateway_.id;
    c.request_id = std::move(request_id);
    c.request_fingerprint = "fingerprint-1";
    return c;
  }

  int64_t Count(std::string_view table) {
    absl::StatusOr<int64_t> n =
        db_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM ", absl::string_view(table.data(), table.size())));
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestKeyFile> keys_;
  std::unique_ptr<MySqlStore> store_;
  std::string active_key_id_;
  Principal gateway_;
};

TEST_F(MySqlStoreTest, SubmitGetTrackRoundTrip) {
  const NewComplaint in = Sample("3f1c8a52-6f0e-4d7b-9a43-0c6c2d1e7b10");
  absl::StatusOr<SubmittedComplaint> out = store_->Submit(in, NextReference);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->replayed);
  EXPECT_EQ(out->tracking_code, in.tracking_code);
  const Complaint& c = out->complaint;
  EXPECT_GT(c.id, 0);
  EXPECT_TRUE(ReferenceNumber::Canonicalize(c.reference_number).has_value());
  EXPECT_EQ(c.state, ComplaintState::kReceived);
  EXPECT_EQ(c.version, 1);
  EXPECT_FALSE(c.identity.has_value());

  // Get without identity reads back exactly what Submit returned.
  absl::StatusOr<Complaint> got = Read(c.reference_number, false);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->id, c.id);
  EXPECT_EQ(got->reference_number, c.reference_number);
  EXPECT_EQ(got->state, ComplaintState::kReceived);
  EXPECT_EQ(got->description, in.draft.description);
  EXPECT_EQ(got->incident_time, in.draft.incident_time);
  EXPECT_EQ(got->incident_location, in.draft.incident_location);
  EXPECT_EQ(got->category_id, "korupsi");
  EXPECT_EQ(got->channel, Channel::kEmail);
  // Personal data: the reply address comes only with the identity.
  EXPECT_EQ(got->reply_address, "");
  EXPECT_EQ(got->subject.unit_id, "sat-intelkam");
  EXPECT_EQ(got->subject.officer_name, "Brigadir B");
  EXPECT_EQ(got->subject.officer_description, "berkacamata, bertugas pagi");
  EXPECT_TRUE(got->confidential);
  EXPECT_EQ(got->create_time, c.create_time);
  EXPECT_EQ(got->update_time, c.update_time);
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->sp3d_due_date, absl::CivilDay(2026, 2, 10));
  EXPECT_FALSE(got->identity.has_value());
  EXPECT_EQ(Count("complaint_events"), 1);

  // With identity: decrypted, and the read itself is recorded.
  absl::StatusOr<Complaint> with_identity = Read(c.reference_number, true);
  ASSERT_TRUE(with_identity.ok()) << with_identity.status();
  ASSERT_TRUE(with_identity->identity.has_value());
  EXPECT_EQ(with_identity->identity->full_name, kFullName);
  EXPECT_EQ(with_identity->identity->nik, kNik);
  EXPECT_EQ(with_identity->identity->phone, kPhone);
  EXPECT_EQ(with_identity->identity->email, kEmail);
  EXPECT_EQ(with_identity->identity->address, kAddress);
  EXPECT_EQ(with_identity->reply_address, kReplyAddress);
  absl::StatusOr<std::vector<std::vector<std::string>>> events = db_->Query(
      "SELECT type, COALESCE(actor_principal_id, ''), public, COALESCE(to_state, '')"
      " FROM complaint_events ORDER BY id");
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(*events, ElementsAre(ElementsAre("RECEIVED", absl::StrCat(gateway_.id), "1", "1"),
                                   ElementsAre("IDENTITY_READ", absl::StrCat(gateway_.id), "0", "")));
  // Nothing else changed.
  absl::StatusOr<int64_t> version = db_->QueryInt("SELECT version FROM complaints");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);

  // Track: the complainant's view only.
  absl::StatusOr<TrackedComplaint> tracked =
      store_->Track(c.reference_number, out->tracking_code);
  ASSERT_TRUE(tracked.ok()) << tracked.status();
  EXPECT_EQ(tracked->reference_number, c.reference_number);
  EXPECT_EQ(tracked->state, ComplaintState::kReceived);
  EXPECT_EQ(tracked->category_id, "korupsi");
  EXPECT_EQ(tracked->create_time, c.create_time);
  EXPECT_EQ(tracked->sp3d_due_date, absl::CivilDay(2026, 2, 10));
  EXPECT_FALSE(tracked->sp3d_sent);
  EXPECT_FALSE(tracked->answer.has_value());
  ASSERT_THAT(tracked->timeline, SizeIs(1));  // IDENTITY_READ is internal
  EXPECT_EQ(tracked->timeline[0].state, ComplaintState::kReceived);
  EXPECT_EQ(tracked->timeline[0].message, "Pengaduan diterima dan diregistrasi.");
  EXPECT_EQ(tracked->timeline[0].time, c.create_time);
}

TEST_F(MySqlStoreTest, StoredRowsHoldNoPersonalDataInPlaintext) {
  NewComplaint in = Sample("req-plaintext");
  absl::StatusOr<SubmittedComplaint> out = store_->Submit(in, NextReference);
  ASSERT_TRUE(out.ok()) << out.status();

  absl::StatusOr<std::vector<std::vector<std::string>>> rows =
      db_->Query("SELECT * FROM complaints");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(1));
  absl::StatusOr<std::vector<std::vector<std::string>>> keys =
      db_->Query("SELECT * FROM idempotency_keys");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_THAT(*keys, SizeIs(1));
  const std::string all =
      absl::StrCat(absl::StrJoin(rows->front(), "|"), "|", absl::StrJoin(keys->front(), "|"));
  for (const std::string& secret :
       {std::string(kFullName), std::string("Aminah"), std::string(kNik), std::string("72710145"),
        std::string(kPhone), std::string("81234567891"), std::string(kEmail),
        std::string("siti.aminah"), std::string(kAddress), std::string("Cut Meutia"),
        std::string(kReplyAddress), out->tracking_code}) {
    EXPECT_THAT(all, Not(HasSubstr(secret))) << "plaintext found: " << secret;
    // Nor in hex, in case a column were stored hex-encoded.
    EXPECT_THAT(absl::BytesToHexString(all), Not(HasSubstr(absl::BytesToHexString(secret))));
  }
  // The identity columns are ciphertexts of the right size under the active key.
  absl::StatusOr<std::vector<std::vector<std::string>>> columns = db_->Query(
      "SELECT LENGTH(full_name_ct), LENGTH(nik_ct), LENGTH(phone_ct), LENGTH(email_ct),"
      " LENGTH(address_ct), LENGTH(reply_address_ct), key_id, LENGTH(nik_blind_index),"
      " LENGTH(tracking_hash) FROM complaints");
  ASSERT_TRUE(columns.ok()) << columns.status();
  const size_t overhead = Keyring::kCiphertextOverhead;
  EXPECT_THAT(columns->front(),
              ElementsAre(absl::StrCat(sizeof kFullName - 1 + overhead),
                          absl::StrCat(sizeof kNik - 1 + overhead),
                          absl::StrCat(sizeof kPhone - 1 + overhead),
                          absl::StrCat(sizeof kEmail - 1 + overhead),
                          absl::StrCat(sizeof kAddress - 1 + overhead),
                          absl::StrCat(sizeof kReplyAddress - 1 + overhead), active_key_id_, "32",
                          "32"));
}

TEST_F(MySqlStoreTest, EqualNiksShareTheBlindIndex) {
  NewComplaint first = Sample();
  NewComplaint second = Sample();
  NewComplaint other = Sample();
  other.draft.identity.nik = "7271014501900004";
  for (const NewComplaint* c : {&first, &second, &other}) {
    ASSERT_TRUE(store_->Submit(*c, NextReference).ok());
  }
  absl::StatusOr<int64_t> distinct =
      db_->QueryInt("SELECT COUNT(DISTINCT nik_blind_index) FROM complaints");
  ASSERT_TRUE(distinct.ok());
  EXPECT_EQ(*distinct, 2);
}

TEST_F(MySqlStoreTest, SameRequestIdReplaysTheFirstAnswer) {
  const NewComplaint first = Sample("7d9f7c1e-1111-4a2b-8c3d-000000000001");
  absl::StatusOr<SubmittedComplaint> a = store_->Submit(first, NextReference);
  ASSERT_TRUE(a.ok()) << a.status();
  NewComplaint retry = Sample("7d9f7c1e-1111-4a2b-8c3d-000000000001");  // a new tracking code
  absl::StatusOr<SubmittedComplaint> b = store_->Submit(retry, NextReference);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(b->replayed);
  EXPECT_EQ(b->complaint.id, a->complaint.id);
  EXPECT_EQ(b->complaint.reference_number, a->complaint.reference_number);
  EXPECT_EQ(b->tracking_code, a->tracking_code);
  EXPECT_EQ(b->complaint.create_time, a->complaint.create_time);
  EXPECT_EQ(b->complaint.reply_address, kReplyAddress);
  EXPECT_EQ(Count("complaints"), 1);
  EXPECT_EQ(Count("complaint_events"), 1);
  EXPECT_EQ(Count("idempotency_keys"), 1);
  // The replayed code tracks.
  EXPECT_TRUE(store_->Track(b->complaint.reference_number, b->tracking_code).ok());
}

TEST_F(MySqlStoreTest, SameRequestIdWithAnotherBodyIsAlreadyExists) {
  ASSERT_TRUE(store_->Submit(Sample("req-1"), NextReference).ok());
  NewComplaint different = Sample("req-1");
  different.request_fingerprint = "fingerprint-2";
  absl::StatusOr<SubmittedComplaint> out = store_->Submit(different, NextReference);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Count("complaints"), 1);
  EXPECT_EQ(Count("complaint_events"), 1);
}

TEST_F(MySqlStoreTest, RequestIdsAreScopedToThePrincipal) {
  absl::StatusOr<std::string> token = store_->CreatePrincipal("intake-spkt", Role::kIntake, "spkt");
  ASSERT_TRUE(token.ok());
  absl::StatusOr<Principal> intake = store_->Authenticate(*token);
  ASSERT_TRUE(intake.ok());
  NewComplaint mine = Sample("shared-id");
  NewComplaint theirs = Sample("shared-id");
  theirs.submitted_by = intake->id;
  theirs.request_fingerprint = "fingerprint-other";
  ASSERT_TRUE(store_->Submit(mine, NextReference).ok());
  absl::StatusOr<SubmittedComplaint> out = store_->Submit(theirs, NextReference);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->replayed);
  EXPECT_EQ(Count("complaints"), 2);
}

TEST_F(MySqlStoreTest, ExpiredIdempotencyRecordMakesANewCall) {
  absl::StatusOr<SubmittedComplaint> a = store_->Submit(Sample("req-old"), NextReference);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(db_->Execute("UPDATE idempotency_keys SET expires_at = '2020-01-01 00:00:00'").ok());
  NewComplaint again = Sample("req-old");
  again.request_fingerprint = "a different body is fine once expired";
  absl::StatusOr<SubmittedComplaint> b = store_->Submit(again, NextReference);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->replayed);
  EXPECT_NE(b->complaint.reference_number, a->complaint.reference_number);
  EXPECT_EQ(Count("complaints"), 2);
  EXPECT_EQ(Count("idempotency_keys"), 1);

  ASSERT_TRUE(db_->Execute("UPDATE idempotency_keys SET expires_at = '2020-01-01 00:00:00'").ok());
  absl::StatusOr<int64_t> purged = store_->PurgeExpiredIdempotencyKeys(absl::Now(), 100);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(Count("idempotency_keys"), 0);
}

TEST_F(MySqlStoreTest, ConcurrentRetriesOfOneRequestStoreOneComplaint) {
  constexpr int kCallers = 16;
  std::vector<std::string> references(kCallers);
  std::vector<std::string> codes(kCallers);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<SubmittedComplaint> out = store_->Submit(Sample("same-request"), NextReference);
      if (!out.ok()) {
        ++failures;
        return;
      }
      references[i] = out->complaint.reference_number;
      codes[i] = out->tracking_code;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(std::set<std::string>(references.begin(), references.end()).size(), 1u);
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 1u);
  EXPECT_EQ(Count("complaints"), 1);
}

TEST_F(MySqlStoreTest, WrongCodeAndUnknownReferenceAreTheSameNotFound) {
  absl::StatusOr<SubmittedComplaint> out = store_->Submit(Sample(), NextReference);
  ASSERT_TRUE(out.ok());
  absl::StatusOr<TrackedComplaint> wrong_code =
      store_->Track(out->complaint.reference_number, TrackingCode::Generate());
  std::string unknown = ReferenceNumber::Generate();
  while (unknown == out->complaint.reference_number) unknown = ReferenceNumber::Generate();
  absl::StatusOr<TrackedComplaint> unknown_reference = store_->Track(unknown, out->tracking_code);
  absl::StatusOr<TrackedComplaint> malformed = store_->Track("not a reference", out->tracking_code);
  EXPECT_EQ(wrong_code.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(wrong_code.status(), unknown_reference.status());
  EXPECT_EQ(wrong_code.status(), malformed.status());
  // The code of one complaint does not open another.
  absl::StatusOr<SubmittedComplaint> second = store_->Submit(Sample(), NextReference);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(store_->Track(second->complaint.reference_number, out->tracking_code).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Read(unknown, false).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MySqlStoreTest, SixtyFourConcurrentSubmitsAreAllStored) {
  constexpr int kCallers = 64;
  std::vector<std::string> references(kCallers);
  std::vector<absl::Status> statuses(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<SubmittedComplaint> out =
          store_->Submit(Sample(absl::StrCat("concurrent-", i)), NextReference);
      statuses[i] = out.status();
      if (out.ok()) references[i] = out->complaint.reference_number;
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& status : statuses) EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(std::set<std::string>(references.begin(), references.end()).size(),
            static_cast<size_t>(kCallers));
  EXPECT_EQ(Count("complaints"), kCallers);
  EXPECT_EQ(Count("complaint_events"), kCallers);
  EXPECT_EQ(Count("idempotency_keys"), kCallers);
  EXPECT_LE(store_->pool().open_connections(), db_->options().pool_size);
}

TEST_F(MySqlStoreTest, ReferenceCollisionDrawsAgain) {
  absl::StatusOr<SubmittedComplaint> first = store_->Submit(Sample(), NextReference);
  ASSERT_TRUE(first.ok());
  int draws = 0;
  const std::string taken = first->complaint.reference_number;
  absl::StatusOr<SubmittedComplaint> second = store_->Submit(Sample(), [&] {
    return ++draws <= 2 ? taken : ReferenceNumber::Generate();
  });
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(draws, 3);
  EXPECT_NE(second->complaint.reference_number, taken);
  // Encrypted under the reference finally used: the identity decrypts.
  absl::StatusOr<Complaint> got = Read(second->complaint.reference_number, true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->identity->nik, kNik);
  EXPECT_TRUE(store_->Track(second->complaint.reference_number, second->tracking_code).ok());
}

TEST_F(MySqlStoreTest, UnknownReferenceDataIsInvalidArgument) {
  NewComplaint bad_category = Sample();
  bad_category.draft.category_id = "no-such-category";
  absl::StatusOr<SubmittedComplaint> a = store_->Submit(bad_category, NextReference);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("category_id"));
  NewComplaint bad_unit = Sample("req-unit");
  bad_unit.draft.subject.unit_id = "no-such-unit";
  absl::StatusOr<SubmittedComplaint> b = store_->Submit(bad_unit, NextReference);
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("unit_id"));
  NewComplaint too_long = Sample();
  too_long.draft.incident_location = std::string(501, 'x');
  EXPECT_EQ(store_->Submit(too_long, NextReference).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("complaints"), 0);
  EXPECT_EQ(Count("idempotency_keys"), 0);
}

TEST_F(MySqlStoreTest, CiphertextMovedToAnotherRowDoesNotDecrypt) {
  absl::StatusOr<SubmittedComplaint> a = store_->Submit(Sample(), NextReference);
  NewComplaint other = Sample();
  other.draft.identity.nik = "7271014501900004";
  absl::StatusOr<SubmittedComplaint> b = store_->Submit(other, NextReference);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(db_->Execute(absl::StrCat("UPDATE complaints SET nik_ct = (SELECT nik_ct FROM"
                                        " (SELECT nik_ct FROM complaints WHERE id = ",
                                        a->complaint.id, ") AS source) WHERE id = ",
                                        b->complaint.id))
                  .ok());
  EXPECT_EQ(Read(b->complaint.reference_number, true).status().code(),
            absl::StatusCode::kDataLoss);
  // Without identity the row still reads; the failed read recorded nothing.
  EXPECT_TRUE(Read(b->complaint.reference_number, false).ok());
  absl::StatusOr<int64_t> reads =
      db_->QueryInt("SELECT COUNT(*) FROM complaint_events WHERE type = 'IDENTITY_READ'");
  ASSERT_TRUE(reads.ok());
  EXPECT_EQ(*reads, 0);
}

TEST_F(MySqlStoreTest, TrackShowsPublicEventsInOrderAndTheAnswer) {
  absl::StatusOr<SubmittedComplaint> out = store_->Submit(Sample(), NextReference);
  ASSERT_TRUE(out.ok());
  const int64_t id = out->complaint.id;
  // Later steps, as the case-handling code will write them.
  ASSERT_TRUE(db_->Execute(absl::StrCat(
                  "INSERT INTO complaint_events (complaint_id, event_time, type, from_state,"
                  " to_state, public, public_message, internal_note) VALUES (",
                  id, ", '2026-01-13 08:00:00', 'STATE_CHANGED', 1, 2, TRUE, 'Diverifikasi.', "
                  "'catatan internal'), (",
                  id, ", '2026-01-13 09:00:00', 'NOTE', NULL, NULL, FALSE, '', 'rahasia'), (",
                  id, ", '2026-01-14 08:00:00', 'SP3D_SENT', NULL, NULL, TRUE, 'SP3D dikirim.', "
                  "NULL), (",
                  id, ", '2026-01-20 08:00:00', 'STATE_CHANGED', 7, 8, TRUE, 'Jawaban resmi.', "
                  "NULL)"))
                  .ok());
  ASSERT_TRUE(db_->Execute(absl::StrCat("UPDATE complaints SET state = 8,"
                                        " answer_time = '2026-01-20 08:00:00',"
                                        " answer_text = 'Jawaban resmi.' WHERE id = ", id))
                  .ok());
  absl::StatusOr<TrackedComplaint> tracked =
      store_->Track(out->complaint.reference_number, out->tracking_code);
  ASSERT_TRUE(tracked.ok()) << tracked.status();
  ASSERT_THAT(tracked->timeline, SizeIs(4));
  EXPECT_EQ(tracked->timeline[1].message, "Diverifikasi.");
  EXPECT_EQ(tracked->timeline[1].state, ComplaintState::kVerified);
  EXPECT_EQ(tracked->timeline[2].message, "SP3D dikirim.");
  EXPECT_EQ(tracked->timeline[2].state, ComplaintState::kVerified);  // no state change
  EXPECT_EQ(tracked->timeline[3].state, ComplaintState::kAnswered);
  ASSERT_TRUE(tracked->answer.has_value());
  EXPECT_EQ(tracked->answer->text, "Jawaban resmi.");
  EXPECT_EQ(tracked->answer->time,
            absl::FromCivil(absl::CivilSecond(2026, 1, 20, 8, 0, 0), absl::UTCTimeZone()));
  for (const PublicEvent& event : tracked->timeline) {
    EXPECT_THAT(event.message, Not(HasSubstr("rahasia")));
    EXPECT_THAT(event.message, Not(HasSubstr("catatan")));
  }
}

TEST_F(MySqlStoreTest, KilledConnectionsAreRedialled) {
  // Open several pooled connections, of both kinds.
  ASSERT_TRUE(store_->Submit(Sample(), NextReference).ok());
  ASSERT_TRUE(store_->Ping().ok());
  absl::StatusOr<std::vector<std::vector<std::string>>> ids = db_->Query(absl::StrCat(
      "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '", db_->options().database,
      "' AND ID <> CONNECTION_ID()"));
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_FALSE(ids->empty());
  for (const std::vector<std::string>& row : *ids) {
    ASSERT_TRUE(db_->Execute(absl::StrCat("KILL CONNECTION ", row[0])).ok());
  }
  // The next calls find their connections dead, re-dial, and succeed.
  absl::StatusOr<SubmittedComplaint> out = store_->Submit(Sample(), NextReference);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(store_->Track(out->complaint.reference_number, out->tracking_code).ok());
  EXPECT_TRUE(store_->ListCategories("", 10).ok());
  EXPECT_TRUE(store_->Ping().ok());
  EXPECT_EQ(Count("complaints"), 2);
}

TEST_F(MySqlStoreTest, AuthenticateCreatedUnknownAndRevokedTokens) {
  absl::StatusOr<std::string> token = store_->CreatePrincipal("unit-lantas", Role::kUnit, "sat-lantas");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->size(), 43u);
  EXPECT_EQ(token->find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  absl::StatusOr<Principal> principal = store_->Authenticate(*token);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->name, "unit-lantas");
  EXPECT_EQ(principal->role, Role::kUnit);
  EXPECT_EQ(principal->unit_id, "sat-lantas");
  // Stored only as a digest.
  absl::StatusOr<int64_t> plain = db_->QueryInt(absl::StrCat(
      "SELECT COUNT(*) FROM principals WHERE token_sha256 = '", *token, "' OR name = '", *token, "'"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, 0);

  EXPECT_EQ(store_->Authenticate("not-a-token").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Authenticate("").status().code(), absl::StatusCode::kNotFound);
  std::string altered = *token;
  altered[0] = altered[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(store_->Authenticate(altered).status().code(), absl::StatusCode::kNotFound);

  EXPECT_EQ(store_->CreatePrincipal("unit-lantas", Role::kUnit, "sat-lantas").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreatePrincipal("x", Role::kUnit, "no-such-unit").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreatePrincipal("y", Role::kUnit, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreatePrincipal("z", Role::kUnspecified, "").status().code(),
            absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(store_->RevokePrincipal("unit-lantas").ok());
  EXPECT_EQ(store_->Authenticate(*token).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokePrincipal("unit-lantas").code(), absl::StatusCode::kNotFound);
  // The name is free again; the new token works, the old one still not.
  absl::StatusOr<std::string> replacement =
      store_->CreatePrincipal("unit-lantas", Role::kUnit, "sat-lantas");
  ASSERT_TRUE(replacement.ok()) << replacement.status();
  EXPECT_TRUE(store_->Authenticate(*replacement).ok());
  EXPECT_EQ(store_->Authenticate(*token).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MySqlStoreTest, ReferenceDataIsSeeded) {
  absl::StatusOr<std::vector<Category>> categories = store_->ListCategories("", 100);
  ASSERT_TRUE(categories.ok()) << categories.status();
  std::vector<std::string> ids;
  for (const Category& c : *categories) ids.push_back(c.id);
  EXPECT_THAT(ids, ElementsAre("diskriminasi", "kekeliruan-diskresi", "korupsi",
                               "pelanggaran-ham", "pelayanan-buruk", "penyalahgunaan-wewenang"));
  EXPECT_EQ(categories->at(4).indonesian_name, "Pelayanan buruk");
  EXPECT_EQ(categories->at(4).english_name, "Poor service");
  // Paging.
  absl::StatusOr<std::vector<Category>> page = store_->ListCategories("korupsi", 2);
  ASSERT_TRUE(page.ok());
  ASSERT_THAT(*page, SizeIs(2));
  EXPECT_EQ(page->at(0).id, "pelanggaran-ham");
  EXPECT_EQ(store_->ListCategories("", 0).status().code(), absl::StatusCode::kInvalidArgument);

  absl::StatusOr<std::vector<Unit>> units = store_->ListUnits("", 1000);
  ASSERT_TRUE(units.ok()) << units.status();
  std::set<std::string> unit_ids;
  for (const Unit& u : *units) unit_ids.insert(u.id);
  for (const char* id : {"spkt", "propam", "siwas", "sat-reskrim", "sat-lantas", "sat-intelkam",
                         "sat-narkoba", "bag-ops", "polsek-palu-barat", "polsek-mantikulore"}) {
    EXPECT_TRUE(unit_ids.contains(id)) << id;
  }

  absl::StatusOr<std::vector<absl::CivilDay>> holidays = store_->ListHolidays();
  ASSERT_TRUE(holidays.ok()) << holidays.status();
  EXPECT_TRUE(std::is_sorted(holidays->begin(), holidays->end()));
  EXPECT_THAT(*holidays, ::testing::Contains(absl::CivilDay(2026, 8, 17)));
  EXPECT_THAT(*holidays, ::testing::Contains(absl::CivilDay(2026, 12, 25)));
  EXPECT_TRUE(store_->Ping().ok());
}

// --- Migrations ----------------------------------------------------------------

class MigratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestDatabase>> db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_F(MigratorTest, MigratingTwiceChangesNothing) {
  absl::StatusOr<int64_t> applied = db_->QueryInt("SELECT MAX(version) FROM schema_version");
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, LatestSchemaVersion());
  absl::StatusOr<std::vector<std::vector<std::string>>> before =
      db_->Query("SELECT version, name, HEX(checksum), applied_at FROM schema_version");
  ASSERT_TRUE(Migrate(db_->migration_options()).ok());
  ASSERT_TRUE(Migrate(db_->migration_options()).ok());
  absl::StatusOr<std::vector<std::vector<std::string>>> after =
      db_->Query("SELECT version, name, HEX(checksum), applied_at FROM schema_version");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(*before, *after);
  absl::StatusOr<int64_t> categories = db_->QueryInt("SELECT COUNT(*) FROM categories");
  ASSERT_TRUE(categories.ok());
  EXPECT_EQ(*categories, 6);
}

TEST_F(MigratorTest, ConcurrentMigrationsAreSerialised) {
  MySqlOptions options = db_->admin_options();  // a database of its own
  options.database = absl::StrCat(options.database, "_c");
  std::vector<absl::Status> statuses(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] { statuses[i] = Migrate(options); });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& status : statuses) EXPECT_TRUE(status.ok()) << status;
  absl::StatusOr<int64_t> applied = db_->QueryInt(
      absl::StrCat("SELECT MAX(version) FROM `", options.database, "`.schema_version"));
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, LatestSchemaVersion());
  ASSERT_TRUE(db_->Execute(absl::StrCat("DROP DATABASE `", options.database, "`")).ok());
}

TEST_F(MigratorTest, ChangedChecksumIsRefused) {
  ASSERT_TRUE(
      db_->Execute("UPDATE schema_version SET checksum = UNHEX(REPEAT('00', 32)) WHERE version = 1")
          .ok());
  absl::Status status = Migrate(db_->migration_options());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("0001_initial_schema"));
}

TEST_F(MigratorTest, NewerSchemaIsRefused) {
  ASSERT_TRUE(db_->Execute(absl::StrCat("INSERT INTO schema_version VALUES (",
                                        LatestSchemaVersion() + 1,
                                        ", 'future', UNHEX(REPEAT('00', 32)), NOW(6))"))
                  .ok());
  EXPECT_EQ(Migrate(db_->migration_options()).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(MigratorTest, MissingVersionIsRefused) {
  ASSERT_TRUE(db_->Execute("DELETE FROM schema_version WHERE version = 1").ok());
  EXPECT_EQ(Migrate(db_->migration_options()).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(MigratorTest, BadDatabaseNameIsInvalidArgument) {
  MySqlOptions options = db_->migration_options();
  options.database = "dumas`; DROP DATABASE mysql; --";
  EXPECT_EQ(Migrate(options).code(), absl::StatusCode::kInvalidArgument);
}

TEST(MySqlStoreOpenTest, UnreachableDatabaseIsUnavailableAndOpenIsLazy) {
  absl::StatusOr<MySqlOptions> server = testing::TestServerOptions();
  ASSERT_TRUE(server.ok()) << server.status();
  MySqlOptions options;
  options.socket = "/nonexistent/mysqld.sock";
  options.connect_timeout = absl::Seconds(1);
  EXPECT_EQ(Migrate(options).code(), absl::StatusCode::kUnavailable);
  absl::StatusOr<std::unique_ptr<TestKeyFile>> keys = TestKeyFile::Create();
  ASSERT_TRUE(keys.ok());
  absl::StatusOr<Keyring> keyring = (*keys)->Load();
  ASSERT_TRUE(keyring.ok());
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = MySqlStore::Open(options, *std::move(keyring));
  ASSERT_TRUE(store.ok()) << store.status();  // dials nothing
  EXPECT_EQ((*store)->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*store)->Track("AAAA-BBBB-CCCC", "X").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*store)->pool().open_connections(), 0);
}

}  // namespace
}  // namespace dumas
