// Nothing acknowledged is lost, and nothing retried is duplicated, when the
// connection to MariaDB is lost at COMMIT. A Dumas server in-process reaches
// the test MariaDB through a FaultProxy (tests/fault_proxy.h) that cuts
// connections at COMMIT, either before forwarding it (the server rolls the
// transaction back) or before relaying the server's answer (committed, yet the
// client sees a lost connection). A cut COMMIT must answer UNAVAILABLE, never
// OK (OK only when the pool, for a call with a request_id, has run it again on
// a fresh connection and committed it or found it committed), and a retry with
// the same request_id must settle it: afterwards the database, read as root,
// holds every acknowledged submission and change exactly once.
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "domain/complaint.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/dumas_server.h"
#include "storage/mysql_store.h"
#include "tests/fault_proxy.h"
#include "tests/test_database.h"

namespace dumas {
namespace {

using testing::FaultProxy;

constexpr auto kUnavailable = grpc::StatusCode::UNAVAILABLE;

// How long a caller keeps retrying one call that answers UNAVAILABLE.
constexpr absl::Duration kRetryFor = absl::Seconds(30);

// A random version-4 UUID.
std::string NewUuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return absl::StrFormat(
      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
      b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

// The MariaDB that tools/test starts listens on 127.0.0.1 at this port.
int TestMySqlPort() {
  const char* port = std::getenv("DUMAS_TEST_MYSQL_PORT");
  int value = 0;
  if (port == nullptr || !absl::SimpleAtoi(port, &value)) return 0;
  return value;
}

// A submission through WhatsApp with a fresh request_id; `sequence` makes the
// NIK distinct.
v1::SubmitComplaintRequest NewSubmission(int sequence) {
  v1::SubmitComplaintRequest request;
  request.set_request_id(NewUuid());
  v1::Complaint* c = request.mutable_complaint();
  c->set_description(
      "Petugas meminta uang Rp 200.000 agar SIM saya diproses lebih cepat di loket.");
  c->mutable_incident_time()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(72)));
  c->set_incident_location("Kantor Satpas, Jl. Sam Ratulangi, Palu");
  c->set_category("categories/penyalahgunaan-wewenang");
  c->set_channel(v1::CHANNEL_WHATSAPP);
  c->set_reply_address("0812-3456-7890");
  c->mutable_subject()->set_unit("units/sat-lantas");
  v1::Complainant* who = c->mutable_complainant();
  who->set_full_name("Siti Rahmawati Lamasitudju");
  who->set_nik(absl::StrFormat("727101450990%04d", sequence % 10000));
  who->set_phone("+62 812 3456 7890");
  return request;
}

// Rows of a root query, each column as text.
using Rows = std::vector<std::vector<std::string>>;

class CommitSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    const int mysql_port = TestMySqlPort();
    ASSERT_GT(mysql_port, 0) << "DUMAS_TEST_MYSQL_PORT is not set: run the test through tools/test";
    auto database = testing::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    auto proxy = FaultProxy::Start("127.0.0.1", mysql_port);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = *std::move(proxy);
    auto key_file = testing::TestKeyFile::Create();
    ASSERT_TRUE(key_file.ok()) << key_file.status();
    key_file_ = *std::move(key_file);
    auto keyring = key_file_->Load();
    ASSERT_TRUE(keyring.ok()) << keyring.status();

    // The store reaches MariaDB only through the proxy.
    MySqlOptions options = database_->options();
    options.socket.clear();
    options.host = "127.0.0.1";
    options.port = proxy_->port();
    options.pool_size = 16;
    auto store = MySqlStore::Open(options, *std::move(keyring));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto gateway = store_->CreatePrincipal("commit-gateway", Role::kGateway, "", ChannelSet{Channel::kWhatsapp, Channel::kEmail, Channel::kWeb});
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *gateway;
    auto supervisor = store_->CreatePrincipal("commit-supervisor", Role::kSupervisor, "");
    ASSERT_TRUE(supervisor.ok()) << supervisor.status();
    supervisor_ = *supervisor;

