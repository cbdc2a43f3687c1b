// Integration tests of MySqlStore's case handling (CaseStore), outbox
// (NotificationStore) and administration (AdminStore) against a real MariaDB
// (tests/test_database.h): run them through tools/test.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "domain/reference_number.h"
#include "domain/working_day_calendar.h"
#include "storage/embedded_migrations.h"
#include "storage/migrator.h"
#include "storage/mysql_store.h"
#include "tests/test_database.h"

namespace dumas {
namespace {

using ::dumas::testing::TestDatabase;
using ::dumas::testing::TestKeyFile;
using ::dumas::testing::TestStore;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kReplyAddress[] = "balasan.warga.palu@example.co.id";

std::string NextReference() { return ReferenceNumber::Generate(); }

std::string Str(absl::string_view s) { return std::string(s); }

// What a test's decide returns for a plain state change.
ComplaintUpdate Change(ComplaintState from, ComplaintState to, std::string type) {
  ComplaintUpdate u;
  u.state = to;
  u.event.type = std::move(type);
  if (from != to) {
    u.event.from_state = from;
    u.event.to_state = to;
  }
  return u;
}

class CaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestStore> t = TestStore::Create();
    ASSERT_TRUE(t.ok()) << t.status();
    db_ = std::move(t->database);
    keys_ = std::move(t->key_file);
    store_ = std::move(t->store);
    // A gateway of every channel.
    ChannelSet all;
    for (int c = 1; c <= kMaxChannel; ++c) all.insert(static_cast<Channel>(c));
    gateway_ = NewPrincipal("gateway", Role::kGateway, "", all);
    supervisor_ = NewPrincipal("supervisor", Role::kSupervisor, "");
  }

  void TearDown() override {
    store_.reset();
    db_.reset();
  }

  Principal NewPrincipal(const std::string& name, Role role, const std::string& unit,
                         ChannelSet channels = {}) {
    Principal p;
    p.name = name;
    p.role = role;
    p.unit_id = unit;
    p.channels = channels;
    absl::StatusOr<std::pair<Principal, std::string>> created =
        store_->CreatePrincipalWithToken(p);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->first : Principal{};
  }

  NewComplaint Sample(std::string request_id = "") const {
    NewComplaint c;
    c.draft.description = "Petugas meminta uang tambahan untuk pengurusan SIM di loket Satpas.";
    c.draft.incident_time =
        absl::FromCivil(absl::CivilSecond(2026, 1, 12, 9, 30, 0), absl::UTCTimeZone());
    c.draft.incident_location = "Satpas Polresta Palu";
    c.draft.category_id = "korupsi";
    c.draft.channel = Channel::kEmail;
    c.draft.reply_address = kReplyAddress;
    c.draft.subject.unit_id = "sat-lantas";
    c.draft.subject.officer_name = "Brigadir C";
    c.draft.identity = Identity{"Nur Aisyah Lamasitudju", "7271014501900007", "+6281234567001",
                                "nur.aisyah@example.co.id", "Jl. Kartini No. 3, Palu"};
    c.tracking_code = TrackingCode::Generate();
    c.sp3d_due_date = absl::CivilDay(2026, 2, 10);
    c.submitted_by = gateway_.id;
    c.request_id = std::move(request_id);
    c.request_fingerprint = "fingerprint";
    return c;
  }

  // A submitted complaint (with its receipt when `receipt`).
  SubmittedComplaint SubmitOne(bool receipt = false, Channel channel = Channel::kEmail) {
    NewComplaint c = Sample();
    c.draft.channel = channel;
    if (receipt) {
      c.receipt_text = [code = c.tracking_code](const std::string& reference) {
        return absl::StrCat("Pengaduan ", reference, " diterima. Kode pelacakan: ", code);
      };
    }
    absl::StatusOr<SubmittedComplaint> out = store_->Submit(c, NextReference);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.value_or(SubmittedComplaint{});
  }

  // A gateway of `channel` alone (created on first use).
  const Principal& GatewayOf(Channel channel) {
    auto it = channel_gateways_.find(channel);
    if (it == channel_gateways_.end()) {
      it = channel_gateways_
               .emplace(channel, NewPrincipal(absl::StrCat("gateway-", ChannelName(channel)),
                                              Role::kGateway, "", ChannelSet{channel}))
               .first;
    }
    return it->second;
  }

  // A change by `actor` with `request_id`, bound to `fingerprint`; every
  // complaint is visible.
  absl::StatusOr<Complaint> MutateAs(
      std::string_view reference, int64_t actor, const std::string& request_id,
      absl::FunctionRef<absl::StatusOr<ComplaintUpdate>(const Complaint&)> decide,
      const std::string& fingerprint = "the request") {
    ChangeRequest change;
    change.actor_principal_id = actor;
    change.request_id = request_id;
    change.fingerprint = request_id.empty() ? "" : fingerprint;
    return store_->Mutate(reference, change, [](const Complaint&) { return absl::OkStatus(); },
                          decide);
  }

  // The complaint without its identity, as the supervisor reads it.
  absl::StatusOr<Complaint> GetBasic(std::string_view reference) {
    return store_->Get(reference, supervisor_, /*want_identity=*/false,
                       [](const Complaint&) { return ReadAccess::kBasic; });
  }

  int64_t Count(std::string_view sql) {
    absl::StatusOr<int64_t> n = db_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  int64_t Version(int64_t id) {
    return Count(absl::StrCat("SELECT version FROM complaints WHERE id = ", id));
  }

  // Applies a plain state change as the supervisor.
  absl::StatusOr<Complaint> Move(const std::string& reference, ComplaintState to,
                                 std::function<void(const Complaint&, ComplaintUpdate&)> fill = {}) {
    return MutateAs(reference, supervisor_.id, "",
                          [&](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
                            ComplaintUpdate u = Change(current.state, to, "STATE_CHANGED");
                            if (fill) fill(current, u);
                            return u;
                          });
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestKeyFile> keys_;
  std::unique_ptr<MySqlStore> store_;
  Principal gateway_;
  Principal supervisor_;
  std::map<Channel, Principal> channel_gateways_;
};

// --- Mutate ------------------------------------------------------------------

TEST_F(CaseStoreTest, MutateWritesRowEventAndNotificationsTogether) {
  const SubmittedComplaint s = SubmitOne();
  const std::string& ref = s.complaint.reference_number;
  const absl::Time sp3d = absl::FromCivil(absl::CivilSecond(2026, 2, 2, 3, 4, 5), absl::UTCTimeZone()) +
                          absl::Nanoseconds(1234567);  // below microseconds: truncated
  int calls = 0;
  absl::StatusOr<Complaint> out = MutateAs(
      ref, supervisor_.id, "5c1d1d8e-0000-4000-8000-000000000001",
      [&](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
        ++calls;
        EXPECT_EQ(current.reference_number, ref);
        EXPECT_EQ(current.state, ComplaintState::kReceived);
        EXPECT_EQ(current.version, 1);
        EXPECT_EQ(current.reply_address, "");  // personal data, not needed
        EXPECT_FALSE(current.identity.has_value());
        ComplaintUpdate u = Change(current.state, ComplaintState::kAssigned, "ASSIGNED");
        u.handling_unit_id = "propam";
        u.sp3d_time = sp3d;
        u.result_due_date = absl::CivilDay(2026, 3, 31);
        u.event.is_public = true;
        u.event.public_message = "Pengaduan didisposisikan; SP3D dikirim.";
        u.event.internal_note = "handling unit: propam";
        u.notifications.push_back({NotificationKind::kSp3d, "SP3D untuk pengaduan Anda."});
        u.notifications.push_back({NotificationKind::kClarificationRequest, "Mohon klarifikasi."});
        return u;
      });
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out->state, ComplaintState::kAssigned);
  EXPECT_EQ(out->version, 2);
  EXPECT_EQ(out->handling_unit_id, "propam");
  EXPECT_EQ(out->sp3d_time, absl::FromUnixMicros(absl::ToUnixMicros(sp3d)));
  EXPECT_EQ(out->result_due_date, absl::CivilDay(2026, 3, 31));
  EXPECT_GT(out->update_time, s.complaint.update_time);
  EXPECT_EQ(out->create_time, s.complaint.create_time);
  EXPECT_EQ(out->reply_address, "");

  // What Get reads back is what Mutate returned.
  absl::StatusOr<Complaint> got = GetBasic(ref);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->state, out->state);
  EXPECT_EQ(got->version, out->version);
  EXPECT_EQ(got->handling_unit_id, out->handling_unit_id);
  EXPECT_EQ(got->sp3d_time, out->sp3d_time);
  EXPECT_EQ(got->result_due_date, out->result_due_date);
  EXPECT_EQ(got->update_time, out->update_time);
  EXPECT_FALSE(got->answer_time.has_value());

