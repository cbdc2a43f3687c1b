#include "server/peer_certificate.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "domain/certificate_identity.h"
#include "domain/string_view_interop.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"

namespace dumas {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

// The bytes of an ASN.1 string, or nullopt when they hold a NUL (a name
// that would compare as something else).
std::optional<std::string> Bytes(const ASN1_STRING* value) {
  const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(value));
  std::string bytes(data, ASN1_STRING_length(value));
  if (bytes.find('\0') != std::string::npos) return std::nullopt;
  return bytes;
}

void Add(std::vector<std::string>& identities, std::string_view kind,
         const std::optional<std::string>& value) {
  if (!value.has_value()) return;
  absl::StatusOr<std::string> identity =
      CanonicalCertificateIdentity(absl::StrCat(ToAbsl(kind), ":", *value));
  if (identity.ok() &&
      std::find(identities.begin(), identities.end(), *identity) == identities.end()) {
    identities.push_back(*std::move(identity));
  }
}

}  // namespace

std::optional<std::string> PeerCertificatePem(const grpc::ServerContext& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  const std::vector<grpc::string_ref> pem = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (pem.empty() || pem.front().empty()) return std::nullopt;
  return std::string(pem.front().data(), pem.front().size());
}

absl::StatusOr<std::vector<std::string>> CertificateIdentities(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::ResourceExhaustedError("out of memory reading a certificate");
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return absl::InvalidArgumentError("no PEM certificate");

  std::vector<std::string> identities;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
      switch (name->type) {
        case GEN_DNS:
          Add(identities, "dns", Bytes(name->d.dNSName));
          break;
        case GEN_URI:
          Add(identities, "uri", Bytes(name->d.uniformResourceIdentifier));
          break;
        case GEN_EMAIL:
          Add(identities, "email", Bytes(name->d.rfc822Name));
          break;
        default:
          break;
      }
    }
  }
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
    unsigned char* utf8 = nullptr;
    const int length =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    if (length < 0) continue;
    std::string cn(reinterpret_cast<const char*>(utf8), length);
    OPENSSL_free(utf8);
    if (cn.find('\0') == std::string::npos) Add(identities, "cn", cn);
  }
  {
    std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
    if (out != nullptr && X509_NAME_print_ex(out.get(), subject, 0, XN_FLAG_RFC2253) >= 0) {
      char* data = nullptr;
      const long length = BIO_get_mem_data(out.get(), &data);
      if (length > 0) Add(identities, "subject", std::string(data, length));
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (X509_digest(cert.get(), EVP_sha256(), digest, &digest_length) == 1) {
    Add(identities, "sha256",
        absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest),
                                                 digest_length)));
  }
  return identities;
}

}  // namespace dumas
