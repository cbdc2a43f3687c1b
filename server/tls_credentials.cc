#include "server/tls_credentials.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace dumas {
namespace {

// PEM files of certificates and keys are a few KiB; anything larger is not one.
constexpr std::streamsize kMaxPemBytes = 1 << 20;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Certificate = std::unique_ptr<X509, X509Free>;

// OpenSSL keeps errors in a per-thread queue, which gRPC also reads on the
// threads it shares with us: leave it empty.
struct ClearOpenSslErrors {
  ~ClearOpenSslErrors() { ERR_clear_error(); }
};

// Never prompts for a passphrase: an encrypted key is refused.
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view flag) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, " is required"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, " cannot be read"));
  std::string text;
  text.resize(kMaxPemBytes + 1);
  in.read(text.data(), kMaxPemBytes + 1);
  text.resize(in.gcount());
  if (in.gcount() > kMaxPemBytes) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, " is larger than 1 MiB"));
  }
  return text;
}

std::vector<Certificate> ParseCertificates(const std::string& text) {
  std::vector<Certificate> certificates;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return certificates;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(cert);
  }
  return certificates;
}

absl::StatusOr<std::string> ToPem(X509* cert) {
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  if (out == nullptr || PEM_write_bio_X509(out.get(), cert) != 1) {
    return absl::InternalError("cannot write a certificate as PEM");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, length);
}

absl::Time ToTime(const ASN1_TIME* time) {
  struct tm tm;
  if (ASN1_TIME_to_tm(time, &tm) != 1) return absl::InfinitePast();
  return absl::FromTM(tm, absl::UTCTimeZone());
}

// Writes `contents` to a new in-memory file whose modification time is
// `mtime`; its descriptor, or -1 with errno set.
int NewMemoryFile(const char* name, const std::string& contents, absl::Time mtime) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    written += static_cast<size_t>(n);
  }
  const timespec times[2] = {absl::ToTimespec(mtime), absl::ToTimespec(mtime)};
  if (futimens(fd, times) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

// Replaces what `*fd` refers to by `replacement` in one step (a reader that
// opens /proc/self/fd/<*fd> gets the old file or the new one, never a mix),
// or adopts it when *fd is not open yet.
absl::Status Swap(int* fd, int replacement) {
  if (*fd < 0) {
    *fd = replacement;
    return absl::OkStatus();
  }
  const int result = dup2(replacement, *fd);
  const int saved = errno;
  close(replacement);
  if (result < 0) {
    return absl::InternalError(absl::StrCat("cannot swap the TLS snapshot: ", strerror(saved)));
  }
  return absl::OkStatus();
}

std::string ProcPath(int fd) { return absl::StrCat("/proc/self/fd/", fd); }

}  // namespace

struct ReloadableTlsCredentials::Material {
  std::string identity_pem;  // the key, then the chain
  std::string root_pem;      // the client CAs; empty with kNone
  TlsMaterialInfo info;
};

std::optional<ClientCertificates> ClientCertificatesFromName(absl::string_view name) {
  if (name == "none") return ClientCertificates::kNone;
  if (name == "optional") return ClientCertificates::kOptional;
  if (name == "required") return ClientCertificates::kRequired;
  return std::nullopt;
}

absl::StatusOr<ReloadableTlsCredentials::Material> ReloadableTlsCredentials::Load(
    const TlsOptions& options) {
  ClearOpenSslErrors clear;
  ReloadableTlsCredentials::Material material;
  absl::StatusOr<std::string> cert_text = ReadPemFile(options.certificate_file, "--tls_cert_file");
  if (!cert_text.ok()) return cert_text.status();
  std::vector<Certificate> chain = ParseCertificates(*cert_text);
  if (chain.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_cert_file ", options.certificate_file, " holds no PEM certificate"));
  }
  absl::StatusOr<std::string> key_text = ReadPemFile(options.private_key_file, "--tls_key_file");
  if (!key_text.ok()) return key_text.status();
  std::unique_ptr<EVP_PKEY, KeyFree> key;
  {
    std::unique_ptr<BIO, BioFree> bio(
        BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size())));
    if (bio != nullptr) key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_key_file ", options.private_key_file,
        " holds no PEM private key (an encrypted key is not supported)"));
  }
  X509* leaf = chain.front().get();
  if (X509_check_private_key(leaf, key.get()) != 1) {
    return absl::InvalidArgumentError(
        "the key of --tls_key_file does not belong to the first certificate of --tls_cert_file");
  }
  if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
    return absl::InvalidArgumentError("the certificate of --tls_cert_file is not valid yet");
  }
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
    return absl::InvalidArgumentError("the certificate of --tls_cert_file has expired");
  }
  {
    std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
    if (out == nullptr ||
        PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      return absl::InternalError("cannot write the private key as PEM");
    }
    char* data = nullptr;
    const long length = BIO_get_mem_data(out.get(), &data);
    material.identity_pem.assign(data, length);
    OPENSSL_cleanse(data, length);
  }
  for (const Certificate& cert : chain) {
    absl::StatusOr<std::string> pem = ToPem(cert.get());
    if (!pem.ok()) return pem.status();
    material.identity_pem += *pem;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (X509_digest(leaf, EVP_sha256(), digest, &digest_length) == 1) {
    material.info.certificate_sha256 = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(digest), digest_length));
  }
  material.info.not_after = ToTime(X509_get0_notAfter(leaf));

  if (options.client_certificates == ClientCertificates::kNone) {
    if (!options.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls_client_ca_file is given but --tls_client_certificates is none: say optional or "
          "required");
    }
    return material;
  }
  absl::StatusOr<std::string> ca_text = ReadPemFile(options.client_ca_file, "--tls_client_ca_file");
  if (!ca_text.ok()) return ca_text.status();
  std::vector<Certificate> cas = ParseCertificates(*ca_text);
  if (cas.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_client_ca_file ", options.client_ca_file, " holds no PEM certificate"));
  }
  for (const Certificate& cert : cas) {
    absl::StatusOr<std::string> pem = ToPem(cert.get());
    if (!pem.ok()) return pem.status();
    material.root_pem += *pem;
  }
  material.info.client_cas = static_cast<int>(cas.size());
  return material;
}