  absl::StatusOr<std::vector<std::vector<std::string>>> events = db_->Query(
      "SELECT type, actor_principal_id, from_state, to_state, public, public_message,"
      " internal_note, COALESCE(request_id, '-') FROM complaint_events ORDER BY id");
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_THAT(*events, SizeIs(2));
  EXPECT_THAT((*events)[1],
              ElementsAre("ASSIGNED", absl::StrCat(supervisor_.id), "1", "5", "1",
                          "Pengaduan didisposisikan; SP3D dikirim.", "handling unit: propam",
                          "-"));
  // The request_id is recorded with the change, bound to its fingerprint.
  absl::StatusOr<std::vector<std::vector<std::string>>> requests = db_->Query(
      "SELECT actor_key, request_id, complaint_id,"
      " event_id = (SELECT MAX(id) FROM complaint_events) FROM change_requests");
  ASSERT_TRUE(requests.ok()) << requests.status();
  EXPECT_THAT(*requests, ElementsAre(ElementsAre(absl::StrCat("p", supervisor_.id),
                                                 "5c1d1d8e-0000-4000-8000-000000000001",
                                                 absl::StrCat(s.complaint.id), "1")));
  absl::StatusOr<std::vector<std::vector<std::string>>> notes = db_->Query(
      "SELECT n.kind, n.channel, n.attempts, n.event_id = (SELECT MAX(id) FROM complaint_events)"
      " FROM notifications n ORDER BY n.id");
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_THAT(*notes, ElementsAre(ElementsAre("2", "3", "0", "1"), ElementsAre("3", "3", "0", "1")));
}