    ServerOptions server_options;
    server_options.listen = "127.0.0.1:0";
    server_options.shutdown_grace = absl::Seconds(2);
    // The server's own passes (health, purges, deadlines, Anev) run once at
    // start and then not during the test: their commits go through the proxy
    // too, and must not take a cut armed for the call under test.
    server_options.health_interval = absl::Hours(1);
    server_options.anev.freeze_interval = absl::Hours(1);
    // The log's sequencer commits on connections of its own, straight to
    // MariaDB, so that every armed cut hits the call under test.
    auto log_keyring = key_file_->Load();
    ASSERT_TRUE(log_keyring.ok()) << log_keyring.status();
    auto log_store = MySqlStore::Open(database_->options(), *std::move(log_keyring));
    ASSERT_TRUE(log_store.ok()) << log_store.status();
    log_store_ = *std::move(log_store);
    change_log_ = testing::StartTestChangeLog(*log_store_, database_->options());
    auto server = DumasServer::Start(server_options, StoresOf(*store_, *change_log_));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::ComplaintService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    // The passes at start are over when nothing has gone through the proxy
    // for a while (they run back to back; a slow build takes seconds).
    int64_t seen = -1;
    absl::Time quiet_since = absl::Now();
    for (const absl::Time give_up = absl::Now() + absl::Seconds(30); absl::Now() < give_up;) {
      const int64_t commands = proxy_->stats().commands;
      if (commands != seen) {
        seen = commands;
        quiet_since = absl::Now();
      } else if (absl::Now() - quiet_since >= absl::Milliseconds(500)) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  void TearDown() override {
    stub_.reset();
    server_.reset();
    change_log_.reset();
    log_store_.reset();
    store_.reset();
    proxy_.reset();
    database_.reset();
    key_file_.reset();
  }

  void Prepare(grpc::ClientContext& context, const std::string& token) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }

  grpc::Status Submit(const v1::SubmitComplaintRequest& request,
                      v1::SubmitComplaintResponse* response) {
    grpc::ClientContext context;
    Prepare(context, gateway_);
    return stub_->SubmitComplaint(&context, request, response);
  }

  grpc::Status Verify(const v1::VerifyComplaintRequest& request,
                      v1::VerifyComplaintResponse* response) {
    grpc::ClientContext context;
    Prepare(context, supervisor_);
    return stub_->VerifyComplaint(&context, request, response);
  }

  grpc::Status Assign(const v1::AssignComplaintRequest& request,
                      v1::AssignComplaintResponse* response) {
    grpc::ClientContext context;
    Prepare(context, supervisor_);
    return stub_->AssignComplaint(&context, request, response);
  }

  // Calls `call` until it answers anything but UNAVAILABLE (each UNAVAILABLE
  // counted in `unavailable`), for at most kRetryFor.
  template <typename Call>
  static grpc::Status UntilAnswered(Call call, std::atomic<int>& unavailable) {
    const absl::Time give_up = absl::Now() + kRetryFor;
    for (;;) {
      grpc::Status status = call();
      if (status.error_code() != kUnavailable || absl::Now() >= give_up) return status;
      ++unavailable;
      absl::SleepFor(absl::Milliseconds(5));
    }
  }

  Rows Query(const std::string& sql) {
    auto rows = database_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *std::move(rows) : Rows();
  }
  int64_t QueryInt(const std::string& sql) {
    auto value = database_->QueryInt(sql);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.value_or(-1);
  }
  int64_t Cuts() {
    const FaultProxy::Stats stats = proxy_->stats();
    return stats.cuts_before_forwarding + stats.cuts_before_reply;
  }