ReloadableTlsCredentials::ReloadableTlsCredentials(const TlsOptions& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<ReloadableTlsCredentials>> ReloadableTlsCredentials::Create(
    const TlsOptions& options) {
  absl::StatusOr<Material> material = Load(options);
  if (!material.ok()) return material.status();
  std::unique_ptr<ReloadableTlsCredentials> tls(new ReloadableTlsCredentials(options));
  std::string identity_path;
  std::string root_path;
  {
    absl::MutexLock lock(&tls->mu_);
    if (absl::Status status = tls->Publish(*material); !status.ok()) return status;
    identity_path = ProcPath(tls->identity_fd_);
    if (tls->root_fd_ >= 0) root_path = ProcPath(tls->root_fd_);
  }
  const unsigned int refresh = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(options.refresh_interval)));
  // The key and the chain come from the same file, so a pair read once is
  // always a pair.
  tls->provider_ = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      identity_path, identity_path, root_path, refresh);
  grpc::experimental::TlsServerCredentialsOptions credential_options(tls->provider_);
  credential_options.watch_identity_key_cert_pairs();
  switch (options.client_certificates) {
    case ClientCertificates::kNone:
      credential_options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
      break;
    case ClientCertificates::kOptional:
      credential_options.watch_root_certs();
      credential_options.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
      break;
    case ClientCertificates::kRequired:
      credential_options.watch_root_certs();
      credential_options.set_cert_request_type(
          GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
      break;
  }
  tls->credentials_ = grpc::experimental::TlsServerCredentials(credential_options);
  if (tls->credentials_ == nullptr) return absl::InternalError("gRPC refused the TLS options");
  return tls;
}

absl::Status ReloadableTlsCredentials::Check(const TlsOptions& options) {
  return Load(options).status();
}

ReloadableTlsCredentials::~ReloadableTlsCredentials() {
  credentials_.reset();
  provider_.reset();  // stops its thread, which reads the snapshot
  absl::MutexLock lock(&mu_);
  if (identity_fd_ >= 0) close(identity_fd_);
  if (root_fd_ >= 0) close(root_fd_);
}

absl::Status ReloadableTlsCredentials::Publish(const Material& material) {
  // gRPC re-reads a pair whose modification time (whole seconds) changed
  // while it read: a snapshot always gets a later one than the last, so a
  // read that straddles a swap is seen and repeated.
  const absl::Time mtime =
      std::max(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())),
               published_mtime_ + absl::Seconds(1));
  const int identity = NewMemoryFile("dumas-tls-identity", material.identity_pem, mtime);
  if (identity < 0) {
    return absl::InternalError(absl::StrCat("cannot make the TLS snapshot: ", strerror(errno)));
  }
  int root = -1;
  if (!material.root_pem.empty()) {
    root = NewMemoryFile("dumas-tls-client-ca", material.root_pem, mtime);
    if (root < 0) {
      const int saved = errno;
      close(identity);
      return absl::InternalError(absl::StrCat("cannot make the TLS snapshot: ", strerror(saved)));
    }
  }
  if (absl::Status status = Swap(&identity_fd_, identity); !status.ok()) {
    if (root >= 0) close(root);
    return status;
  }
  if (root >= 0) {
    if (absl::Status status = Swap(&root_fd_, root); !status.ok()) return status;
  }
  published_mtime_ = mtime;
  info_ = material.info;
  return absl::OkStatus();
}

absl::StatusOr<TlsMaterialInfo> ReloadableTlsCredentials::Reload() {
  absl::StatusOr<Material> material = Load(options_);
  if (!material.ok()) return material.status();
  absl::MutexLock lock(&mu_);
  if (absl::Status status = Publish(*material); !status.ok()) return status;
  return info_;
}

TlsMaterialInfo ReloadableTlsCredentials::info() const {
  absl::MutexLock lock(&mu_);
  return info_;
}

}  // namespace dumas
