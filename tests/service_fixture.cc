#include "tests/service_fixture.h"

#include <sodium.h>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace dumas {
namespace {

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

}  // namespace

ServerOptions ServiceFixture::Options() const {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Seconds(2);
  options.health_interval = absl::Milliseconds(200);
  // Revocations in tests take effect at once.
  options.token_cache_ttl = absl::ZeroDuration();
  return options;
}

void ServiceFixture::SetUp() {
  ASSERT_GE(sodium_init(), 0);
  auto t = testing::TestStore::Create();
  ASSERT_TRUE(t.ok()) << t.status();
  database_ = std::move(t->database);
  key_file_ = std::move(t->key_file);
  store_ = std::move(t->store);

  for (Role role : {Role::kGateway, Role::kIntake, Role::kUnit, Role::kSupervisor,
                    Role::kOversight, Role::kAdmin}) {
    const std::string unit = role == Role::kUnit ? "sat-lantas" : "";
    // The test gateway serves every channel; tests of channel binding make
    // their own.
    ChannelSet channels;
    if (role == Role::kGateway) {
      for (int c = 1; c <= kMaxChannel; ++c) channels.insert(static_cast<Channel>(c));
    }
    auto token =
        store_->CreatePrincipal(absl::StrCat("test-", RoleName(role)), role, unit, channels);
    ASSERT_TRUE(token.ok()) << token.status();
    tokens_[role] = *token;
  }

  StartServer();
}

void ServiceFixture::StartServer() {
  change_log_ = testing::StartTestChangeLog(*store_, database_->options());
  auto server = DumasServer::Start(Options(), StoresOf(*store_, *change_log_));
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                 grpc::InsecureChannelCredentials());
  stub_ = v1::ComplaintService::NewStub(channel_);
  admin_ = v1::AdminService::NewStub(channel_);
  notifications_ = v1::NotificationService::NewStub(channel_);
}

void ServiceFixture::RestartServer(const std::function<void()>& while_stopped) {
  stub_.reset();
  admin_.reset();
  notifications_.reset();
  channel_.reset();
  server_.reset();
  change_log_.reset();
  store_.reset();
  if (while_stopped) while_stopped();
  auto keyring = key_file_->Load();
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  auto store = MySqlStore::Open(database_->options(), *std::move(keyring));
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
  StartServer();
}

std::unique_ptr<ServiceFixture::OtherServer> ServiceFixture::StartOtherServer(
    const ServerOptions& options, PrincipalStore* principals) {
  auto other = std::make_unique<OtherServer>();
  auto keyring = key_file_->Load();
  EXPECT_TRUE(keyring.ok()) << keyring.status();
  if (!keyring.ok()) return nullptr;
  auto store = MySqlStore::Open(database_->options(), *std::move(keyring));
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return nullptr;
  other->store = *std::move(store);
  other->change_log = testing::StartTestChangeLog(*other->store, database_->options());
  Stores stores = StoresOf(*other->store, *other->change_log);
  auto server = DumasServer::Start(
      options, principals == nullptr
                   ? stores
                   : Stores{stores.complaints, *principals, stores.reference_data, stores.cases,
                            stores.notifications, stores.admin, stores.throttle,
                            stores.deadlines, stores.change_log, stores.anev});
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  other->server = *std::move(server);
  other->channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", other->server->port()),
                                       grpc::InsecureChannelCredentials());
  other->complaints = v1::ComplaintService::NewStub(other->channel);
  other->admin = v1::AdminService::NewStub(other->channel);
  other->notifications = v1::NotificationService::NewStub(other->channel);
  return other;
}

std::string ServiceFixture::NewToken(const std::string& name, Role role,
                                     const std::string& unit_id, ChannelSet channels) {
  auto token = store_->CreatePrincipal(name, role, unit_id, channels);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

void ServiceFixture::Authorize(grpc::ClientContext& context, const std::string& token) {
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

void ServiceFixture::TearDown() {
  stub_.reset();
  admin_.reset();
  notifications_.reset();
  channel_.reset();
  server_.reset();
  change_log_.reset();
  store_.reset();
  database_.reset();
  key_file_.reset();
}

v1::SubmitComplaintRequest ServiceFixture::ValidRequest() {
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
  c->mutable_subject()->set_officer_name("Brigadir A.");
  v1::Complainant* who = c->mutable_complainant();
  who->set_full_name("Siti Rahmawati Lamasitudju");
  // 72 71 01: Palu; 45 09 90: a woman born 5 September 1990.
  who->set_nik(absl::StrFormat("727101450990%04d", next_sequence_++));
  who->set_phone("+62 812 3456 7890");
  who->set_email("siti.rahma@example.id");
  who->set_address("Jl. Moh. Hatta No. 7, Palu Timur");
  return request;
}

grpc::Status ServiceFixture::Submit(const v1::SubmitComplaintRequest& request,
                                    v1::SubmitComplaintResponse* response) {
  return Submit(request, response, token(Role::kGateway));
}

grpc::Status ServiceFixture::Submit(const v1::SubmitComplaintRequest& request,
                                    v1::SubmitComplaintResponse* response,
                                    const std::string& token) {
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return stub_->SubmitComplaint(&context, request, response);
}

grpc::Status ServiceFixture::Track(const std::string& reference, const std::string& code,
                                   v1::TrackComplaintResponse* response) {
  v1::TrackComplaintRequest request;
  request.set_reference_number(reference);
  request.set_tracking_code(code);
  grpc::ClientContext context;
  return stub_->TrackComplaint(&context, request, response);
}

grpc::Status ServiceFixture::Get(const std::string& name, v1::ComplaintView view,
                                 const std::string& token, v1::GetComplaintResponse* response) {
  v1::GetComplaintRequest request;
  request.set_name(name);
  request.set_view(view);
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return stub_->GetComplaint(&context, request, response);
}

int64_t ServiceFixture::CountComplaints() {
  auto count = database_->QueryInt("SELECT COUNT(*) FROM complaints");
  EXPECT_TRUE(count.ok()) << count.status();
  return count.value_or(-1);
}

}  // namespace dumas
