// Nothing acknowledged is lost when MariaDB or the server restarts, and the
// server recovers on its own. The test runs its own MariaDB through tools/db,
// so that it can stop and start it.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/dumas_server.h"
#include "storage/migrator.h"
#include "storage/mysql_store.h"
#include "tests/test_database.h"

namespace dumas {
namespace {

// A loopback TCP port that was free a moment ago.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// A MariaDB of its own, run by the project's tools/db script.
class PrivateMariaDb {
 public:
  PrivateMariaDb() : dir_(MakeDir()), port_(FreePort()) {}
  ~PrivateMariaDb() {
    Stop();
    std::filesystem::remove_all(dir_);
  }
  bool Start() { return Run(absl::StrCat("start '", dir_, "' ", port_)); }
  bool Stop() { return Run(absl::StrCat("stop '", dir_, "'")); }
  MySqlOptions Options() const {
    MySqlOptions options;
    options.socket = absl::StrCat(dir_, "/mysqld.sock");
    options.database = "dumas_restart";
    options.pool_size = 8;
    options.connect_timeout = absl::Seconds(2);
    options.acquire_timeout = absl::Seconds(2);
    return options;
  }

 private:
  static std::string MakeDir() {
    char pattern[] = "/tmp/dumas-restart-XXXXXX";
    return mkdtemp(pattern);
  }
  bool Run(const std::string& args) const {
    const std::string command = absl::StrCat(DUMAS_SOURCE_DIR, "/tools/db ", args);
    return std::system(command.c_str()) == 0;
  }
  const std::string dir_;
  const int port_;
};

v1::SubmitComplaintRequest Request(int sequence) {
  v1::SubmitComplaintRequest request;
  v1::Complaint* c = request.mutable_complaint();
  c->set_description("Laporan polisi saya tidak ditindaklanjuti selama tiga bulan.");
  c->mutable_incident_time()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(24)));
  c->set_incident_location("Polsek Palu Barat");
  c->set_category("categories/pelayanan-buruk");
  c->set_channel(v1::CHANNEL_EMAIL);
  c->set_reply_address("pelapor@example.id");
  c->mutable_subject()->set_unit("units/sat-reskrim");
  c->mutable_complainant()->set_full_name("Andi Pratama");
  c->mutable_complainant()->set_nik(absl::StrCat("727102010185", 1000 + sequence));
  return request;
}

class RestartRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.Start());
    ASSERT_TRUE(Migrate(db_.Options()).ok());
    auto key_file = testing::TestKeyFile::Create();
    ASSERT_TRUE(key_file.ok()) << key_file.status();
    key_file_ = *std::move(key_file);
    StartServer();
    auto token = store_->CreatePrincipal("restart-gateway", Role::kGateway, "", ChannelSet{Channel::kEmail});
    ASSERT_TRUE(token.ok()) << token.status();
    token_ = *token;
  }

  void StartServer() {
    auto keyring = key_file_->Load();
    ASSERT_TRUE(keyring.ok());
    auto store = MySqlStore::Open(db_.Options(), *std::move(keyring));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.health_interval = absl::Milliseconds(100);
    options.shutdown_grace = absl::Seconds(2);
    change_log_ = testing::StartTestChangeLog(*store_, db_.Options());
    auto server = DumasServer::Start(options, StoresOf(*store_, *change_log_));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::ComplaintService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void StopServer() {
    stub_.reset();
    server_.reset();
    change_log_.reset();
    store_.reset();
  }

  grpc::Status Submit(int sequence, v1::SubmitComplaintResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    return stub_->SubmitComplaint(&context, Request(sequence), response);
  }

  grpc::Status Track(const v1::SubmitComplaintResponse& submitted) {
    v1::TrackComplaintRequest request;
    request.set_reference_number(submitted.reference_number());
    request.set_tracking_code(submitted.tracking_code());
    v1::TrackComplaintResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->TrackComplaint(&context, request, &response);
  }

  PrivateMariaDb db_;
  std::unique_ptr<testing::TestKeyFile> key_file_;
  std::unique_ptr<MySqlStore> store_;
  std::unique_ptr<MySqlChangeLog> change_log_;
  std::unique_ptr<DumasServer> server_;
  std::unique_ptr<v1::ComplaintService::Stub> stub_;
  std::string token_;
};

TEST_F(RestartRecoveryTest, DatabaseRestartLosesNothingAndTheServerRecovers) {
  v1::SubmitComplaintResponse before;
  ASSERT_TRUE(Submit(1, &before).ok());

  ASSERT_TRUE(db_.Stop());
  v1::SubmitComplaintResponse during;
  const grpc::Status down = Submit(2, &during);
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE) << down.error_message();
  EXPECT_EQ(Track(before).error_code(), grpc::StatusCode::UNAVAILABLE);

  ASSERT_TRUE(db_.Start());
  grpc::Status status;
  v1::SubmitComplaintResponse after;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  do {
    status = Submit(3, &after);
    if (!status.ok()) absl::SleepFor(absl::Milliseconds(200));
  } while (!status.ok() && absl::Now() < deadline);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(Track(before).ok());
  EXPECT_TRUE(Track(after).ok());
}

TEST_F(RestartRecoveryTest, ServerRestartLosesNothing) {
  v1::SubmitComplaintResponse before;
  ASSERT_TRUE(Submit(1, &before).ok());
  StopServer();
  StartServer();
  EXPECT_TRUE(Track(before).ok());
}

}  // namespace
}  // namespace dumas