  // Events of the complaint `reference` of this type, as stored.
  int64_t EventCount(const std::string& reference, const std::string& type) {
    return QueryInt(absl::StrCat(
        "SELECT COUNT(*) FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id"
        " WHERE c.reference_number = '", reference, "' AND e.type = '", type, "'"));
  }
  int64_t StoredState(const std::string& reference) {
    return QueryInt(absl::StrCat("SELECT state FROM complaints WHERE reference_number = '",
                                 reference, "'"));
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<testing::TestKeyFile> key_file_;
  std::unique_ptr<MySqlStore> store_;
  std::unique_ptr<MySqlStore> log_store_;
  std::unique_ptr<MySqlChangeLog> change_log_;
  std::unique_ptr<DumasServer> server_;
  std::unique_ptr<v1::ComplaintService::Stub> stub_;
  std::string gateway_;
  std::string supervisor_;
};

// One call at a time below, so that each cut hits the call under test.

// Without a request_id a call is never run again: a cut COMMIT answers
// UNAVAILABLE whether the transaction was rolled back or committed.
TEST_F(CommitSafetyTest, CutCommitWithoutRequestIdAnswersUnavailable) {
  v1::SubmitComplaintRequest rolled_back = NewSubmission(1);
  rolled_back.clear_request_id();
  v1::SubmitComplaintResponse response;
  proxy_->Arm({.cut = FaultProxy::Cut::kBeforeForwarding});
  grpc::Status status = Submit(rolled_back, &response);
  EXPECT_EQ(status.error_code(), kUnavailable) << status.error_message();
  EXPECT_EQ(Cuts(), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM complaints"), 0);

  v1::SubmitComplaintRequest committed = NewSubmission(2);
  committed.clear_request_id();
  proxy_->Arm({.cut = FaultProxy::Cut::kBeforeReply});
  status = Submit(committed, &response);
  EXPECT_EQ(status.error_code(), kUnavailable) << status.error_message();
  EXPECT_EQ(Cuts(), 2);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM complaints"), 1) << "committed, though unknown";
}

// With a request_id, a cut COMMIT the pool cannot settle answers UNAVAILABLE,
// and the caller's retry with the same request_id settles it: exactly one
// complaint, one event per change. Before each call every connection is
// closed, so the pool holds no connection that served an earlier call: its
// transaction runs on a fresh one (or on a stale one, re-run once on a fresh
// one), and a failure there is not run again.
TEST_F(CommitSafetyTest, CutCommitIsSettledByARetryWithTheSameRequestId) {
  using Cut = FaultProxy::Cut;
  int sequence = 0;
  for (const Cut cut : {Cut::kBeforeForwarding, Cut::kBeforeReply}) {
    SCOPED_TRACE(cut == Cut::kBeforeForwarding ? "cut before forwarding" : "cut before reply");
    const int64_t expected = cut == Cut::kBeforeReply ? 1 : 0;  // committed by the cut call

    const v1::SubmitComplaintRequest submit = NewSubmission(++sequence);
    v1::SubmitComplaintResponse complaint;
    proxy_->CloseAllConnections();
    proxy_->Arm({.cut = cut});
    grpc::Status status = Submit(submit, &complaint);
    EXPECT_EQ(status.error_code(), kUnavailable) << status.error_message();
    EXPECT_FALSE(proxy_->armed());
    EXPECT_EQ(QueryInt(absl::StrCat("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = '",
                                    submit.request_id(), "'")),
              expected);
    status = Submit(submit, &complaint);
    ASSERT_TRUE(status.ok()) << status.error_message();
    const std::string& reference = complaint.reference_number();
    EXPECT_EQ(QueryInt(absl::StrCat("SELECT COUNT(*) FROM complaints c"
                                    " JOIN idempotency_keys k ON k.complaint_id = c.id"
                                    " WHERE k.request_id = '", submit.request_id(),
                                    "' AND c.reference_number = '", reference, "'")),
              1);
    EXPECT_EQ(EventCount(reference, "RECEIVED"), 1);

    // The retry carries the etag read before the change: the request_id
    // makes it find the change instead of failing on the etag.
    v1::VerifyComplaintRequest verify;
    verify.set_name(complaint.complaint().name());
    verify.set_etag(complaint.complaint().etag());
    verify.set_request_id(NewUuid());
    v1::VerifyComplaintResponse verified;
    proxy_->CloseAllConnections();
    proxy_->Arm({.cut = cut});
    status = Verify(verify, &verified);
    EXPECT_EQ(status.error_code(), kUnavailable) << status.error_message();
    EXPECT_FALSE(proxy_->armed());
    EXPECT_EQ(EventCount(reference, "VERIFIED"), expected);
    status = Verify(verify, &verified);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(verified.complaint().state(), v1::COMPLAINT_STATE_VERIFIED);
    EXPECT_EQ(EventCount(reference, "VERIFIED"), 1);

    v1::AssignComplaintRequest assign;
    assign.set_name(complaint.complaint().name());
    assign.set_etag(verified.complaint().etag());
    assign.set_request_id(NewUuid());
    v1::AssignComplaintResponse assigned;
    proxy_->CloseAllConnections();
    proxy_->Arm({.cut = cut});
    status = Assign(assign, &assigned);
    EXPECT_EQ(status.error_code(), kUnavailable) << status.error_message();
    EXPECT_FALSE(proxy_->armed());
    EXPECT_EQ(EventCount(reference, "ASSIGNED"), expected);
    status = Assign(assign, &assigned);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(assigned.complaint().state(), v1::COMPLAINT_STATE_ASSIGNED);
    EXPECT_EQ(EventCount(reference, "ASSIGNED"), 1);
    EXPECT_EQ(StoredState(reference), static_cast<int>(ComplaintState::kAssigned));
  }
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM complaints"), 2);
  EXPECT_EQ(proxy_->stats().cuts_before_forwarding, 3);
  EXPECT_EQ(proxy_->stats().cuts_before_reply, 3);
}

// With a request_id on a connection that served an earlier call, the pool
// itself runs the transaction again on a fresh connection after a cut COMMIT:
// it commits it, or finds it committed, and answers OK for exactly one
// complaint. When that COMMIT is cut too, the caller hears UNAVAILABLE.
TEST_F(CommitSafetyTest, PoolSettlesACutCommitOfAnIdempotentCall) {
  using Cut = FaultProxy::Cut;
  v1::SubmitComplaintResponse warm;
  ASSERT_TRUE(Submit(NewSubmission(1), &warm).ok());  // leaves a used connection idle
  int sequence = 1;
  for (const Cut cut : {Cut::kBeforeForwarding, Cut::kBeforeReply}) {
    SCOPED_TRACE(cut == Cut::kBeforeForwarding ? "cut before forwarding" : "cut before reply");
    const v1::SubmitComplaintRequest submit = NewSubmission(++sequence);
    v1::SubmitComplaintResponse complaint;
    const int64_t cuts = Cuts();
    proxy_->Arm({.cut = cut});
    const grpc::Status status = Submit(submit, &complaint);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(Cuts(), cuts + 1);
    EXPECT_EQ(QueryInt(absl::StrCat("SELECT COUNT(*) FROM complaints c"
                                    " JOIN idempotency_keys k ON k.complaint_id = c.id"
                                    " WHERE k.request_id = '", submit.request_id(),
                                    "' AND c.reference_number = '",
                                    complaint.reference_number(), "'")),
              1);
  }
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM complaints"), 3);

  const v1::SubmitComplaintRequest submit = NewSubmission(++sequence);
  v1::SubmitComplaintResponse complaint;
  proxy_->Arm({.cut = Cut::kBeforeForwarding, .times = 2});
  const grpc::Status status = Submit(submit, &complaint);
  EXPECT_EQ(status.error_code(), kUnavailable) << status.error_message();
  EXPECT_EQ(proxy_->stats().cuts_before_forwarding, 3);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM complaints"), 3);
}

// Many callers at once, retrying with the same request_id on UNAVAILABLE,
// while COMMITs are cut both ways, again and again.
TEST_F(CommitSafetyTest, ConcurrentCallersLoseNothingAcknowledgedAcrossCutCommits) {
  constexpr int kSubmitters = 16;
  constexpr int kChangers = 16;
  constexpr int kCutsOfEachKind = 100;

  absl::Mutex mu;
  std::map<std::string, std::string> acknowledged;  // request_id -> reference number
  std::set<std::string> changed;                    // verified, then assigned
  std::vector<std::string> failures;
  std::atomic<int> sequence{0};
  std::atomic<bool> stop{false};
  std::atomic<int> submitted{0}, verified{0}, assigned{0};
  std::atomic<int> unavailable_submit{0}, unavailable_verify{0}, unavailable_assign{0};

  auto fail = [&](std::string what, const grpc::Status& status) {
    absl::MutexLock lock(&mu);
    failures.push_back(absl::StrCat(what, ": ", status.error_code(), " ", status.error_message()));
  };
  // Submits one new complaint until answered; false after a failure.
  auto submit_one = [&](v1::SubmitComplaintResponse* response) {
    const v1::SubmitComplaintRequest request = NewSubmission(++sequence);
    const grpc::Status status =
        UntilAnswered([&] { return Submit(request, response); }, unavailable_submit);
    if (!status.ok()) {
      fail("SubmitComplaint", status);
      return false;
    }
    ++submitted;
    absl::MutexLock lock(&mu);
    acknowledged.emplace(request.request_id(), response->reference_number());
    return true;
  };

  std::vector<std::thread> callers;
  for (int i = 0; i < kSubmitters; ++i) {
    callers.emplace_back([&] {
      v1::SubmitComplaintResponse response;
      while (!stop && submit_one(&response)) {
      }
    });
  }
  for (int i = 0; i < kChangers; ++i) {
    callers.emplace_back([&] {
      while (!stop) {
        v1::SubmitComplaintResponse complaint;
        if (!submit_one(&complaint)) return;

        v1::VerifyComplaintRequest verify;
        verify.set_name(complaint.complaint().name());
        verify.set_etag(complaint.complaint().etag());
        verify.set_request_id(NewUuid());
        v1::VerifyComplaintResponse verify_response;
        grpc::Status status =
            UntilAnswered([&] { return Verify(verify, &verify_response); }, unavailable_verify);
        if (!status.ok()) return fail("VerifyComplaint", status);
        ++verified;

        v1::AssignComplaintRequest assign;
        assign.set_name(complaint.complaint().name());
        assign.set_etag(verify_response.complaint().etag());
        assign.set_request_id(NewUuid());
        v1::AssignComplaintResponse assign_response;
        status =
            UntilAnswered([&] { return Assign(assign, &assign_response); }, unavailable_assign);
        if (!status.ok()) return fail("AssignComplaint", status);
        ++assigned;
        absl::MutexLock lock(&mu);
        changed.insert(complaint.reference_number());
      }
    });
  }

  // Cuts, alternating the kinds, each at one of the next few COMMITs.
  const absl::Time started = absl::Now();
  for (int cut = 1; cut <= 2 * kCutsOfEachKind; ++cut) {
    FaultProxy::Fault fault;
    fault.cut = cut % 2 == 1 ? FaultProxy::Cut::kBeforeForwarding : FaultProxy::Cut::kBeforeReply;
    fault.skip = static_cast<int>(randombytes_uniform(4));
    proxy_->Arm(fault);
    if (!proxy_->AwaitCuts(cut, absl::Now() + absl::Seconds(10))) {
      ADD_FAILURE() << "cut " << cut << " was not made within 10 s";
      break;
    }
  }
  proxy_->Disarm();
  stop = true;
  for (std::thread& caller : callers) caller.join();
  const FaultProxy::Stats stats = proxy_->stats();
  EXPECT_THAT(failures, ::testing::IsEmpty());

  // What the database holds, read as root.
  std::map<std::string, int> complaints;  // reference number -> rows
  std::map<std::string, int64_t> states;
  for (const auto& row : Query("SELECT reference_number, state FROM complaints")) {
    ++complaints[row[0]];
    int64_t state = 0;
    EXPECT_TRUE(absl::SimpleAtoi(row[1], &state));
    states[row[0]] = state;
  }
  std::map<std::string, std::string> keys;  // request_id -> reference number
  for (const auto& row : Query("SELECT k.request_id, c.reference_number FROM idempotency_keys k"
                               " JOIN complaints c ON c.id = k.complaint_id")) {
    keys[row[0]] = row[1];
  }
  std::map<std::pair<std::string, std::string>, int64_t> events;  // (reference, type) -> rows
  for (const auto& row : Query("SELECT c.reference_number, e.type, COUNT(*)"
                               " FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id"
                               " GROUP BY c.reference_number, e.type")) {
    absl::SimpleAtoi(row[2], &events[{row[0], row[1]}]);
  }
  std::map<std::pair<std::string, std::string>, int64_t> notifications;  // (reference, kind)
  for (const auto& row : Query("SELECT c.reference_number, n.kind, COUNT(*)"
                               " FROM notifications n JOIN complaints c ON c.id = n.complaint_id"
                               " GROUP BY c.reference_number, n.kind")) {
    absl::SimpleAtoi(row[2], &notifications[{row[0], row[1]}]);
  }

  const auto count = [](const auto& rows, const auto& key) -> int64_t {
    const auto it = rows.find(key);
    return it == rows.end() ? 0 : it->second;
  };
  int64_t stored_events = 0;
  for (const auto& [key, rows] : events) stored_events += rows;
  int64_t stored_notifications = 0;
  for (const auto& [key, rows] : notifications) stored_notifications += rows;

  // Every acknowledged submission is there once (its complaint, idempotency
  // record, RECEIVED event and receipt), and nothing else is: each retry found
  // its first attempt instead of adding a complaint.
  int missing = 0, wrong_record = 0, wrong_received = 0, wrong_receipt = 0;
  for (const auto& [request_id, reference] : acknowledged) {
    missing += complaints.count(reference) == 0;
    const auto key = keys.find(request_id);
    wrong_record += key == keys.end() || key->second != reference;
    wrong_received += count(events, std::pair{reference, std::string("RECEIVED")}) != 1;
    wrong_receipt += count(notifications, std::pair{reference, std::string("1")}) != 1;
  }
  EXPECT_EQ(missing, 0) << "acknowledged complaints missing from the database";
  EXPECT_EQ(wrong_record, 0) << "idempotency records missing or pointing elsewhere";
  EXPECT_EQ(wrong_received, 0) << "complaints without exactly one RECEIVED event";
  EXPECT_EQ(wrong_receipt, 0) << "complaints without exactly one receipt";
  EXPECT_EQ(complaints.size(), acknowledged.size()) << "complaints nobody was told about";
  EXPECT_EQ(keys.size(), acknowledged.size());

  // Every acknowledged change is there once: one VERIFIED and one ASSIGNED
  // event, one SP3D letter, the state ASSIGNED.
  int changes_missing = 0, changes_repeated = 0, wrong_sp3d = 0, wrong_state = 0;
  for (const std::string& reference : changed) {
    const int64_t verified_events = count(events, std::pair{reference, std::string("VERIFIED")});
    const int64_t assigned_events = count(events, std::pair{reference, std::string("ASSIGNED")});
    changes_missing += (verified_events == 0) + (assigned_events == 0);
    changes_repeated += (verified_events > 1) + (assigned_events > 1);
    wrong_sp3d += count(notifications, std::pair{reference, std::string("2")}) != 1;
    wrong_state += count(states, reference) != static_cast<int>(ComplaintState::kAssigned);
  }
  EXPECT_EQ(changes_missing, 0) << "acknowledged changes missing from the database";
  EXPECT_EQ(changes_repeated, 0) << "changes recorded more than once";
  EXPECT_EQ(wrong_sp3d, 0) << "assigned complaints without exactly one SP3D letter";
  EXPECT_EQ(wrong_state, 0) << "changed complaints not in state ASSIGNED";
  EXPECT_EQ(stored_events, static_cast<int64_t>(acknowledged.size() + 2 * changed.size()))
      << "events besides those acknowledged";
  EXPECT_EQ(stored_notifications, static_cast<int64_t>(acknowledged.size() + changed.size()))
      << "notifications besides those acknowledged";

  EXPECT_EQ(stats.cuts_before_forwarding, kCutsOfEachKind);
  EXPECT_EQ(stats.cuts_before_reply, kCutsOfEachKind);
  std::cout << "cut COMMITs: " << stats.cuts_before_forwarding << " before forwarding, "
            << stats.cuts_before_reply << " before the reply, in "
            << absl::FormatDuration(absl::Now() - started) << "; connections "
            << stats.connections << "\nacknowledged: " << submitted << " submissions, "
            << verified << " verifications, " << assigned << " assignments ("
            << changed.size() << " complaints changed)"
            << "\nUNAVAILABLE answers retried: " << unavailable_submit << " submit, "
            << unavailable_verify << " verify, " << unavailable_assign << " assign"
            << "\nfound in the database: " << complaints.size() << " complaints, " << keys.size()
            << " idempotency records, " << stored_events << " events, " << stored_notifications
            << " notifications; missing: " << missing << " complaints, " << changes_missing
            << " changes\n";
}

}  // namespace
}  // namespace dumas
