// The server's TLS credentials, whose certificate, key and client CA can be
// replaced while it serves (on SIGHUP): connections already open keep the
// material they were made with and their calls go on; new handshakes use the
// new material.
//
// gRPC (1.51) takes reloadable material only from a file-watching
// certificate provider. The files an operator names are not watched
// directly: a half-written file, or a key and certificate that do not belong
// together, would be picked up as they are. Instead the material is read
// and checked here (parsed, the key matching the certificate, the
// certificate valid now), then written as one snapshot (key and chain in one
// in-memory file, memfd_create, and the CA in another) that the provider
// watches through /proc/self/fd. A reload checks the new files the same way
// and swaps the snapshot atomically (dup2), or keeps the old one and says
// why. The key never reaches another file on disk.
//
// Thread safety: all methods are thread-safe.
#ifndef DUMAS_SERVER_TLS_CREDENTIALS_H_
#define DUMAS_SERVER_TLS_CREDENTIALS_H_

#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"

namespace dumas {

// Whether clients present certificates (mutual TLS).
enum class ClientCertificates {
  kNone,      // not asked for: clients authenticate by bearer token
  kOptional,  // asked for and verified against the client CA when presented
  kRequired,  // every client presents one that the client CA verifies
};

// "none", "optional", "required"; nullopt for anything else.
std::optional<ClientCertificates> ClientCertificatesFromName(absl::string_view name);

struct TlsOptions {
  std::string certificate_file;  // PEM: the server's certificate, then its chain
  std::string private_key_file;  // PEM: its private key (unencrypted); may be certificate_file
  std::string client_ca_file;    // PEM: the CAs of client certificates (not with kNone)
  ClientCertificates client_certificates = ClientCertificates::kNone;
  // How often gRPC reads the snapshot: a reload reaches new handshakes
  // within this (whole seconds, at least one).
  absl::Duration refresh_interval = absl::Seconds(1);
};

// What is being served, for the log (no secrets).
struct TlsMaterialInfo {
  std::string certificate_sha256;  // hex, of the server's certificate
  absl::Time not_after;            // when it expires
  int client_cas = 0;              // certificates in the client CA file
};

class ReloadableTlsCredentials {
 public:
  // Reads and checks the files. INVALID_ARGUMENT naming the flag and the
  // problem: a file unreadable or without PEM of its kind, an encrypted key,
  // a key that does not match the certificate, a certificate not valid now,
  // a client CA file missing for kOptional/kRequired or given for kNone;
  // INTERNAL when the snapshot cannot be made.
  static absl::StatusOr<std::unique_ptr<ReloadableTlsCredentials>> Create(
      const TlsOptions& options);

  // Reads and checks the files as Create does, and keeps nothing.
  static absl::Status Check(const TlsOptions& options);

  // Closes the snapshot. Destroy the servers that use credentials() first.
  ~ReloadableTlsCredentials();
  ReloadableTlsCredentials(const ReloadableTlsCredentials&) = delete;
  ReloadableTlsCredentials& operator=(const ReloadableTlsCredentials&) = delete;

  // The credentials for ServerBuilder::AddListeningPort.
  std::shared_ptr<grpc::ServerCredentials> credentials() const { return credentials_; }

  // Reads and checks the same files again; when they pass, new handshakes
  // use them within refresh_interval. Otherwise the error (as Create's) and
  // the material in use is kept.
  absl::StatusOr<TlsMaterialInfo> Reload() ABSL_LOCKS_EXCLUDED(mu_);

  TlsMaterialInfo info() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Material;
  explicit ReloadableTlsCredentials(const TlsOptions& options);
  // Reads and checks the files of `options` (see Create).
  static absl::StatusOr<Material> Load(const TlsOptions& options);
  absl::Status Publish(const Material& material) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TlsOptions options_;
  mutable absl::Mutex mu_;
  int identity_fd_ ABSL_GUARDED_BY(mu_) = -1;  // key, then the chain
  int root_fd_ ABSL_GUARDED_BY(mu_) = -1;      // the client CAs
  absl::Time published_mtime_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  TlsMaterialInfo info_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider_;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_TLS_CREDENTIALS_H_
