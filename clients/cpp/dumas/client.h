// The C++ SDK of Dumas: the generated messages and stubs of every
// dumas.v1 service (dumas/v1/*.grpc.pb.h), and this small layer over them:
// a channel (plaintext, TLS or mutual TLS), the bearer token, deadlines, and
// retries of the calls that are safe to repeat.
//
//   dumas::client::ChannelOptions options = dumas::client::ChannelOptions::FromEnvironment();
//   dumas::client::Connection dumas(options);
//   dumas::v1::ComplaintService::Stub stub(dumas.channel());
//   dumas::v1::SubmitComplaintRequest request = ...;   // request_id filled if empty
//   dumas::v1::SubmitComplaintResponse response;
//   grpc::Status status = dumas.Call(&decltype(stub)::SubmitComplaint, stub, request, &response);
//
// Thread safety: a Connection is immutable after construction; Call may run
// from many threads at once.
#ifndef DUMAS_CLIENT_CLIENT_H_
#define DUMAS_CLIENT_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace dumas::client {

// How to reach a server.
struct ChannelOptions {
  enum class Security { kPlaintext, kTls, kMutualTls };
  // host:port of dumasd.
  std::string target = "127.0.0.1:50051";
  Security security = Security::kPlaintext;
  // TLS: PEM of the CA that signed the server's certificate; empty uses the
  // system's roots.
  std::string ca_pem;
  // Mutual TLS: this client's certificate chain and private key, PEM.
  std::string certificate_pem;
  std::string private_key_pem;
  // TLS: the name to check in the server's certificate when it differs from
  // the target's host (tests, load balancers); empty: the target's host.
  std::string server_name;
  // The bearer token of the caller's principal; empty sends none (the public
  // methods: SubmitComplaint through the website, TrackComplaint, ...).
  std::string token;

  // Reads the settings from the environment, never from a command line that
  // other users could see in `ps`:
  //   DUMAS_ADDRESS     host:port (default 127.0.0.1:50051)
  //   DUMAS_TOKEN_FILE  file holding the bearer token (or DUMAS_TOKEN, the
  //                     token itself)
  //   DUMAS_CA_FILE     PEM of the server's CA: switches TLS on
  //   DUMAS_CERT_FILE, DUMAS_KEY_FILE
  //                     this client's certificate and key: mutual TLS
  //   DUMAS_SERVER_NAME the name in the server's certificate
  // Fails (std::nullopt, with the reason in `error`) when a named file cannot
  // be read, or only one of the certificate and the key is set.
  static std::optional<ChannelOptions> FromEnvironment(std::string* error);
};

// Deadlines and retries of a Connection.
struct CallPolicy {
  // The deadline of each attempt.
  std::chrono::milliseconds attempt_timeout{10000};
  // Attempts of a safe call in all (1: no retry).
  int max_attempts = 4;
  // The wait before the second attempt; doubled (with jitter) after each,
  // up to max_backoff.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{3000};
};

// A field that a server named in a google.rpc.BadRequest.
struct FieldViolation {
  std::string field;
  std::string description;
};

// The field violations an INVALID_ARGUMENT status carries; empty when it
// carries none.
std::vector<FieldViolation> FieldViolations(const grpc::Status& status);

// A fresh request_id (a random UUID) for an idempotent call (AIP-155).
std::string NewRequestId();

// Whether a call with this request may be repeated without changing its
// effect: reads (Get*, List*, Track*, Check, ...Proof, the checkpoint) and
// every request that carries a non-empty request_id.
bool SafeToRetry(const google::protobuf::Message& request);

// Whether a failed attempt may be tried again: the server was unreachable or
// stopping (UNAVAILABLE), or the attempt ran out of time (DEADLINE_EXCEEDED).
bool RetryableCode(grpc::StatusCode code);

class Connection {
 public:
  explicit Connection(const ChannelOptions& options, CallPolicy policy = CallPolicy());
  // Over an existing channel (in-process tests, custom credentials).
  Connection(std::shared_ptr<grpc::Channel> channel, std::string token,
             CallPolicy policy = CallPolicy());

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const CallPolicy& policy() const { return policy_; }

  // A context with the token and a deadline `timeout` from now (the policy's
  // attempt_timeout when zero): for streaming calls, which are not retried.
  std::unique_ptr<grpc::ClientContext> NewContext(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const;

  // Calls the unary `method` of any dumas.v1 service by its descriptor, with
  // messages of its input and output types (dynamic callers such as
  // dumasctl), under the same request_id and retry rules as Call.
  grpc::Status CallMethod(const google::protobuf::MethodDescriptor& method,
                          google::protobuf::Message& request,
                          google::protobuf::Message* response) const;

  // Calls a unary method: fills an empty request_id of `request` with a fresh
  // one, so that every attempt sends the same; then retries a safe call
  // (SafeToRetry) after a retryable failure, with backoff, up to the policy's
  // attempts. Returns the last attempt's status.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    Stub& stub, Request& request, Response* response) const {
    EnsureRequestId(request);
    return Retry(request, [&](grpc::ClientContext* context) {
      return (stub.*method)(context, request, response);
    });
  }

 private:
  static void EnsureRequestId(google::protobuf::Message& request);
  grpc::Status Retry(const google::protobuf::Message& request,
                     const std::function<grpc::Status(grpc::ClientContext*)>& attempt) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::string token_;
  CallPolicy policy_;
};

// The channel of `options`, without the token (Connection attaches it).
std::shared_ptr<grpc::Channel> MakeChannel(const ChannelOptions& options);

}  // namespace dumas::client

#endif  // DUMAS_CLIENT_CLIENT_H_
