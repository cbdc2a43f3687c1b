// Transport security: TLS and mutual TLS through gRPC, against a real
// MariaDB. The certificates are made at test time by
// tests/tls/make_test_certs (a test CA, the server, clients of that CA, an
// expired one and one of another CA).
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The test certificates, made once for the whole suite.
class TransportSecurityTest : public ServiceFixture {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/dumas-tls-test.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = new std::string(dir_template);
    const std::string command = absl::StrCat(DUMAS_SOURCE_DIR, "/tests/tls/make_test_certs ",
                                             *dir_, " >/dev/null");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() {
    if (dir_ == nullptr) return;
    const std::string command = absl::StrCat("rm -rf ", *dir_);
    (void)std::system(command.c_str());
    delete dir_;
    dir_ = nullptr;
  }

  static std::string File(const std::string& name) { return absl::StrCat(*dir_, "/", name); }

  // A server on this fixture's database serving plaintext on loopback and
  // TLS, asking clients for certificates as `clients` says.
  std::unique_ptr<OtherServer> StartTlsServer(ClientCertificates clients) {
    ServerOptions options = Options();
    options.tls_listen = "127.0.0.1:0";
    options.tls.certificate_file = File("server.pem");
    options.tls.private_key_file = File("server.key");
    options.tls.client_certificates = clients;
    if (clients != ClientCertificates::kNone) options.tls.client_ca_file = File("ca.pem");
    return StartOtherServer(options);
  }

  // A TLS channel to `server` that trusts the test CA and presents the
  // client certificate `client` ("" for none).
  static std::shared_ptr<grpc::Channel> TlsChannel(const OtherServer& server,
                                                   const std::string& client,
                                                   const std::string& ca = "ca.pem") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(File(ca));
    if (!client.empty()) {
      ssl.pem_cert_chain = ReadFile(File(client + ".pem"));
      ssl.pem_private_key = ReadFile(File(client + ".key"));
    }
    return grpc::CreateChannel(absl::StrCat("localhost:", server.server->tls_port()),
                               grpc::SslCredentials(ssl));
  }

  // Submits through `channel` with `token` ("" for none).
  grpc::Status SubmitOver(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& token) {
    auto stub = v1::ComplaintService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    Authorize(context, token);
    v1::SubmitComplaintResponse response;
    return stub->SubmitComplaint(&context, ValidRequest(), &response);
  }

  // Lists the categories (a public method) through `channel`.
  static grpc::Status ListCategoriesOver(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::ComplaintService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::ListCategoriesRequest request;
    v1::ListCategoriesResponse response;
    return stub->ListCategories(&context, request, &response);
  }

  // A GATEWAY principal of every channel bound to `identity`.
  std::string NewCertificatePrincipal(const std::string& name, const std::string& identity,
                                      bool token_required) {
    Principal principal;
    principal.name = name;
    principal.role = Role::kGateway;
    for (int c = 1; c <= kMaxChannel; ++c) principal.channels.insert(static_cast<Channel>(c));
    principal.certificate_identity = identity;
    principal.token_required = token_required;
    auto created = store().CreatePrincipalWithToken(principal);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->second : "";
  }

  static std::string* dir_;
};

std::string* TransportSecurityTest::dir_ = nullptr;

