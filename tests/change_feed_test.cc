// The change feed's guarantee, tested hard: 16 writers make about 2,000
// changes while COMMITs are cut at random (transactions rolled back, their
// auto-increment ids lost, later ids committing first), two consumers read the
// feed (one watching and killed and resumed again and again, one paging), and
// the server restarts once (a new sequencer takes over). Both consumers must
// end with every committed event exactly once, in revision order, and nothing
// else.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/dumas_server.h"
#include "storage/mysql_change_log.h"
#include "storage/mysql_store.h"
#include "tests/fault_proxy.h"
#include "tests/test_database.h"

namespace dumas {
namespace {

using testing::FaultProxy;

constexpr int kWriters = 16;
constexpr int kChanges = 2000;  // about; every writer stops once they are made

std::string NewUuid(uint64_t a, uint64_t b) {
  char out[37];
  std::snprintf(out, sizeof out, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
                static_cast<unsigned long long>(a & 0xffffffff),
                static_cast<unsigned long long>((a >> 32) & 0xffff),
                static_cast<unsigned long long>((a >> 48) & 0xfff),
                static_cast<unsigned long long>(b & 0xfff),
                static_cast<unsigned long long>((b >> 12) & 0xffffffffffff));
  return out;
}

// One dumasd: a store reaching MariaDB through the proxy, its change log
// (and so a candidate sequencer), and the gRPC server.
struct ServerProcess {
  std::unique_ptr<MySqlStore> store;
  std::unique_ptr<MySqlChangeLog> change_log;
  std::unique_ptr<DumasServer> server;
};

class ChangeFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = testing::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    const char* mysql_port = std::getenv("DUMAS_TEST_MYSQL_PORT");
    ASSERT_NE(mysql_port, nullptr) << "run through tools/test";
    auto proxy = FaultProxy::Start("127.0.0.1", std::atoi(mysql_port));
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = *std::move(proxy);
    auto key_file = testing::TestKeyFile::Create();
    ASSERT_TRUE(key_file.ok()) << key_file.status();
    key_file_ = *std::move(key_file);
    StartProcess();
    ASSERT_NE(process_, nullptr);
    auto gateway = process_->store->CreatePrincipal(
        "feed-gateway", Role::kGateway, "", ChannelSet{Channel::kWhatsapp});
    auto supervisor = process_->store->CreatePrincipal("feed-supervisor", Role::kSupervisor, "");
    auto oversight = process_->store->CreatePrincipal("feed-kompolnas", Role::kOversight, "");
    ASSERT_TRUE(gateway.ok() && supervisor.ok() && oversight.ok());
    gateway_ = *gateway;
    supervisor_ = *supervisor;
    oversight_ = *oversight;
  }

  void TearDown() override {
    process_.reset();
    proxy_.reset();
    database_.reset();
    key_file_.reset();
  }

  MySqlOptions ThroughProxy() const {
    MySqlOptions options = database_->options();
    options.socket.clear();
    options.host = "127.0.0.1";
    options.port = proxy_->port();
    options.pool_size = 32;
    options.connect_timeout = absl::Seconds(2);
    options.acquire_timeout = absl::Seconds(5);
    return options;
  }

  void StartProcess() {
    auto process = std::make_unique<ServerProcess>();
    auto keyring = key_file_->Load();
    ASSERT_TRUE(keyring.ok());
    auto store = MySqlStore::Open(ThroughProxy(), *std::move(keyring));
    ASSERT_TRUE(store.ok()) << store.status();
    process->store = *std::move(store);
    process->change_log = testing::StartTestChangeLog(*process->store, ThroughProxy());
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.shutdown_grace = absl::Seconds(2);
    options.heartbeat_interval = absl::Seconds(1);
    auto server = DumasServer::Start(options, StoresOf(*process->store, *process->change_log));
    ASSERT_TRUE(server.ok()) << server.status();
    process->server = *std::move(server);
    absl::MutexLock lock(&mu_);
    target_ = absl::StrCat("127.0.0.1:", process->server->port());
    process_ = std::move(process);
  }

  void RestartProcess() {
    std::unique_ptr<ServerProcess> old;
    {
      absl::MutexLock lock(&mu_);
      old = std::move(process_);
      target_.clear();
    }
    old->server->Shutdown();
    old.reset();
    StartProcess();
  }

  // The current server's address; empty while it restarts.
  std::string Target() {
    absl::MutexLock lock(&mu_);
    return target_;
  }

  int64_t Count(const std::string& sql) {
    auto n = database_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<testing::TestKeyFile> key_file_;
  absl::Mutex mu_;
  std::unique_ptr<ServerProcess> process_;
  std::string target_ ABSL_GUARDED_BY(mu_);
  std::string gateway_;
  std::string supervisor_;
  std::string oversight_;
};

// A client that follows the server across restarts.
class Client {
 public:
  explicit Client(std::function<std::string()> target) : target_(std::move(target)) {}
  v1::ComplaintService::Stub* complaints() {
    Refresh();
    return complaints_.get();
  }
  v1::IntegrationService::Stub* integration() {
    Refresh();
    return integration_.get();
  }

