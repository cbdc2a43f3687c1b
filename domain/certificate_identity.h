// Client-certificate identities: how a principal that authenticates by
// mutual TLS names the certificate it presents. An identity is a kind and a
// value, "kind:value":
//
//   dns:gateway-wa.polres-palu.polri.go.id   a DNS name of the subjectAltName
//   uri:spiffe://polri.go.id/dumas/gateway   a URI of the subjectAltName
//   email:ops@kompolnas.go.id                an email address of the subjectAltName
//   cn:Kompolnas Dumas Integration           the subject's common name
//   subject:CN=Kompolnas,O=Kompolnas,C=ID    the whole subject, RFC 2253, as
//                                            `openssl x509 -noout -subject
//                                            -nameopt RFC2253` prints it after "subject="
//   sha256:9f86d0...                         the SHA-256 of the certificate (DER),
//                                            pinning one certificate
//
// A certificate carries every identity of its names (server/peer_certificate.h
// lists them); a principal is bound to one. SAN and subject identities survive
// the renewal of a certificate; a sha256 identity must be bound anew.
#ifndef DUMAS_DOMAIN_CERTIFICATE_IDENTITY_H_
#define DUMAS_DOMAIN_CERTIFICATE_IDENTITY_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dumas {

// The longest identity, in bytes (the column that keeps it holds 255).
inline constexpr size_t kMaxCertificateIdentityBytes = 255;

// The canonical form of an identity: the kind in lower case; a DNS name in
// lower case without a trailing dot; an email address in lower case; a
// sha256 digest as 64 lower-case hex digits (colons, as openssl prints
// fingerprints, dropped); uri, cn and subject values as given. The same
// function makes the identities of presented certificates, so that both
// sides compare equal. INVALID_ARGUMENT, saying which rule, for an unknown
// kind, an empty value, a control character, a digest that is not 32 bytes,
// or more than 255 bytes.
absl::StatusOr<std::string> CanonicalCertificateIdentity(std::string_view identity);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_CERTIFICATE_IDENTITY_H_
