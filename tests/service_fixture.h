// ServiceFixture: a Dumas server in-process on a free loopback port, over a
// fresh migrated database on the test MariaDB, with one principal per role,
// and a client stub that calls it through gRPC as any client would.
#ifndef DUMAS_TESTS_SERVICE_FIXTURE_H_
#define DUMAS_TESTS_SERVICE_FIXTURE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "dumas/v1/admin_service.grpc.pb.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "dumas/v1/notification_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "domain/complaint.h"
#include "server/dumas_server.h"
#include "storage/mysql_store.h"
#include "tests/test_database.h"

namespace dumas {

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Server options of the test; override before SetUp runs to change them.
  virtual ServerOptions Options() const;

  v1::ComplaintService::Stub& stub() { return *stub_; }
  v1::AdminService::Stub& admin() { return *admin_; }
  v1::NotificationService::Stub& notifications() { return *notifications_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  MySqlStore& store() { return *store_; }
  DumasServer& server() { return *server_; }
  MySqlChangeLog& change_log() { return *change_log_; }
  testing::TestDatabase& database() { return *database_; }
  // The path of the server's key file.
  const std::string& key_file_path() const { return key_file_->path(); }

  // The bearer token of the test principal with this role (UNIT: sat-lantas).
  const std::string& token(Role role) { return tokens_.at(role); }

  // A valid submission through WhatsApp, with a fresh request_id and a
  // distinct NIK sequence each call.
  v1::SubmitComplaintRequest ValidRequest();

  // Calls with `token` ("" sends no authorization metadata); Submit defaults
  // to the GATEWAY principal.
  grpc::Status Submit(const v1::SubmitComplaintRequest& request,
                      v1::SubmitComplaintResponse* response);
  grpc::Status Submit(const v1::SubmitComplaintRequest& request,
                      v1::SubmitComplaintResponse* response, const std::string& token);
  grpc::Status Track(const std::string& reference, const std::string& code,
                     v1::TrackComplaintResponse* response);
  // A client context carrying `token` ("" for none).
  static void Authorize(grpc::ClientContext& context, const std::string& token);

  grpc::Status Get(const std::string& name, v1::ComplaintView view, const std::string& token,
                   v1::GetComplaintResponse* response);

  // A new principal's token (UNIT principals need a unit id, GATEWAY
  // principals channels).
  std::string NewToken(const std::string& name, Role role, const std::string& unit_id = "",
                       ChannelSet channels = {});

  // Rows in the complaints table, read straight from the database.
  int64_t CountComplaints();

  // Another server on the same database, with a store (and so caches) of its
  // own, as another dumasd process would have.
  struct OtherServer {
    std::unique_ptr<MySqlStore> store;
    std::unique_ptr<MySqlChangeLog> change_log;
    std::unique_ptr<DumasServer> server;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::ComplaintService::Stub> complaints;
    std::unique_ptr<v1::AdminService::Stub> admin;
    std::unique_ptr<v1::NotificationService::Stub> notifications;
  };
  // With `principals`, the server authenticates through it instead.
  std::unique_ptr<OtherServer> StartOtherServer(const ServerOptions& options,
                                                PrincipalStore* principals = nullptr);

  // Stops the fixture's server and starts it again on the same database, with
  // a fresh store: nothing in memory survives. `while_stopped` runs in
  // between, when no server of the fixture's writes to the database (its
  // sequencer signs checkpoints on its own).
  void RestartServer(const std::function<void()>& while_stopped = {});

 private:
  std::unique_ptr<testing::TestKeyFile> key_file_;
  std::unique_ptr<testing::TestDatabase> database_;
  void StartServer();

  std::unique_ptr<MySqlStore> store_;
  std::unique_ptr<MySqlChangeLog> change_log_;
  std::unique_ptr<DumasServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ComplaintService::Stub> stub_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::NotificationService::Stub> notifications_;
  std::map<Role, std::string> tokens_;
  int next_sequence_ = 1;
};

}  // namespace dumas

#endif  // DUMAS_TESTS_SERVICE_FIXTURE_H_
