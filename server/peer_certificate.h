// The client certificate of a call over mutual TLS, and the identities by
// which it names a principal (domain/certificate_identity.h).
#ifndef DUMAS_SERVER_PEER_CERTIFICATE_H_
#define DUMAS_SERVER_PEER_CERTIFICATE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"

namespace dumas {

// The certificate (PEM) the client presented and the TLS handshake verified
// against the client CA; nullopt for a plaintext call or a TLS client that
// presented none.
std::optional<std::string> PeerCertificatePem(const grpc::ServerContext& context);

// Every canonical identity a certificate carries: one per DNS name, URI and
// email address of its subjectAltName, one per common name of its subject,
// the subject (RFC 2253), and its SHA-256 (over the DER encoding). Names that
// cannot be identities (too long, control characters) are left out.
// INVALID_ARGUMENT when `pem` holds no certificate.
absl::StatusOr<std::vector<std::string>> CertificateIdentities(std::string_view pem);

}  // namespace dumas

#endif  // DUMAS_SERVER_PEER_CERTIFICATE_H_