TEST_F(CaseStoreTest, FailedDecideOrFailedWriteLeavesNothing) {
  const SubmittedComplaint s = SubmitOne();
  const std::string& ref = s.complaint.reference_number;
  const int64_t events_before = Count("SELECT COUNT(*) FROM complaint_events");

  // The domain refuses.
  absl::StatusOr<Complaint> refused = MutateAs(
      ref, supervisor_.id, "", [](const Complaint&) -> absl::StatusOr<ComplaintUpdate> {
        return absl::FailedPreconditionError("cannot answer a complaint in state RECEIVED");
      });
  EXPECT_EQ(refused.status(),
            absl::FailedPreconditionError("cannot answer a complaint in state RECEIVED"));

  // The row is written, then the event fails (its actor is no principal): the
  // row's change is rolled back with it.
  absl::StatusOr<Complaint> failed = MutateAs(
      ref, /*actor_principal_id=*/987654321, "",
      [](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
        ComplaintUpdate u = Change(current.state, ComplaintState::kVerified, "VERIFIED");
        u.notifications.push_back({NotificationKind::kSp3d, "teks"});
        return u;
      });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);

  // An unknown handling unit.
  absl::StatusOr<Complaint> bad_unit =
      Move(ref, ComplaintState::kAssigned,
           [](const Complaint&, ComplaintUpdate& u) { u.handling_unit_id = "no-such-unit"; });
  EXPECT_EQ(bad_unit.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Str(bad_unit.status().message()), HasSubstr("handling_unit_id"));

  EXPECT_EQ(Version(s.complaint.id), 1);
  EXPECT_EQ(Count("SELECT state FROM complaints"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events"), events_before);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 0);
}

TEST_F(CaseStoreTest, StatusesOfDecidePassThroughUnchangedAndAreNotRetried) {
  const SubmittedComplaint s = SubmitOne();
  const absl::Status statuses[] = {
      absl::FailedPreconditionError("cannot verify a complaint in state ASSIGNED; verify is "
                                    "allowed from RECEIVED"),
      absl::AbortedError("the complaint has changed since it was read (stale etag)"),
      absl::PermissionDeniedError("role UNIT may not take this action on this complaint"),
      absl::NotFoundError("no such complaint"),
      absl::InvalidArgumentError("handling_unit must name an existing unit"),
  };
  for (const absl::Status& status : statuses) {
    int calls = 0;
    absl::StatusOr<Complaint> out = MutateAs(
        s.complaint.reference_number, supervisor_.id, "",
        [&](const Complaint&) -> absl::StatusOr<ComplaintUpdate> {
          ++calls;
          return status;
        });
    EXPECT_EQ(out.status(), status);
    EXPECT_EQ(calls, 1) << status;  // an ABORTED from decide is final, not a deadlock
  }
  EXPECT_EQ(Version(s.complaint.id), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events"), 1);
}

TEST_F(CaseStoreTest, UnknownReferenceIsNotFoundWithoutCallingDecide) {
  bool called = false;
  auto decide = [&](const Complaint&) -> absl::StatusOr<ComplaintUpdate> {
    called = true;
    return absl::InternalError("not reached");
  };
  EXPECT_EQ(MutateAs("AAAA-BBBB-CCCC", supervisor_.id, "", decide).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(MutateAs("not a reference", supervisor_.id, "", decide).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(called);
}

TEST_F(CaseStoreTest, RetryWithTheSameRequestIdWritesNothing) {
  const SubmittedComplaint a = SubmitOne();
  const SubmittedComplaint b = SubmitOne();
  const std::string request = "0b6f3a3c-7e8f-4b5a-9c1d-2e3f4a5b6c7d";
  auto verify = [](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
    if (current.state != ComplaintState::kReceived) {
      return absl::FailedPreconditionError("cannot verify");
    }
    ComplaintUpdate u = Change(current.state, ComplaintState::kVerified, "VERIFIED");
    u.notifications.push_back({NotificationKind::kSp3d, "teks"});
    return u;
  };
  absl::StatusOr<Complaint> first =
      MutateAs(a.complaint.reference_number, supervisor_.id, request, verify);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version, 2);

  int calls = 0;
  absl::StatusOr<Complaint> retry = MutateAs(
      a.complaint.reference_number, supervisor_.id, request,
      [&](const Complaint&) -> absl::StatusOr<ComplaintUpdate> {
        ++calls;
        return absl::InternalError("decide must not be called on a retry");
      });
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(retry->version, 2);
  EXPECT_EQ(retry->state, ComplaintState::kVerified);
  EXPECT_EQ(retry->update_time, first->update_time);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events"), 3);  // 2 RECEIVED + 1 VERIFIED
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 1);

  // The same request_id of another actor is another change.
  const Principal other = NewPrincipal("intake", Role::kIntake, "spkt");
  absl::StatusOr<Complaint> by_other = MutateAs(
      a.complaint.reference_number, other.id, request,
      [](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
        return Change(current.state, current.state, "NOTE");
      });
  ASSERT_TRUE(by_other.ok()) << by_other.status();
  EXPECT_EQ(by_other->version, 3);
  // The same actor's request_id is bound to what it asked: on another
  // complaint, or with other content, it is refused and writes nothing.
  EXPECT_EQ(MutateAs(b.complaint.reference_number, supervisor_.id, request, verify,
                     "the request, on another complaint")
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(MutateAs(a.complaint.reference_number, supervisor_.id, request, verify,
                     "another request")
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Version(b.complaint.id), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events"), 4);

  // A retry asks again whether the caller may see the complaint.
  ChangeRequest retry_request;
  retry_request.actor_principal_id = supervisor_.id;
  retry_request.request_id = request;
  retry_request.fingerprint = "the request";
  EXPECT_EQ(store_
                ->Mutate(a.complaint.reference_number, retry_request,
                         [](const Complaint&) { return absl::NotFoundError("not visible"); },
                         verify)
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  // Without a request_id every call is a change.
  auto note = [](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
    return Change(current.state, current.state, "NOTE");
  };
  ASSERT_TRUE(MutateAs(b.complaint.reference_number, supervisor_.id, "", note).ok());
  ASSERT_TRUE(MutateAs(b.complaint.reference_number, supervisor_.id, "", note).ok());
  EXPECT_EQ(Version(b.complaint.id), 3);
  // A request_id is a canonical UUID.
  EXPECT_EQ(MutateAs(b.complaint.reference_number, supervisor_.id, std::string(65, 'x'), note)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MutateAs(b.complaint.reference_number, supervisor_.id,
                     "0B6F3A3C-7E8F-4B5A-9C1D-2E3F4A5B6C7D", note)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CaseStoreTest, ConcurrentCallsWithOneRequestIdOnTwoComplaintsChangeOne) {
  const SubmittedComplaint a = SubmitOne();
  const SubmittedComplaint b = SubmitOne();
  const std::string request = "5d0c6b8e-3a1f-4c2d-8e9f-0a1b2c3d4e5f";
  auto note = [](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
    return Change(current.state, current.state, "NOTE");
  };
  constexpr int kCallers = 16;
  std::vector<absl::Status> statuses(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      const SubmittedComplaint& target = i % 2 == 0 ? a : b;
      statuses[i] = MutateAs(target.complaint.reference_number, supervisor_.id, request, note,
                             absl::StrCat("note on ", target.complaint.reference_number))
                        .status();
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0;
  for (const absl::Status& status : statuses) {
    if (status.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
    }
  }
  // One change, and its retries answered as such: the winner's eight calls.
  EXPECT_EQ(ok, kCallers / 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events WHERE type = 'NOTE'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_requests"), 1);
}

TEST_F(CaseStoreTest, FiftyConcurrentConflictingChangesHaveOneWinner) {
  const SubmittedComplaint s = SubmitOne();
  constexpr int kCallers = 50;
  std::vector<absl::Status> statuses(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] =
          MutateAs(s.complaint.reference_number, supervisor_.id, "",
                       [](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
                         // Every caller read version 1 (its etag).
                         if (current.version != 1) {
                           return absl::AbortedError("stale etag; read the complaint again");
                         }
                         ComplaintUpdate u =
                             Change(current.state, ComplaintState::kVerified, "VERIFIED");
                         u.notifications.push_back({NotificationKind::kSp3d, "teks"});
                         return u;
                       })
              .status();
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0;
  int aborted = 0;
  for (const absl::Status& status : statuses) {
    if (status.ok()) ++ok;
    if (status == absl::AbortedError("stale etag; read the complaint again")) ++aborted;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(aborted, kCallers - 1);
  EXPECT_EQ(Version(s.complaint.id), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events WHERE type = 'VERIFIED'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 1);
}

TEST_F(CaseStoreTest, ComplainantChangesHaveNoActor) {
  const SubmittedComplaint s = SubmitOne();
  absl::StatusOr<Complaint> out = MutateAs(
      s.complaint.reference_number, 0, "",
      [](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
        ComplaintUpdate u = Change(current.state, current.state, "RATED");
        u.satisfaction_rating = 4;
        u.event.internal_note = "rating: 4";
        return u;
      });
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->satisfaction_rating, 4);
  absl::StatusOr<std::vector<ComplaintEventRecord>> events =
      store_->ListEvents(s.complaint.reference_number, 0, 10);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_THAT(*events, SizeIs(2));
  EXPECT_EQ((*events)[1].actor_principal_id, 0);
  EXPECT_EQ((*events)[1].type, "RATED");
  EXPECT_FALSE((*events)[1].from_state.has_value());
  EXPECT_FALSE((*events)[1].to_state.has_value());
  EXPECT_EQ((*events)[1].internal_note, "rating: 4");
}

// --- Get and Track with the case-handling fields -----------------------------------

TEST_F(CaseStoreTest, GetAndTrackShowTheCaseHandlingFields) {
  const SubmittedComplaint s = SubmitOne();
  const std::string& ref = s.complaint.reference_number;
  const absl::Time sp3d = absl::FromCivil(absl::CivilSecond(2026, 2, 3, 1, 0, 0), absl::UTCTimeZone());
  const absl::Time answered = absl::FromCivil(absl::CivilSecond(2026, 3, 3, 2, 0, 0), absl::UTCTimeZone());
  absl::StatusOr<TrackedComplaint> tracked = store_->Track(ref, s.tracking_code);
  ASSERT_TRUE(tracked.ok()) << tracked.status();
  EXPECT_FALSE(tracked->sp3d_sent);
  EXPECT_FALSE(tracked->result_due_date.has_value());
  EXPECT_FALSE(tracked->answer.has_value());
  EXPECT_EQ(tracked->clarification_question, "");

  ASSERT_TRUE(Move(ref, ComplaintState::kVerified, [](const Complaint&, ComplaintUpdate& u) {
                u.clarification_pending = true;
                u.clarification_question = "Kapan tepatnya kejadian itu?";
                u.event.is_public = true;
                u.event.public_message = "Permintaan klarifikasi.";
              }).ok());
  tracked = store_->Track(ref, s.tracking_code);
  ASSERT_TRUE(tracked.ok()) << tracked.status();
  EXPECT_EQ(tracked->clarification_question, "Kapan tepatnya kejadian itu?");
  EXPECT_EQ(tracked->state, ComplaintState::kVerified);

  ASSERT_TRUE(Move(ref, ComplaintState::kAssigned, [&](const Complaint&, ComplaintUpdate& u) {
                u.clarification_pending = false;
                u.clarification_question = "";
                u.handling_unit_id = "siwas";
                u.sp3d_time = sp3d;
                u.result_due_date = absl::CivilDay(2026, 4, 1);
              }).ok());
  ASSERT_TRUE(Move(ref, ComplaintState::kUnderInvestigation).ok());
  ASSERT_TRUE(Move(ref, ComplaintState::kConcluded, [](const Complaint&, ComplaintUpdate& u) {
                u.outcome = 1;
              }).ok());
  ASSERT_TRUE(Move(ref, ComplaintState::kAnswered, [&](const Complaint&, ComplaintUpdate& u) {
                u.answer_text = "Petugas yang bersangkutan telah diberi sanksi disiplin.";
                u.answer_time = answered;
                u.event.is_public = true;
                u.event.public_message = "Jawaban resmi telah dikirim.";
              }).ok());
  absl::StatusOr<Complaint> rated = MutateAs(
      ref, 0, "", [](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
        ComplaintUpdate u = Change(current.state, current.state, "RATED");
        u.satisfaction_rating = 5;
        return u;
      });
  ASSERT_TRUE(rated.ok()) << rated.status();

  absl::StatusOr<Complaint> got = GetBasic(ref);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->state, ComplaintState::kAnswered);
  EXPECT_EQ(got->version, 7);
  EXPECT_EQ(got->handling_unit_id, "siwas");
  EXPECT_EQ(got->sp3d_time, sp3d);
  EXPECT_EQ(got->result_due_date, absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(got->answer_time, answered);
  EXPECT_EQ(got->answer_text, "Petugas yang bersangkutan telah diberi sanksi disiplin.");
  EXPECT_EQ(got->outcome, 1);
  EXPECT_FALSE(got->clarification_pending);
  EXPECT_EQ(got->clarification_question, "");
  EXPECT_EQ(got->satisfaction_rating, 5);

  tracked = store_->Track(ref, s.tracking_code);
  ASSERT_TRUE(tracked.ok()) << tracked.status();
  EXPECT_EQ(tracked->state, ComplaintState::kAnswered);
  EXPECT_TRUE(tracked->sp3d_sent);
  EXPECT_EQ(tracked->result_due_date, absl::CivilDay(2026, 4, 1));
  ASSERT_TRUE(tracked->answer.has_value());
  // The answer is the stored text, not the event's message.
  EXPECT_EQ(tracked->answer->text, "Petugas yang bersangkutan telah diberi sanksi disiplin.");
  EXPECT_EQ(tracked->answer->time, answered);
  EXPECT_EQ(tracked->clarification_question, "");
  EXPECT_EQ(tracked->satisfaction_rating, 5);
  ASSERT_THAT(tracked->timeline, SizeIs(3));  // received, clarification, answer
  EXPECT_EQ(tracked->timeline[1].message, "Permintaan klarifikasi.");
  EXPECT_EQ(tracked->timeline[2].state, ComplaintState::kAnswered);
  EXPECT_EQ(store_->Track(ref, TrackingCode::Generate()).status().code(),
            absl::StatusCode::kNotFound);
}

// --- ListComplaints ----------------------------------------------------------------

constexpr char kTieTime[] = "2026-05-01 10:00:00";
const absl::CivilDay kToday(2026, 6, 1);

bool IsTerminal(ComplaintState s) {
  return s == ComplaintState::kArchived || s == ComplaintState::kRejected ||
         s == ComplaintState::kClosed;
}

bool Overdue(const Complaint& c) {
  if (IsTerminal(c.state)) return false;
  if (!c.sp3d_time.has_value()) return c.sp3d_due_date < kToday;
  return !c.answer_time.has_value() && c.result_due_date.has_value() &&
         *c.result_due_date < kToday;
}

class ListComplaintsTest : public CaseStoreTest {
 protected:
  static constexpr int kComplaints = 240;

  void SetUp() override {
    CaseStoreTest::SetUp();
    if (HasFatalFailure()) return;
    const char* categories[] = {"korupsi", "diskriminasi", "pelayanan-buruk",
                                "kekeliruan-diskresi", "pelanggaran-ham",
                                "penyalahgunaan-wewenang"};
    const char* subjects[] = {"sat-lantas", "sat-reskrim", "propam", "siwas",
                              "polsek-palu-barat"};
    const char* handlers[] = {"propam", "siwas", "sat-reskrim"};
    std::vector<std::thread> threads;
    std::atomic<int> next{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < kComplaints; i = next++) {
          NewComplaint c = Sample();
          c.draft.category_id = categories[i % 6];
          c.draft.channel = static_cast<Channel>(i % kMaxChannel + 1);
          c.draft.subject.unit_id = i % 7 == 0 ? "" : subjects[i % 5];
          c.sp3d_due_date = i % 3 == 0 ? absl::CivilDay(2026, 3, 1) : absl::CivilDay(2026, 9, 1);
          absl::StatusOr<SubmittedComplaint> out = store_->Submit(c, NextReference);
          ASSERT_TRUE(out.ok()) << out.status();
          const std::string ref = out->complaint.reference_number;
          const std::string handler = handlers[i % 3];
          auto assign = [&](const Complaint&, ComplaintUpdate& u) {
            u.handling_unit_id = handler;
            u.sp3d_time = absl::Now();
            u.result_due_date =
                i % 8 == 2 ? absl::CivilDay(2026, 4, 1) : absl::CivilDay(2026, 12, 1);
          };
          switch (i % 4) {
            case 0:
              if (i % 12 == 0) {
                ASSERT_TRUE(Move(ref, ComplaintState::kRejected).ok());
              }
              break;
            case 1:
              ASSERT_TRUE(Move(ref, ComplaintState::kVerified).ok());
              break;
            case 2:
              ASSERT_TRUE(Move(ref, ComplaintState::kAssigned, assign).ok());
              break;
            case 3:
              ASSERT_TRUE(Move(ref, ComplaintState::kAssigned, assign).ok());
              ASSERT_TRUE(Move(ref, i % 8 == 3 ? ComplaintState::kAnswered
                                               : ComplaintState::kClosed,
                               [](const Complaint&, ComplaintUpdate& u) {
                                 u.answer_time = absl::Now();
                                 u.answer_text = "Jawaban.";
                               })
                              .ok());
              break;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    // Many complaints received in the same microsecond: the id breaks ties.
    ASSERT_TRUE(
        db_->Execute(absl::StrCat("UPDATE complaints SET create_time = '", kTieTime,
                                  "' WHERE id % 4 = 0"))
            .ok());
    ASSERT_TRUE(db_->Execute("UPDATE complaints SET create_time = '2026-04-01 08:00:00.000001'"
                             " WHERE id % 4 = 1")
                    .ok());
    absl::StatusOr<std::vector<std::vector<std::string>>> refs =
        db_->Query("SELECT reference_number FROM complaints");
    ASSERT_TRUE(refs.ok()) << refs.status();
    for (const std::vector<std::string>& row : *refs) {
      absl::StatusOr<Complaint> c = GetBasic(row[0]);
      ASSERT_TRUE(c.ok()) << c.status();
      all_.push_back(*std::move(c));
    }
    std::sort(all_.begin(), all_.end(), [](const Complaint& a, const Complaint& b) {
      return std::tie(a.create_time, a.id) > std::tie(b.create_time, b.id);
    });
  }

  // Every page of the listing, in order; checks each page's cursors.
  std::vector<int64_t> ListAll(const ComplaintFilter& filter, int page_size) {
    std::vector<int64_t> ids;
    std::optional<ComplaintCursor> after;
    for (int pages = 0; pages < 1000; ++pages) {
      absl::StatusOr<std::vector<ListedComplaint>> page =
          store_->ListComplaints(filter, after, page_size);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const ListedComplaint& row : *page) {
        ids.push_back(row.complaint.id);
        EXPECT_EQ(row.cursor.id, row.complaint.id);
        EXPECT_EQ(row.cursor.create_time, row.complaint.create_time);
        EXPECT_FALSE(row.complaint.identity.has_value());
        EXPECT_EQ(row.complaint.reply_address, "");
      }
      if (static_cast<int>(page->size()) < page_size) break;
      after = page->back().cursor;
    }
    return ids;
  }

  std::vector<int64_t> Expected(const std::function<bool(const Complaint&)>& match) const {
    std::vector<int64_t> ids;
    for (const Complaint& c : all_) {
      if (match(c)) ids.push_back(c.id);
    }
    return ids;
  }

  std::vector<Complaint> all_;  // newest first
};

TEST_F(ListComplaintsTest, PagesCoverEveryComplaintOnceNewestFirst) {
  ASSERT_THAT(all_, SizeIs(kComplaints));
  ComplaintFilter everything;
  const std::vector<int64_t> expected = Expected([](const Complaint&) { return true; });
  for (int page_size : {1, 7, 50, kComplaints, kComplaints + 1}) {
    EXPECT_EQ(ListAll(everything, page_size), expected) << "page size " << page_size;
  }
  // The listed complaint is the stored one, case fields included.
  absl::StatusOr<std::vector<ListedComplaint>> first =
      store_->ListComplaints(everything, std::nullopt, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_THAT(*first, SizeIs(1));
  const Complaint& listed = first->front().complaint;
  const Complaint& stored = all_.front();
  EXPECT_EQ(listed.reference_number, stored.reference_number);
  EXPECT_EQ(listed.state, stored.state);
  EXPECT_EQ(listed.version, stored.version);
  EXPECT_EQ(listed.handling_unit_id, stored.handling_unit_id);
  EXPECT_EQ(listed.sp3d_time, stored.sp3d_time);
  EXPECT_EQ(listed.answer_time, stored.answer_time);
  EXPECT_EQ(listed.answer_text, stored.answer_text);
  EXPECT_EQ(listed.subject.unit_id, stored.subject.unit_id);
  EXPECT_EQ(listed.reply_address, "");  // personal data: only Get decrypts it
  absl::StatusOr<Complaint> full =
      store_->Get(stored.reference_number, supervisor_, /*want_identity=*/true,
                  [](const Complaint&) { return ReadAccess::kWithIdentity; });
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->reply_address, kReplyAddress);
  EXPECT_EQ(store_->ListComplaints(everything, std::nullopt, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ListComplaintsTest, EveryFilterAndScope) {
  const absl::Time tie =
      absl::FromCivil(absl::CivilSecond(2026, 5, 1, 10, 0, 0), absl::UTCTimeZone());
  struct Case {
    std::string name;
    std::function<void(ComplaintFilter&)> set;
    std::function<bool(const Complaint&)> match;
  };
  const std::vector<Case> cases = {
      {"states",
       [](ComplaintFilter& f) {
         f.states = {ComplaintState::kVerified, ComplaintState::kClosed};
       },
       [](const Complaint& c) {
         return c.state == ComplaintState::kVerified || c.state == ComplaintState::kClosed;
       }},
      {"category", [](ComplaintFilter& f) { f.category_id = "diskriminasi"; },
       [](const Complaint& c) { return c.category_id == "diskriminasi"; }},
      {"unknown category", [](ComplaintFilter& f) { f.category_id = "tidak-ada"; },
       [](const Complaint&) { return false; }},
      {"channel", [](ComplaintFilter& f) { f.channel = Channel::kWhatsapp; },
       [](const Complaint& c) { return c.channel == Channel::kWhatsapp; }},
      {"handling unit", [](ComplaintFilter& f) { f.handling_unit_id = "siwas"; },
       [](const Complaint& c) { return c.handling_unit_id == "siwas"; }},
      {"subject unit", [](ComplaintFilter& f) { f.subject_unit_id = "propam"; },
       [](const Complaint& c) { return c.subject.unit_id == "propam"; }},
      {"received after (inclusive)", [&](ComplaintFilter& f) { f.received_after = tie; },
       [&](const Complaint& c) { return c.create_time >= tie; }},
      {"received before (exclusive)",
       [&](ComplaintFilter& f) { f.received_before = tie + absl::Microseconds(1); },
       [&](const Complaint& c) { return c.create_time <= tie; }},
      {"received before and after", [&](ComplaintFilter& f) {
         f.received_after = tie - absl::Hours(1);
         f.received_before = tie + absl::Microseconds(1);
       },
       [&](const Complaint& c) { return c.create_time == tie; }},
      {"received between", [&](ComplaintFilter& f) {
         f.received_after = tie + absl::Microseconds(1);
         f.received_before = absl::InfiniteFuture();
       },
       [&](const Complaint& c) { return c.create_time > tie; }},
      {"overdue",
       [](ComplaintFilter& f) {
         f.overdue_only = true;
         f.today = kToday;
       },
       [](const Complaint& c) { return Overdue(c); }},
      {"UNIT scope", [](ComplaintFilter& f) {
         f.scope_handling_unit_id = "sat-reskrim";
         f.scope_exclude_subject_unit_id = "sat-reskrim";
       },
       [](const Complaint& c) {
         return c.handling_unit_id == "sat-reskrim" && c.subject.unit_id != "sat-reskrim";
       }},
      {"excluded subject (no subject is not excluded)",
       [](ComplaintFilter& f) { f.scope_exclude_subject_unit_id = "propam"; },
       [](const Complaint& c) { return c.subject.unit_id != "propam"; }},
      {"combined",
       [](ComplaintFilter& f) {
         f.states = {ComplaintState::kAssigned, ComplaintState::kAnswered};
         f.handling_unit_id = "propam";
         f.scope_exclude_subject_unit_id = "sat-lantas";
         f.overdue_only = true;
         f.today = kToday;
       },
       [](const Complaint& c) {
         return (c.state == ComplaintState::kAssigned || c.state == ComplaintState::kAnswered) &&
                c.handling_unit_id == "propam" && c.subject.unit_id != "sat-lantas" &&
                Overdue(c);
       }},
  };
  for (const Case& test : cases) {
    ComplaintFilter filter;
    test.set(filter);
    const std::vector<int64_t> expected = Expected(test.match);
    if (test.name != "unknown category") {
      EXPECT_THAT(expected, Not(IsEmpty())) << test.name << ": the data should match some";
      EXPECT_LT(expected.size(), all_.size()) << test.name << ": the data should miss some";
    }
    EXPECT_EQ(ListAll(filter, 9), expected) << test.name;
  }
  // The sample has both kinds of overdue, and complaints without a subject.
  EXPECT_GT(std::count_if(all_.begin(), all_.end(),
                          [](const Complaint& c) { return Overdue(c) && c.sp3d_time; }),
            0);
  EXPECT_GT(std::count_if(all_.begin(), all_.end(),
                          [](const Complaint& c) { return Overdue(c) && !c.sp3d_time; }),
            0);
  EXPECT_GT(std::count_if(all_.begin(), all_.end(),
                          [](const Complaint& c) { return c.subject.unit_id.empty(); }),
            0);
}

// --- ListEvents -----------------------------------------------------------------------

TEST_F(CaseStoreTest, ListEventsPagesByIdAndKnowsUnknownComplaints) {
  const SubmittedComplaint s = SubmitOne();
  const SubmittedComplaint other = SubmitOne();
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(MutateAs(s.complaint.reference_number, supervisor_.id, "",
                             [&](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
                               ComplaintUpdate u = Change(current.state, current.state, "NOTE");
                               u.event.internal_note = absl::StrCat("catatan ", i);
                               u.event.is_public = i % 2 == 0;
                               if (u.event.is_public) u.event.public_message = absl::StrCat("publik ", i);
                               return u;
                             })
                    .ok());
    ASSERT_TRUE(Move(other.complaint.reference_number, ComplaintState::kReceived).ok());
  }
  std::vector<ComplaintEventRecord> all;
  int64_t after = 0;
  while (true) {
    absl::StatusOr<std::vector<ComplaintEventRecord>> page =
        store_->ListEvents(s.complaint.reference_number, after, 4);
    ASSERT_TRUE(page.ok()) << page.status();
    all.insert(all.end(), page->begin(), page->end());
    if (page->size() < 4) break;
    after = page->back().id;
  }
  ASSERT_THAT(all, SizeIs(10));
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const auto& a, const auto& b) { return a.id < b.id; }));
  EXPECT_EQ(all[0].type, "RECEIVED");
  EXPECT_EQ(all[0].actor_principal_id, gateway_.id);
  EXPECT_EQ(all[0].to_state, ComplaintState::kReceived);
  EXPECT_TRUE(all[0].is_public);
  EXPECT_EQ(all[0].time, s.complaint.create_time);
  for (int i = 0; i < 9; ++i) {
    const ComplaintEventRecord& e = all[i + 1];
    EXPECT_EQ(e.type, "NOTE");
    EXPECT_EQ(e.actor_principal_id, supervisor_.id);
    EXPECT_FALSE(e.from_state.has_value());
    EXPECT_EQ(e.internal_note, absl::StrCat("catatan ", i));
    EXPECT_EQ(e.is_public, i % 2 == 0);
    EXPECT_EQ(e.public_message, i % 2 == 0 ? absl::StrCat("publik ", i) : "");
  }
  // Past the last event: an empty page of an existing complaint.
  absl::StatusOr<std::vector<ComplaintEventRecord>> past =
      store_->ListEvents(s.complaint.reference_number, all.back().id, 4);
  ASSERT_TRUE(past.ok()) << past.status();
  EXPECT_THAT(*past, IsEmpty());
  EXPECT_EQ(store_->ListEvents("AAAA-BBBB-CCCC", 0, 4).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ListEvents("x", 0, 4).status().code(), absl::StatusCode::kNotFound);
}

// --- The outbox ------------------------------------------------------------------------

TEST_F(CaseStoreTest, SubmitQueuesTheReceiptOnce) {
  NewComplaint c = Sample("7a6b5c4d-1111-4222-8333-444455556666");
  c.receipt_text = [code = c.tracking_code](const std::string& reference) {
    return absl::StrCat("Nomor ", reference, ", kode ", code);
  };
  absl::StatusOr<SubmittedComplaint> first = store_->Submit(c, NextReference);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<SubmittedComplaint> replay = store_->Submit(c, NextReference);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_TRUE(replay->replayed);
  SubmitOne(/*receipt=*/false);  // no receipt_text: nothing queued
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 1);

  absl::StatusOr<std::vector<Notification>> leased =
      store_->LeaseNotifications(gateway_, 10, absl::Seconds(60));
  ASSERT_TRUE(leased.ok()) << leased.status();
  ASSERT_THAT(*leased, SizeIs(1));
  const Notification& n = leased->front();
  EXPECT_EQ(n.kind, NotificationKind::kReceipt);
  EXPECT_EQ(n.channel, Channel::kEmail);
  EXPECT_EQ(n.reference_number, first->complaint.reference_number);
  EXPECT_EQ(n.reply_address, kReplyAddress);
  EXPECT_EQ(n.text, absl::StrCat("Nomor ", first->complaint.reference_number, ", kode ",
                                 first->tracking_code));
  EXPECT_EQ(n.create_time, first->complaint.create_time);
  EXPECT_EQ(n.delivery_attempt, 1);
  EXPECT_GE(n.lease_expire_time, absl::Now() + absl::Seconds(55));
}

TEST_F(CaseStoreTest, StoredNotificationsAndReplyAddressesAreNotPlaintext) {
  const SubmittedComplaint s = SubmitOne(/*receipt=*/true);
  ASSERT_TRUE(Move(s.complaint.reference_number, ComplaintState::kVerified,
                   [](const Complaint&, ComplaintUpdate& u) {
                     u.notifications.push_back(
                         {NotificationKind::kClarificationRequest, "RAHASIA-klarifikasi-XYZ"});
                   })
                  .ok());
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = db_->Query(
      "SELECT text_ct, key_id, created_at FROM notifications UNION ALL"
      " SELECT reply_address_ct, key_id, create_time FROM complaints");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(3));
  std::string all;
  for (const auto& row : *rows) absl::StrAppend(&all, absl::StrJoin(row, "|"), "|");
  for (const std::string& secret : {s.tracking_code, std::string(kReplyAddress),
                                    std::string("RAHASIA-klarifikasi"),
                                    std::string("Kode pelacakan"), std::string("diterima")}) {
    EXPECT_THAT(all, Not(HasSubstr(secret))) << "plaintext found: " << secret;
    EXPECT_THAT(absl::BytesToHexString(all), Not(HasSubstr(absl::BytesToHexString(secret))));
  }
  // A ciphertext moved to another notification does not decrypt: that one is
  // set aside, and the others of its channel still flow.
  ASSERT_TRUE(db_->Execute("UPDATE notifications a JOIN notifications b ON b.id = a.id + 1"
                           " SET a.text_ct = b.text_ct")
                  .ok());
  const int64_t tampered = Count("SELECT MIN(id) FROM notifications");
  absl::StatusOr<std::vector<Notification>> leased =
      store_->LeaseNotifications(gateway_, 10, absl::Seconds(60));
  ASSERT_TRUE(leased.ok()) << leased.status();
  ASSERT_THAT(*leased, SizeIs(1));
  EXPECT_NE(leased->front().id, tampered);
  EXPECT_EQ(leased->front().text, "RAHASIA-klarifikasi-XYZ");
  absl::StatusOr<std::vector<UndeliverableNotification>> aside =
      store_->ListUndeliverableNotifications(0, 10);
  ASSERT_TRUE(aside.ok()) << aside.status();
  ASSERT_THAT(*aside, SizeIs(1));
  EXPECT_EQ(aside->front().id, tampered);
  EXPECT_EQ(aside->front().reference_number, s.complaint.reference_number);
  EXPECT_EQ(aside->front().kind, NotificationKind::kReceipt);
  EXPECT_EQ(aside->front().failure, "DATA_LOSS");
  // It is not leased again, even after the other's lease ends.
  ASSERT_TRUE(db_->Execute("UPDATE notifications SET lease_until = '2020-01-01'").ok());
  absl::StatusOr<std::vector<Notification>> again =
      store_->LeaseNotifications(gateway_, 10, absl::Seconds(60));
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_THAT(*again, SizeIs(1));
  EXPECT_NE(again->front().id, tampered);
}

TEST_F(CaseStoreTest, ConcurrentLeasersNeverShareANotification) {
  constexpr int kNotifications = 60;
  for (int i = 0; i < kNotifications; ++i) {
    SubmitOne(/*receipt=*/true, i % 2 == 0 ? Channel::kEmail : Channel::kWhatsapp);
  }
  std::mutex mu;
  std::multiset<int64_t> seen;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      while (true) {
        absl::StatusOr<std::vector<Notification>> leased =
            store_->LeaseNotifications(gateway_, 3, absl::Seconds(60));
        if (!leased.ok()) {
          ++errors;
          return;
        }
        if (leased->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        for (const Notification& n : *leased) seen.insert(n.id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kNotifications));
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(),
            static_cast<size_t>(kNotifications));
  // All are leased now.
  absl::StatusOr<std::vector<Notification>> none =
      store_->LeaseNotifications(gateway_, 100, absl::Seconds(60));
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
}

TEST_F(CaseStoreTest, LeasesByChannelExpireAndAreDeliveredAgain) {
  const SubmittedComplaint email = SubmitOne(/*receipt=*/true, Channel::kEmail);
  const SubmittedComplaint whatsapp = SubmitOne(/*receipt=*/true, Channel::kWhatsapp);
  absl::StatusOr<std::vector<Notification>> first =
      store_->LeaseNotifications(GatewayOf(Channel::kWhatsapp), 10, absl::Milliseconds(300));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_THAT(*first, SizeIs(1));
  EXPECT_EQ(first->front().reference_number, whatsapp.complaint.reference_number);
  EXPECT_EQ(first->front().channel, Channel::kWhatsapp);
  EXPECT_EQ(first->front().delivery_attempt, 1);
  // While its lease runs it is not leased again, by any gateway.
  absl::StatusOr<std::vector<Notification>> during =
      store_->LeaseNotifications(gateway_, 10, absl::Seconds(60));
  ASSERT_TRUE(during.ok()) << during.status();
  ASSERT_THAT(*during, SizeIs(1));
  EXPECT_EQ(during->front().reference_number, email.complaint.reference_number);

  absl::SleepFor(absl::Milliseconds(400));  // the gateway died without acknowledging
  absl::StatusOr<std::vector<Notification>> again =
      store_->LeaseNotifications(GatewayOf(Channel::kWhatsapp), 10, absl::Seconds(60));
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_THAT(*again, SizeIs(1));
  EXPECT_EQ(again->front().id, first->front().id);
  EXPECT_EQ(again->front().delivery_attempt, 2);
  EXPECT_EQ(again->front().text, first->front().text);
  EXPECT_EQ(store_->LeaseNotifications(GatewayOf(Channel::kEmail), 0, absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CaseStoreTest, AcknowledgeIsIdempotentChannelBoundAndWipesTheText) {
  SubmitOne(/*receipt=*/true, Channel::kEmail);
  SubmitOne(/*receipt=*/true, Channel::kEmail);
  SubmitOne(/*receipt=*/true, Channel::kWhatsapp);
  absl::StatusOr<std::vector<Notification>> email =
      store_->LeaseNotifications(GatewayOf(Channel::kEmail), 10, absl::Seconds(60));
  absl::StatusOr<std::vector<Notification>> whatsapp =
      store_->LeaseNotifications(GatewayOf(Channel::kWhatsapp), 10, absl::Seconds(60));
  ASSERT_TRUE(email.ok() && whatsapp.ok());
  ASSERT_THAT(*email, SizeIs(2));
  ASSERT_THAT(*whatsapp, SizeIs(1));
  const int64_t e1 = (*email)[0].id;
  const int64_t e2 = (*email)[1].id;
  const int64_t w1 = (*whatsapp)[0].id;

  // Another channel's notification, or an unknown id, in the batch: nothing
  // is acknowledged.
  EXPECT_EQ(store_->AcknowledgeNotifications(GatewayOf(Channel::kEmail), {e1, w1}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->AcknowledgeNotifications(GatewayOf(Channel::kEmail), {e1, 999999}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE acked_at IS NOT NULL"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE LENGTH(text_ct) = 0"), 0);

  ASSERT_TRUE(store_->AcknowledgeNotifications(GatewayOf(Channel::kEmail), {e1, e1}).ok());
  absl::StatusOr<std::vector<std::vector<std::string>>> acked =
      db_->Query(absl::StrCat("SELECT acked_at, LENGTH(text_ct) FROM notifications WHERE id = ", e1));
  ASSERT_TRUE(acked.ok());
  ASSERT_THAT(*acked, SizeIs(1));
  EXPECT_NE((*acked)[0][0], "");
  EXPECT_EQ((*acked)[0][1], "0");  // the tracking code does not linger

  // Again, together with a new one: fine, and the first time stays.
  ASSERT_TRUE(store_->AcknowledgeNotifications(GatewayOf(Channel::kEmail), {e2, e1}).ok());
  absl::StatusOr<std::vector<std::vector<std::string>>> later =
      db_->Query(absl::StrCat("SELECT acked_at FROM notifications WHERE id = ", e1));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ((*later)[0][0], (*acked)[0][0]);
  // A gateway of several channels may acknowledge any of them.
  ASSERT_TRUE(store_->AcknowledgeNotifications(gateway_, {w1}).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE acked_at IS NULL"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE LENGTH(text_ct) > 0"), 0);
  EXPECT_TRUE(store_->AcknowledgeNotifications(GatewayOf(Channel::kEmail), {}).ok());

  // Acknowledged ones never come back, even after their lease.
  ASSERT_TRUE(db_->Execute("UPDATE notifications SET lease_until = '2020-01-01'").ok());
  absl::StatusOr<std::vector<Notification>> none =
      store_->LeaseNotifications(gateway_, 10, absl::Seconds(60));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_THAT(*none, IsEmpty());
}

// --- AdminStore ---------------------------------------------------------------------------

TEST_F(CaseStoreTest, PrincipalsAreCreatedListedAndRevoked) {
  Principal in;
  in.name = "gateway-whatsapp";
  in.role = Role::kGateway;
  in.channels = ChannelSet{Channel::kWhatsapp, Channel::kEmail};
  absl::StatusOr<std::pair<Principal, std::string>> created = store_->CreatePrincipalWithToken(in);
  ASSERT_TRUE(created.ok()) << created.status();
  const Principal& p = created->first;
  EXPECT_GT(p.id, supervisor_.id);
  EXPECT_EQ(p.name, "gateway-whatsapp");
  EXPECT_EQ(p.channels, (ChannelSet{Channel::kWhatsapp, Channel::kEmail}));
  EXPECT_FALSE(p.revoke_time.has_value());
  EXPECT_EQ(created->second.size(), 43u);

  absl::StatusOr<Principal> authenticated = store_->Authenticate(created->second);
  ASSERT_TRUE(authenticated.ok()) << authenticated.status();
  EXPECT_EQ(authenticated->id, p.id);
  EXPECT_EQ(authenticated->role, Role::kGateway);
  EXPECT_EQ(authenticated->channels, (ChannelSet{Channel::kWhatsapp, Channel::kEmail}));
  EXPECT_EQ(authenticated->create_time, p.create_time);

  EXPECT_EQ(store_->CreatePrincipalWithToken(in).status().code(),
            absl::StatusCode::kAlreadyExists);
  Principal unknown_unit;
  unknown_unit.name = "unit-x";
  unknown_unit.role = Role::kUnit;
  unknown_unit.unit_id = "no-such-unit";
  EXPECT_EQ(store_->CreatePrincipalWithToken(unknown_unit).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A gateway serves one or more channels; nobody else serves any.
  Principal no_channels = in;
  no_channels.name = "gateway-nothing";
  no_channels.channels = ChannelSet{};
  EXPECT_EQ(store_->CreatePrincipalWithToken(no_channels).status().code(),
            absl::StatusCode::kInvalidArgument);
  Principal intake_with_channel;
  intake_with_channel.name = "intake-x";
  intake_with_channel.role = Role::kIntake;
  intake_with_channel.channels = ChannelSet{Channel::kWeb};
  EXPECT_EQ(store_->CreatePrincipalWithToken(intake_with_channel).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Listing pages by id.
  std::vector<int64_t> ids;
  int64_t after = 0;
  while (true) {
    absl::StatusOr<std::vector<Principal>> page = store_->ListPrincipals(after, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    // Migration 0009's dumas-retention (revoked, the actor of purges) aside.
    for (const Principal& row : *page) {
      if (row.name != "dumas-retention") ids.push_back(row.id);
    }
    if (page->size() < 2) break;
    after = page->back().id;
  }
  EXPECT_THAT(ids, ElementsAre(gateway_.id, supervisor_.id, p.id));

  absl::StatusOr<Principal> revoked = store_->RevokePrincipalById(p.id);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->id, p.id);
  EXPECT_EQ(revoked->channels, (ChannelSet{Channel::kWhatsapp, Channel::kEmail}));
  ASSERT_TRUE(revoked->revoke_time.has_value());
  EXPECT_EQ(store_->Authenticate(created->second).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokePrincipalById(p.id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokePrincipalById(987654).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<std::vector<Principal>> listed = store_->ListPrincipals(supervisor_.id, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_THAT(*listed, SizeIs(1));
  EXPECT_EQ(listed->front().revoke_time, revoked->revoke_time);
  // The name is free again.
  EXPECT_TRUE(store_->CreatePrincipalWithToken(in).ok());
  EXPECT_TRUE(store_->RevokePrincipal("gateway-whatsapp").ok());
  EXPECT_EQ(store_->RevokePrincipal("gateway-whatsapp").code(), absl::StatusCode::kNotFound);
}

TEST_F(CaseStoreTest, UnitsCategoriesAndRoutingRules) {
  ASSERT_TRUE(store_->CreateUnit(Unit{"polsek-palu-tengah", "Polsek Palu Tengah"}).ok());
  ASSERT_TRUE(store_->CreateUnit(Unit{"unit-khusus", "Unit Khusus"}).ok());
  EXPECT_EQ(store_->CreateUnit(Unit{"propam", "Propam lagi"}).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateUnit(Unit{"", "Tanpa id"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateUnit(Unit{"x", std::string(201, 'a')}).code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::vector<std::vector<std::string>>> kinds = db_->Query(
      "SELECT id, kind FROM units WHERE id IN ('polsek-palu-tengah', 'unit-khusus') ORDER BY id");
  ASSERT_TRUE(kinds.ok());
  EXPECT_THAT(*kinds, ElementsAre(ElementsAre("polsek-palu-tengah", "POLSEK"),
                                  ElementsAre("unit-khusus", "SATUAN")));

  ASSERT_TRUE(store_->CreateCategory(Category{"pungli", "Pungutan liar", "Illegal levy"}).ok());
  EXPECT_EQ(store_->CreateCategory(Category{"korupsi", "Korupsi", "Corruption"}).code(),
            absl::StatusCode::kAlreadyExists);

  absl::StatusOr<std::vector<RoutingRule>> rules = store_->ListRoutingRules();
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::map<std::string, std::string> by_category;
  for (const RoutingRule& r : *rules) by_category[r.category_id] = r.unit_id;
  EXPECT_EQ(by_category, (std::map<std::string, std::string>{
                             {"diskriminasi", "propam"},
                             {"kekeliruan-diskresi", "siwas"},
                             {"korupsi", "propam"},
                             {"pelanggaran-ham", "propam"},
                             {"pelayanan-buruk", "siwas"},
                             {"penyalahgunaan-wewenang", "propam"}}));

  ASSERT_TRUE(store_->SetRoutingRule(RoutingRule{"pungli", "propam"}).ok());
  ASSERT_TRUE(store_->SetRoutingRule(RoutingRule{"pungli", "siwas"}).ok());  // replaces
  ASSERT_TRUE(store_->SetRoutingRule(RoutingRule{"pelayanan-buruk", "polsek-palu-tengah"}).ok());
  absl::Status unknown_category = store_->SetRoutingRule(RoutingRule{"tidak-ada", "propam"});
  EXPECT_EQ(unknown_category.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Str(unknown_category.message()), HasSubstr("category"));
  absl::Status unknown_unit = store_->SetRoutingRule(RoutingRule{"korupsi", "tidak-ada"});
  EXPECT_EQ(unknown_unit.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Str(unknown_unit.message()), HasSubstr("unit"));
  rules = store_->ListRoutingRules();
  ASSERT_TRUE(rules.ok());
  by_category.clear();
  for (const RoutingRule& r : *rules) by_category[r.category_id] = r.unit_id;
  EXPECT_EQ(by_category.size(), 7u);
  EXPECT_EQ(by_category["pungli"], "siwas");
  EXPECT_EQ(by_category["pelayanan-buruk"], "polsek-palu-tengah");
  EXPECT_EQ(by_category["korupsi"], "propam");
}

TEST_F(CaseStoreTest, HolidaysAreReplacedPerYear) {
  absl::StatusOr<std::vector<Holiday>> seeded = store_->ListHolidays(2026);
  ASSERT_TRUE(seeded.ok()) << seeded.status();
  EXPECT_THAT(*seeded, SizeIs(25));  // the SKB: 17 libur nasional, 8 cuti bersama
  EXPECT_EQ(seeded->front().day, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(seeded->front().name, "Tahun Baru 2026 Masehi");
  EXPECT_EQ(seeded->front().kind, HolidayKind::kLiburNasional);

  const std::vector<Holiday> y2027 = {{absl::CivilDay(2027, 12, 25), "Hari Raya Natal"},
                                      {absl::CivilDay(2027, 1, 1), "Tahun Baru 2027 Masehi"}};
  ASSERT_TRUE(store_->SetHolidays(2027, y2027).ok());
  absl::StatusOr<std::vector<Holiday>> listed = store_->ListHolidays(2027);
  ASSERT_TRUE(listed.ok());
  ASSERT_THAT(*listed, SizeIs(2));
  EXPECT_EQ((*listed)[0].day, absl::CivilDay(2027, 1, 1));
  EXPECT_EQ((*listed)[1].name, "Hari Raya Natal");

  ASSERT_TRUE(store_->SetHolidays(2027, {{absl::CivilDay(2027, 8, 17), "Kemerdekaan"}}).ok());
  listed = store_->ListHolidays(2027);
  ASSERT_TRUE(listed.ok());
  ASSERT_THAT(*listed, SizeIs(1));
  EXPECT_EQ((*listed)[0].day, absl::CivilDay(2027, 8, 17));

  // Invalid input changes nothing.
  EXPECT_EQ(store_->SetHolidays(2027, {{absl::CivilDay(2028, 1, 1), "Salah tahun"}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_
                ->SetHolidays(2027, {{absl::CivilDay(2027, 5, 1), "A"},
                                     {absl::CivilDay(2027, 5, 1), "B"}})
                .code(),
            absl::StatusCode::kInvalidArgument);
  listed = store_->ListHolidays(2027);
  ASSERT_TRUE(listed.ok());
  EXPECT_THAT(*listed, SizeIs(1));

  // Emptying a year leaves the others.
  ASSERT_TRUE(store_->SetHolidays(2027, {}).ok());
  EXPECT_THAT(store_->ListHolidays(2027).value_or(std::vector<Holiday>{{}}), IsEmpty());
  absl::StatusOr<std::vector<absl::CivilDay>> every = store_->ListHolidays();
  ASSERT_TRUE(every.ok());
  EXPECT_THAT(*every, SizeIs(25));
}

TEST_F(CaseStoreTest, CalendarKeepsKindsLoadedYearsAndSettings) {
  // As migrated: 2026 by the SKB, loaded; cuti bersama skipped.
  absl::StatusOr<CalendarSettings> settings = store_->GetCalendarSettings();
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_TRUE(settings->skip_cuti_bersama);
  EXPECT_THAT(settings->loaded_years, ElementsAre(2026));
  absl::StatusOr<std::vector<Holiday>> y2026 = store_->ListHolidays(2026);
  ASSERT_TRUE(y2026.ok());
  std::map<absl::CivilDay, HolidayKind> kinds;
  for (const Holiday& h : *y2026) kinds[h.day] = h.kind;
  EXPECT_EQ(kinds[absl::CivilDay(2026, 3, 20)], HolidayKind::kCutiBersama);
  EXPECT_EQ(kinds[absl::CivilDay(2026, 3, 21)], HolidayKind::kLiburNasional);
  EXPECT_EQ(kinds[absl::CivilDay(2026, 3, 22)], HolidayKind::kLiburNasional);
  EXPECT_EQ(kinds[absl::CivilDay(2026, 12, 24)], HolidayKind::kCutiBersama);

  // Kinds are kept; a holiday without one is a national one; a year set to no
  // holidays is loaded all the same.
  const std::vector<Holiday> y2027_set = {
      {absl::CivilDay(2027, 1, 1), "Tahun Baru", HolidayKind::kUnspecified},
      {absl::CivilDay(2027, 12, 24), "Cuti Natal", HolidayKind::kCutiBersama}};
  ASSERT_TRUE(store_->SetHolidays(2027, y2027_set).ok());
  ASSERT_TRUE(store_->SetHolidays(2029, {}).ok());
  absl::StatusOr<std::vector<Holiday>> y2027 = store_->ListHolidays(2027);
  ASSERT_TRUE(y2027.ok());
  ASSERT_THAT(*y2027, SizeIs(2));
  EXPECT_EQ((*y2027)[0].kind, HolidayKind::kLiburNasional);
  EXPECT_EQ((*y2027)[1].kind, HolidayKind::kCutiBersama);
  EXPECT_EQ(store_
                ->SetHolidays(2027, {{absl::CivilDay(2027, 5, 1), "X",
                                      static_cast<HolidayKind>(9)}})
                .code(),
            absl::StatusCode::kInvalidArgument);

  absl::StatusOr<CalendarSettings> changed = store_->SetSkipCutiBersama(false);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_FALSE(changed->skip_cuti_bersama);
  EXPECT_THAT(changed->loaded_years, ElementsAre(2026, 2027, 2029));

  absl::StatusOr<StoredCalendar> calendar = store_->LoadCalendar();
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_THAT(calendar->holidays, SizeIs(27));
  EXPECT_TRUE(std::is_sorted(calendar->holidays.begin(), calendar->holidays.end(),
                             [](const Holiday& a, const Holiday& b) { return a.day < b.day; }));
  EXPECT_FALSE(calendar->settings.skip_cuti_bersama);
  EXPECT_THAT(calendar->settings.loaded_years, ElementsAre(2026, 2027, 2029));
}

TEST_F(CaseStoreTest, RecomputeDeadlinesWritesWhatItIsGivenBatchByBatch) {
  std::vector<SubmittedComplaint> submitted;
  for (int i = 0; i < 5; ++i) submitted.push_back(SubmitOne());
  // One archived: not in the states asked for.
  ASSERT_TRUE(Move(submitted[2].complaint.reference_number, ComplaintState::kArchived).ok());
  const int64_t archived_id = submitted[2].complaint.id;
  const std::vector<ComplaintState> open = {ComplaintState::kReceived,
                                            ComplaintState::kVerified};
  const int64_t version = Version(submitted[0].complaint.id);

  std::vector<int64_t> seen;
  int64_t after = 0;
  int batches = 0;
  int changed = 0;
  while (true) {
    absl::StatusOr<DeadlineBatch> batch = store_->RecomputeDeadlines(
        after, 2, open,
        [&](int64_t id, const ComplaintDeadlines& d) -> std::optional<ComplaintDeadlines> {
          seen.push_back(id);
          EXPECT_EQ(d.state, ComplaintState::kReceived);
          EXPECT_EQ(d.sp3d_due, absl::CivilDay(2026, 2, 10));
          EXPECT_FALSE(d.sp3d_sent.has_value());
          if (id % 2 == 1) return std::nullopt;  // odd ids stay
          ComplaintDeadlines next = d;
          next.sp3d_due = absl::CivilDay(2026, 2, 13);
          next.sp3d_due_provisional = true;
          return next;
        });
    ASSERT_TRUE(batch.ok()) << batch.status();
    ++batches;
    changed += batch->changed;
    if (batch->read < 2) break;
    after = batch->last_id;
  }
  EXPECT_EQ(batches, 3);  // 2 + 2 + 0 of the 4 open ones
  EXPECT_THAT(seen, SizeIs(4));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::count(seen.begin(), seen.end(), archived_id), 0);
  for (const SubmittedComplaint& s : submitted) {
    if (s.complaint.id == archived_id) continue;
    absl::StatusOr<Complaint> c = GetBasic(s.complaint.reference_number);
    ASSERT_TRUE(c.ok());
    const bool moved = s.complaint.id % 2 == 0;
    EXPECT_EQ(c->sp3d_due_date,
              moved ? absl::CivilDay(2026, 2, 13) : absl::CivilDay(2026, 2, 10));
    EXPECT_EQ(c->sp3d_due_provisional, moved);
    changed -= moved ? 1 : 0;
  }
  EXPECT_EQ(changed, 0);
  // The etag stays: a correction of the calendar is nobody's change.
  EXPECT_EQ(Version(submitted[0].complaint.id), version);
  EXPECT_EQ(store_->RecomputeDeadlines(0, 2, {}, [](int64_t, const ComplaintDeadlines&) {
                      return std::optional<ComplaintDeadlines>();
                    }).status().code(),
            absl::StatusCode::kInvalidArgument);

  // The digest of the calendar the deadlines follow.
  absl::StatusOr<std::string> digest = store_->DeadlinesCalendarDigest();
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, "");
  const std::string recorded(32, 'd');
  ASSERT_TRUE(store_->RecordDeadlinesCalendarDigest(recorded).ok());
  EXPECT_EQ(store_->DeadlinesCalendarDigest().value_or(""), recorded);
  EXPECT_EQ(store_->RecordDeadlinesCalendarDigest("short").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CaseStoreTest, ResultDeadlineRecordsTheDayItStarted) {
  const SubmittedComplaint s = SubmitOne();
  const std::string& reference = s.complaint.reference_number;
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), PaluTimeZone());
  // Set without a start: the day of the change.
  absl::StatusOr<Complaint> assigned =
      Move(reference, ComplaintState::kAssigned, [](const Complaint&, ComplaintUpdate& u) {
        u.result_due_date = absl::CivilDay(2026, 4, 16);
        u.result_due_provisional = true;
      });
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(assigned->result_start_date, today);
  EXPECT_TRUE(assigned->result_due_provisional);
  // Given a start, it is kept; a change that sets neither leaves both.
  ASSERT_TRUE(Move(reference, ComplaintState::kUnderInvestigation,
                   [](const Complaint&, ComplaintUpdate& u) {
                     u.result_start_date = absl::CivilDay(2026, 2, 9);
                     u.result_due_provisional = false;
                   })
                  .ok());
  ASSERT_TRUE(Move(reference, ComplaintState::kUnderInvestigation).ok());
  absl::StatusOr<Complaint> read = GetBasic(reference);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->result_start_date, absl::CivilDay(2026, 2, 9));
  EXPECT_FALSE(read->result_due_provisional);
  EXPECT_EQ(read->result_due_date, absl::CivilDay(2026, 4, 16));
}

// --- The schema ------------------------------------------------------------------------------

TEST_F(CaseStoreTest, WorkingCalendarMigrationIsReRunnable) {
  const EmbeddedMigration* migration = nullptr;
  for (const EmbeddedMigration& m : EmbeddedMigrations()) {
    if (m.name == "working_calendar") migration = &m;
  }
  ASSERT_NE(migration, nullptr);
  EXPECT_EQ(migration->version, 5);
  // A result deadline started before version 5 (no start recorded): the SP3D
  // went out at 23:30 UTC on 8 February, 9 February in Palu.
  const SubmittedComplaint s = SubmitOne();
  ASSERT_TRUE(Move(s.complaint.reference_number, ComplaintState::kAssigned,
                   [](const Complaint&, ComplaintUpdate& u) {
                     u.sp3d_time = absl::FromCivil(absl::CivilSecond(2026, 2, 8, 23, 30, 0),
                                                   absl::UTCTimeZone());
                     u.result_due_date = absl::CivilDay(2026, 4, 16);
                   })
                  .ok());
  ASSERT_TRUE(db_->Execute("UPDATE complaints SET result_start_date = NULL").ok());
  ASSERT_TRUE(store_->SetSkipCutiBersama(false).ok());
  ASSERT_TRUE(store_->SetHolidays(2027, {}).ok());
  for (const std::string& statement : SplitMigrationStatements(migration->sql)) {
    ASSERT_TRUE(db_->Execute(statement).ok()) << statement;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM holidays WHERE YEAR(day) = 2026"), 25);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM holidays WHERE YEAR(day) = 2026 AND kind = 2"), 8);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM holidays WHERE day = '2026-03-20' AND kind = 2"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM calendar_years"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM calendar_settings"), 1);
  EXPECT_EQ(Count("SELECT skip_cuti_bersama FROM calendar_settings"), 0);  // the admin's
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaints WHERE result_start_date = '2026-02-09'"), 1);
}

TEST_F(CaseStoreTest, CaseHandlingMigrationIsReRunnable) {
  // DDL is not transactional: a migration interrupted half-way runs again
  // whole, over what it had done. Running 0003 again changes nothing.
  const EmbeddedMigration* migration = nullptr;
  for (const EmbeddedMigration& m : EmbeddedMigrations()) {
    if (m.name == "case_handling") migration = &m;
  }
  ASSERT_NE(migration, nullptr);
  const SubmittedComplaint s = SubmitOne(/*receipt=*/true);
  ASSERT_TRUE(store_->SetRoutingRule(RoutingRule{"korupsi", "siwas"}).ok());
  for (const std::string& statement : SplitMigrationStatements(migration->sql)) {
    ASSERT_TRUE(db_->Execute(statement).ok()) << statement;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM routing_rules"), 6);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM routing_rules WHERE category_id = 'korupsi'"
                  " AND unit_id = 'siwas'"),
            1);  // the admin's change survives
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications"), 1);
  EXPECT_TRUE(store_->Track(s.complaint.reference_number, s.tracking_code).ok());
}

TEST_F(CaseStoreTest, CheaperLogQueueMigrationMovesTheQueueAndIsReRunnable) {
  const EmbeddedMigration* migration = nullptr;
  for (const EmbeddedMigration& m : EmbeddedMigrations()) {
    if (m.name == "cheaper_log_queue") migration = &m;
  }
  ASSERT_NE(migration, nullptr);
  EXPECT_EQ(migration->version, 12);
  // An event is queued by its own insert (no sequencer runs here).
  const SubmittedComplaint queued = SubmitOne();
  const SubmittedComplaint logged = SubmitOne();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE"), 2);
  // The queue as version 11 kept it: a table of its own, holding the first
  // complaint's event, and an event that the old queue had numbered already.
  ASSERT_TRUE(db_->Execute("UPDATE complaint_events SET log_pending = NULL").ok());
  ASSERT_TRUE(db_->Execute("CREATE TABLE log_pending (id BIGINT NOT NULL AUTO_INCREMENT,"
                           " event_id BIGINT NULL, record_id BIGINT NULL, PRIMARY KEY (id))")
                  .ok());
  ASSERT_TRUE(db_->Execute(absl::StrCat("INSERT INTO log_pending (event_id) SELECT id FROM"
                                        " complaint_events WHERE complaint_id = ",
                                        queued.complaint.id))
                  .ok());
  for (int run = 1; run <= 2; ++run) {
    for (const std::string& statement : SplitMigrationStatements(migration->sql)) {
      ASSERT_TRUE(db_->Execute(statement).ok()) << "run " << run << ": " << statement;
    }
    EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE"
                                 " AND complaint_id = ",
                                 queued.complaint.id)),
              1);
    EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE"
                                 " AND complaint_id = ",
                                 logged.complaint.id)),
              0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema ="
                    " DATABASE() AND table_name = 'log_pending'"),
              0);
  }
}

}  // namespace
}  // namespace dumas