 private:
  void Refresh() {
    std::string target = target_();
    while (target.empty()) {
      absl::SleepFor(absl::Milliseconds(20));
      target = target_();
    }
    if (target == current_) return;
    current_ = target;
    auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    complaints_ = v1::ComplaintService::NewStub(channel);
    integration_ = v1::IntegrationService::NewStub(channel);
  }
  std::function<std::string()> target_;
  std::string current_;
  std::unique_ptr<v1::ComplaintService::Stub> complaints_;
  std::unique_ptr<v1::IntegrationService::Stub> integration_;
};

// What a consumer received: revisions (which must run 1, 2, 3, ...) and
// event names, and any break of the order.
struct Consumed {
  absl::Mutex mu;
  std::vector<int64_t> revisions ABSL_GUARDED_BY(mu);
  std::vector<std::string> events ABSL_GUARDED_BY(mu);
  std::vector<std::string> problems ABSL_GUARDED_BY(mu);

  int64_t last() {
    absl::MutexLock lock(&mu);
    return revisions.empty() ? 0 : revisions.back();
  }
  void Add(const v1::Change& change) {
    absl::MutexLock lock(&mu);
    const int64_t expected = revisions.empty() ? 1 : revisions.back() + 1;
    if (change.revision() != expected) {
      problems.push_back(absl::StrCat("expected revision ", expected, ", got ",
                                      change.revision()));
    }
    revisions.push_back(change.revision());
    events.push_back(change.event().name());
  }
};

TEST_F(ChangeFeedTest, ConsumersGetEveryCommittedEventOnceInOrderThroughFaultsAndARestart) {
  std::atomic<int> changes{0};
  std::atomic<bool> consumers_stop{false};
  std::atomic<int> acknowledged{0};
  auto target = [this] { return Target(); };
  auto authorize = [](grpc::ClientContext& context, const std::string& token) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  };

