#include "dumas/client.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "google/rpc/error_details.pb.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/impl/codegen/rpc_method.h"
#include "google/rpc/status.pb.h"

namespace dumas::client {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string TrimLine(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

}  // namespace

std::optional<ChannelOptions> ChannelOptions::FromEnvironment(std::string* error) {
  ChannelOptions options;
  if (std::string address = Env("DUMAS_ADDRESS"); !address.empty()) options.target = address;
  if (std::string file = Env("DUMAS_TOKEN_FILE"); !file.empty()) {
    if (!ReadFile(file, &options.token)) {
      *error = "cannot read DUMAS_TOKEN_FILE " + file;
      return std::nullopt;
    }
    options.token = TrimLine(options.token);
  } else {
    options.token = Env("DUMAS_TOKEN");
  }
  if (std::string file = Env("DUMAS_CA_FILE"); !file.empty()) {
    if (!ReadFile(file, &options.ca_pem)) {
      *error = "cannot read DUMAS_CA_FILE " + file;
      return std::nullopt;
    }
    options.security = Security::kTls;
  }
  const std::string cert = Env("DUMAS_CERT_FILE");
  const std::string key = Env("DUMAS_KEY_FILE");
  if (cert.empty() != key.empty()) {
    *error = "DUMAS_CERT_FILE and DUMAS_KEY_FILE go together: set both or neither";
    return std::nullopt;
  }
  if (!cert.empty()) {
    if (!ReadFile(cert, &options.certificate_pem) || !ReadFile(key, &options.private_key_pem)) {
      *error = "cannot read DUMAS_CERT_FILE or DUMAS_KEY_FILE";
      return std::nullopt;
    }
    options.security = Security::kMutualTls;
  }
  options.server_name = Env("DUMAS_SERVER_NAME");
  return options;
}

std::shared_ptr<grpc::Channel> MakeChannel(const ChannelOptions& options) {
  grpc::ChannelArguments args;
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.security == ChannelOptions::Security::kPlaintext) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.ca_pem;
    if (options.security == ChannelOptions::Security::kMutualTls) {
      ssl.pem_cert_chain = options.certificate_pem;
      ssl.pem_private_key = options.private_key_pem;
    }
    credentials = grpc::SslCredentials(ssl);
    if (!options.server_name.empty()) {
      args.SetSslTargetNameOverride(options.server_name);
    }
  }
  return grpc::CreateCustomChannel(options.target, credentials, args);
}

std::vector<FieldViolation> FieldViolations(const grpc::Status& status) {
  std::vector<FieldViolation> out;
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) {
    return out;
  }
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (!any.UnpackTo(&bad_request)) continue;
    for (const auto& v : bad_request.field_violations()) out.push_back({v.field(), v.description()});
  }
  return out;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const uint64_t a = random();
  const uint64_t b = random();
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    id.push_back(kHex[bytes[i] >> 4]);
    id.push_back(kHex[bytes[i] & 0xf]);
  }
  return id;
}

bool SafeToRetry(const google::protobuf::Message& request) {
  const google::protobuf::Descriptor* descriptor = request.GetDescriptor();
  const google::protobuf::FieldDescriptor* id = descriptor->FindFieldByName("request_id");
  if (id != nullptr && id->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
      !id->is_repeated()) {
    return !request.GetReflection()->GetString(request, id).empty();
  }
  const std::string& name = descriptor->name();
  for (std::string_view read : {"Get", "List", "Track", "Check"}) {
    if (StartsWith(name, read)) return true;
  }
  return EndsWith(name, "ProofRequest");
}

bool RetryableCode(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

Connection::Connection(const ChannelOptions& options, CallPolicy policy)
    : channel_(MakeChannel(options)), token_(options.token), policy_(policy) {}

Connection::Connection(std::shared_ptr<grpc::Channel> channel, std::string token,
                       CallPolicy policy)
    : channel_(std::move(channel)), token_(std::move(token)), policy_(policy) {}

std::unique_ptr<grpc::ClientContext> Connection::NewContext(
    std::chrono::milliseconds timeout) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) context->AddMetadata("authorization", "Bearer " + token_);
  if (timeout.count() == 0) timeout = policy_.attempt_timeout;
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

grpc::Status Connection::CallMethod(const google::protobuf::MethodDescriptor& method,
                                    google::protobuf::Message& request,
                                    google::protobuf::Message* response) const {
  EnsureRequestId(request);
  const std::string path = "/" + method.service()->full_name() + "/" + method.name();
  const grpc::internal::RpcMethod rpc(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC,
                                      channel_);
  return Retry(request, [&](grpc::ClientContext* context) {
    response->Clear();
    return grpc::internal::BlockingUnaryCall<google::protobuf::Message, google::protobuf::Message>(
        channel_.get(), rpc, context, request, response);
  });
}

void Connection::EnsureRequestId(google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* id =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (id == nullptr || id->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      id->is_repeated()) {
    return;
  }
  if (request.GetReflection()->GetString(request, id).empty()) {
    request.GetReflection()->SetString(&request, id, NewRequestId());
  }
}

grpc::Status Connection::Retry(
    const google::protobuf::Message& request,
    const std::function<grpc::Status(grpc::ClientContext*)>& attempt) const {
  const int attempts = SafeToRetry(request) ? std::max(1, policy_.max_attempts) : 1;
  std::chrono::milliseconds backoff = policy_.initial_backoff;
  thread_local std::mt19937 random{std::random_device{}()};
  grpc::Status status;
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) {
      // Full jitter: callers retrying together do not come back together.
      std::uniform_int_distribution<long> wait(backoff.count() / 2, backoff.count());
      std::this_thread::sleep_for(std::chrono::milliseconds(wait(random)));
      backoff = std::min(policy_.max_backoff, backoff * 2);
    }
    std::unique_ptr<grpc::ClientContext> context = NewContext();
    status = attempt(context.get());
    if (status.ok() || !RetryableCode(status.error_code())) return status;
  }
  return status;
}

}  // namespace dumas::client