TEST_F(TransportSecurityTest, TlsCallsWithBearerTokens) {
  auto server = StartTlsServer(ClientCertificates::kNone);
  ASSERT_NE(server, nullptr);
  auto channel = TlsChannel(*server, "");
  EXPECT_TRUE(ListCategoriesOver(channel).ok());
  EXPECT_TRUE(SubmitOver(channel, token(Role::kGateway)).ok());
  EXPECT_EQ(SubmitOver(channel, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A client that does not trust the server's CA does not get through.
  EXPECT_EQ(ListCategoriesOver(TlsChannel(*server, "", "other/ca.pem")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TransportSecurityTest, CertificateAloneAuthenticatesItsPrincipal) {
  NewCertificatePrincipal("gateway-wa-cert", "dns:gateway-wa.test", /*token_required=*/false);
  NewCertificatePrincipal("kompolnas-cert", "uri:spiffe://kompolnas.test/mirror",
                          /*token_required=*/false);
  auto server = StartTlsServer(ClientCertificates::kRequired);
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(SubmitOver(TlsChannel(*server, "gateway"), "").ok());
  EXPECT_TRUE(SubmitOver(TlsChannel(*server, "kompolnas"), "").ok());
  // The token of another principal beside the certificate is refused.
  EXPECT_EQ(SubmitOver(TlsChannel(*server, "gateway"), token(Role::kIntake)).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TransportSecurityTest, CertificateAndTokenAsTwoFactors) {
  const std::string two_factor =
      NewCertificatePrincipal("gateway-wa-2fa", "dns:gateway-wa.test", /*token_required=*/true);
  ASSERT_FALSE(two_factor.empty());
  auto server = StartTlsServer(ClientCertificates::kOptional);
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(SubmitOver(TlsChannel(*server, "gateway"), two_factor).ok());
  EXPECT_EQ(SubmitOver(TlsChannel(*server, "gateway"), "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The token without the certificate: neither over TLS nor in plaintext.
  EXPECT_EQ(SubmitOver(TlsChannel(*server, ""), two_factor).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SubmitOver(server->channel, two_factor).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A principal without a certificate identity still calls by token alone.
  EXPECT_TRUE(SubmitOver(TlsChannel(*server, ""), token(Role::kGateway)).ok());
}

TEST_F(TransportSecurityTest, RefusedClientCertificates) {
  NewCertificatePrincipal("revoked-cert", "dns:revoked.test", /*token_required=*/false);
  NewCertificatePrincipal("expired-cert", "dns:expired.test", /*token_required=*/false);
  ASSERT_TRUE(store().RevokePrincipal("revoked-cert").ok());
  auto server = StartTlsServer(ClientCertificates::kRequired);
  ASSERT_NE(server, nullptr);
  // No certificate, one of an unknown CA, an expired one: no handshake.
  EXPECT_EQ(ListCategoriesOver(TlsChannel(*server, "")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListCategoriesOver(TlsChannel(*server, "stranger")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListCategoriesOver(TlsChannel(*server, "expired")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Mapped to a revoked principal: the handshake passes, the calls are
  // refused, with or without a token.
  EXPECT_EQ(SubmitOver(TlsChannel(*server, "revoked"), "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SubmitOver(TlsChannel(*server, "revoked"), token(Role::kGateway)).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A certificate of the CA that no principal is bound to calls by token.
  EXPECT_TRUE(SubmitOver(TlsChannel(*server, "kompolnas"), token(Role::kGateway)).ok());
}

TEST_F(TransportSecurityTest, ReloadKeepsOpenConnectionsAndServesTheNewCertificate) {
  const std::string live = File("live");
  ASSERT_EQ(std::system(absl::StrCat("cp ", File("server.pem"), " ", live, ".pem && cp ",
                                     File("server.key"), " ", live, ".key")
                            .c_str()),
            0);
  ServerOptions options = Options();
  options.tls_listen = "127.0.0.1:0";
  options.tls.certificate_file = live + ".pem";
  options.tls.private_key_file = live + ".key";
  auto server = StartOtherServer(options);
  ASSERT_NE(server, nullptr);
  auto old_channel = TlsChannel(*server, "");
  ASSERT_TRUE(ListCategoriesOver(old_channel).ok());

  // A server certificate of another CA; a broken file is refused first and
  // the old material kept.
  ASSERT_EQ(std::system(absl::StrCat("echo broken > ", live, ".pem").c_str()), 0);
  EXPECT_EQ(server->server->ReloadTls().status().code(), absl::StatusCode::kInvalidArgument);
  const std::string command =
      absl::StrCat(DUMAS_SOURCE_DIR, "/tools/certs server ", File("other"),
                   " server DNS:localhost IP:127.0.0.1 && cp ", File("other/server.pem"), " ",
                   live, ".pem && cp ", File("other/server.key"), " ", live, ".key");
  ASSERT_EQ(std::system(command.c_str()), 0);
  ASSERT_TRUE(server->server->ReloadTls().ok());

  // The connection made before keeps working; new ones get the new
  // certificate within the refresh interval.
  EXPECT_TRUE(ListCategoriesOver(old_channel).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool served_new = false;
  while (!served_new && absl::Now() < deadline) {
    served_new = ListCategoriesOver(TlsChannel(*server, "", "other/ca.pem")).ok();
    if (!served_new) absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_TRUE(served_new);
  EXPECT_TRUE(ListCategoriesOver(old_channel).ok());
}

TEST(ListenerTest, PlaintextBeyondLoopbackIsRefused) {
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  absl::Status status = DumasServer::CheckOptions(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("--allow_plaintext_on_any_address"), absl::string_view::npos);
  options.allow_plaintext_on_any_address = true;
  EXPECT_TRUE(DumasServer::CheckOptions(options).ok());
  options.allow_plaintext_on_any_address = false;
  options.listen = "127.0.0.1:0";
  EXPECT_TRUE(DumasServer::CheckOptions(options).ok());
  options.listen = "";
  EXPECT_EQ(DumasServer::CheckOptions(options).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dumas