  // Writers: each complaint is submitted, verified, assigned, investigated
  // and noted, every call retried with its request_id until it is answered.
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Client client(target);
      uint64_t serial = 0;
      auto rid = [&] {
        ++serial;
        return NewUuid((uint64_t(w) << 40) | serial, serial * 7919 + w);
      };
      // Calls `rpc` until it answers something other than UNAVAILABLE/ABORTED
      // from a lost connection (at most 30 tries).
      auto retried = [&](auto&& call) {
        grpc::Status status;
        for (int attempt = 0; attempt < 30; ++attempt) {
          status = call();
          if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
              !(status.error_code() == grpc::StatusCode::ABORTED &&
                status.error_message().find("concurrent") != std::string::npos)) {
            break;
          }
          absl::SleepFor(absl::Milliseconds(20 + 10 * attempt));
        }
        return status;
      };
      while (changes.load() < kChanges) {
        v1::SubmitComplaintRequest submit;
        submit.set_request_id(rid());
        v1::Complaint* c = submit.mutable_complaint();
        c->set_description("Petugas meminta uang agar laporan saya diproses, tanpa kuitansi.");
        c->mutable_incident_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
        c->set_incident_location("Pos Lantas Jl. Diponegoro, Palu");
        c->set_category("categories/korupsi");
        c->set_channel(v1::CHANNEL_WHATSAPP);
        c->set_reply_address("081234567890");
        c->mutable_subject()->set_unit("units/sat-lantas");
        c->mutable_complainant()->set_full_name("Warga Palu");
        c->mutable_complainant()->set_nik(absl::StrCat("7271014509", 90 + w % 9, "0", 100 + w));
        v1::SubmitComplaintResponse submitted;
        grpc::Status status = retried([&] {
          grpc::ClientContext context;
          authorize(context, gateway_);
          return client.complaints()->SubmitComplaint(&context, submit, &submitted);
        });
        if (!status.ok()) continue;
        ++acknowledged;
        changes += 1;
        std::string name = submitted.complaint().name();
        std::string etag = submitted.complaint().etag();
        auto step = [&](auto method, auto request, auto response) {
          request.set_name(name);
          request.set_etag(etag);
          request.set_request_id(rid());
          grpc::Status s = retried([&] {
            grpc::ClientContext context;
            authorize(context, supervisor_);
            return (client.complaints()->*method)(&context, request, &response);
          });
          if (s.ok()) {
            etag = response.complaint().etag();
            ++acknowledged;
            changes += 1;
          }
          return s.ok();
        };
        if (!step(&v1::ComplaintService::Stub::VerifyComplaint, v1::VerifyComplaintRequest{},
                  v1::VerifyComplaintResponse{})) {
          continue;
        }
        if (!step(&v1::ComplaintService::Stub::AssignComplaint, v1::AssignComplaintRequest{},
                  v1::AssignComplaintResponse{})) {
          continue;
        }
        if (!step(&v1::ComplaintService::Stub::StartInvestigation,
                  v1::StartInvestigationRequest{}, v1::StartInvestigationResponse{})) {
          continue;
        }
        for (int n = 0; n < 3; ++n) {
          v1::AddComplaintNoteRequest note;
          note.set_text(absl::StrCat("Catatan ", n));
          if (!step(&v1::ComplaintService::Stub::AddComplaintNote, note,
                    v1::AddComplaintNoteResponse{})) {
            break;
          }
        }
      }
    });
  }

  // Consumer A watches, and is killed and resumed from its last revision.
  Consumed watched;
  std::atomic<int> kills{0};
  std::thread watcher([&] {
    Client client(target);
    while (!consumers_stop.load()) {
      grpc::ClientContext context;
      authorize(context, oversight_);
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      v1::WatchChangesRequest request;
      request.set_after_revision(watched.last());
      auto reader = client.integration()->WatchChanges(&context, request);
      v1::WatchChangesResponse message;
      int received = 0;
      // Killed after a while: the consumer process dies; it resumes.
      const int kill_after = 150 + 50 * (kills.load() % 4);
      while (reader->Read(&message)) {
        if (message.has_change()) {
          watched.Add(message.change());
          if (++received >= kill_after) {
            ++kills;
            context.TryCancel();
          }
        }
        if (consumers_stop.load()) context.TryCancel();
      }
      reader->Finish();
      absl::SleepFor(absl::Milliseconds(10));
    }
  });
  // Consumer B pages through ListChanges.
  Consumed paged;
  std::thread pager([&] {
    Client client(target);
    while (!consumers_stop.load()) {
      grpc::ClientContext context;
      authorize(context, oversight_);
      v1::ListChangesRequest request;
      request.set_after_revision(paged.last());
      request.set_page_size(200);
      v1::ListChangesResponse response;
      if (client.integration()->ListChanges(&context, request, &response).ok()) {
        for (const v1::Change& change : response.changes()) paged.Add(change);
        if (!response.changes().empty()) continue;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  });

  // Faults: COMMITs cut at random, most before they reach the server (rolled
  // back), some after (committed, the answer lost).
  std::atomic<bool> faults_stop{false};
  std::thread faults([&] {
    uint32_t seed = 12345;
    while (!faults_stop.load()) {
      seed = seed * 1103515245 + 12345;
      if (!proxy_->armed()) {
        FaultProxy::Fault fault;
        fault.cut = (seed >> 8) % 4 == 0 ? FaultProxy::Cut::kBeforeReply
                                         : FaultProxy::Cut::kBeforeForwarding;
        fault.skip = static_cast<int>((seed >> 12) % 40);
        proxy_->Arm(fault);
      }
      absl::SleepFor(absl::Milliseconds(15));
    }
    proxy_->Disarm();
  });

  // Halfway, the server restarts.
  while (changes.load() < kChanges / 2) absl::SleepFor(absl::Milliseconds(20));
  RestartProcess();
  for (std::thread& t : writers) t.join();
  faults_stop = true;
  faults.join();

  // Every committed event gets numbered, and both consumers catch up.
  int64_t events = 0;
  for (int i = 0; i < 600; ++i) {
    events = Count("SELECT COUNT(*) FROM complaint_events");
    if (Count("SELECT (SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE) +"
              " (SELECT COUNT(*) FROM log_records WHERE log_pending = TRUE)") == 0 &&
        Count("SELECT COUNT(*) FROM log_entries") == events && watched.last() == events &&
        paged.last() == events) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  consumers_stop = true;
  watcher.join();
  pager.join();

  const auto faults_made = proxy_->stats();
  std::printf("changes acknowledged %d, events committed %lld, cuts %lld+%lld, kills %d\n",
              acknowledged.load(), static_cast<long long>(events),
              static_cast<long long>(faults_made.cuts_before_forwarding),
              static_cast<long long>(faults_made.cuts_before_reply), kills.load());
  EXPECT_GE(acknowledged.load(), kChanges);
  EXPECT_GT(faults_made.cuts_before_forwarding, 20);
  EXPECT_GE(kills.load(), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM log_rejected"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM log_entries"), events);

  // The committed events, as the database holds them.
  std::set<std::string> committed;
  auto rows = database_->Query(
      "SELECT c.reference_number, e.id FROM complaint_events e"
      " JOIN complaints c ON c.id = e.complaint_id");
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const auto& row : *rows) {
    committed.insert(absl::StrCat("complaints/", row[0], "/events/", row[1]));
  }
  ASSERT_EQ(static_cast<int64_t>(committed.size()), events);
  for (Consumed* consumer : {&watched, &paged}) {
    absl::MutexLock lock(&consumer->mu);
    EXPECT_TRUE(consumer->problems.empty())
        << consumer->problems.size() << " breaks, first: " << consumer->problems.front();
    ASSERT_EQ(static_cast<int64_t>(consumer->revisions.size()), events);
    for (int64_t i = 0; i < events; ++i) ASSERT_EQ(consumer->revisions[i], i + 1);
    // Exactly the committed events: none missing, none repeated, none of a
    // rolled-back transaction.
    const std::set<std::string> received(consumer->events.begin(), consumer->events.end());
    EXPECT_EQ(received.size(), consumer->events.size());
    EXPECT_EQ(received, committed);
  }
}

}  // namespace
}  // namespace dumas
