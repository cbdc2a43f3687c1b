#include "server/access_policy.h"

#include <sodium.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/string_view_interop.h"
#include "server/peer_certificate.h"

namespace dumas {
namespace {

constexpr absl::string_view kBearerPrefix = "Bearer ";
constexpr size_t kMaxTokenLength = 256;
constexpr size_t kMaxCachedTokens = 10000;

std::string TokenDigest(absl::string_view token) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return digest;
}

}  // namespace

const MethodAccess& AccessOf(Method method) {
  for (const MethodAccess& access : kMethodAccess) {
    if (access.method == method) return access;
  }
  // Every Method has a row; reaching here is a programming error.
  std::abort();
}

Authenticator::Authenticator(PrincipalStore& store, absl::Duration cache_ttl)
    : store_(store), cache_ttl_(cache_ttl) {}

absl::StatusOr<Principal> Authenticator::PrincipalOf(const grpc::ServerContext& context) {
  std::optional<Principal> by_token;
  const auto& metadata = context.client_metadata();
  if (const auto it = metadata.find("authorization"); it != metadata.end()) {
    const absl::string_view header(it->second.data(), it->second.size());
    if (!absl::StartsWith(header, kBearerPrefix) ||
        header.size() - kBearerPrefix.size() > kMaxTokenLength) {
      return absl::UnauthenticatedError("the authorization metadata must be 'Bearer <token>'");
    }
    absl::StatusOr<Principal> principal = Authenticate(header.substr(kBearerPrefix.size()));
    if (!principal.ok()) return principal.status();
    by_token = *std::move(principal);
  }
  std::optional<Principal> by_certificate;
  if (const std::optional<std::string> pem = PeerCertificatePem(context); pem.has_value()) {
    absl::StatusOr<std::optional<Principal>> principal = AuthenticateCertificate(*pem);
    if (!principal.ok()) return principal.status();
    by_certificate = *std::move(principal);
  }
  if (by_certificate.has_value()) {
    if (by_token.has_value() && by_token->id != by_certificate->id) {
      return absl::UnauthenticatedError(
          "the bearer token and the client certificate belong to different principals");
    }
    if (!by_token.has_value() && by_certificate->token_required) {
      return absl::UnauthenticatedError(
          "the principal of this client certificate also needs its bearer token: send "
          "'authorization: Bearer <token>'");
    }
    return *std::move(by_certificate);
  }
  if (by_token.has_value()) {
    if (!by_token->certificate_identity.empty()) {
      return absl::UnauthenticatedError(
          "this principal also authenticates by its client certificate: call over mutual TLS "
          "with the certificate bound to it");
    }
    return *std::move(by_token);
  }
  return absl::NotFoundError("no credentials");
}

absl::StatusOr<Principal> Authenticator::Authorize(const grpc::ServerContext& context,
                                                   Method method) {
  const MethodAccess& access = AccessOf(method);
  if (access.roles == kPublic) {
    return absl::InternalError(absl::StrCat(access.name, " is public: use Identify"));
  }
  absl::StatusOr<Principal> principal = PrincipalOf(context);
  if (absl::IsNotFound(principal.status())) {
    return absl::UnauthenticatedError("missing metadata 'authorization: Bearer <token>'");
  }
  if (!principal.ok()) return principal.status();
  if ((access.roles & RoleBit(principal->role)) == 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "role ", RoleName(principal->role), " may not call ", access.name));
  }
  return principal;
}

absl::StatusOr<std::optional<Principal>> Authenticator::Identify(
    const grpc::ServerContext& context) {
  absl::StatusOr<Principal> principal = PrincipalOf(context);
  if (absl::IsNotFound(principal.status())) return std::nullopt;
  if (!principal.ok()) return principal.status();
  return std::optional<Principal>(*std::move(principal));
}

std::optional<std::optional<Principal>> Authenticator::Cached(const std::string& key,
                                                             absl::Time now,
                                                             uint64_t* generation) {
  absl::MutexLock lock(&mu_);
  const auto it = cache_.find(key);
  if (it != cache_.end() && it->second.expires > now) return it->second.principal;
  *generation = generation_;
  return std::nullopt;
}

void Authenticator::Cache(const std::string& key, const std::optional<Principal>& principal,
                          absl::Time now, uint64_t generation) {
  absl::MutexLock lock(&mu_);
  // A revocation may have committed after the store answered: then the
  // answer is not kept (it is still this call's, which began before it).
  if (generation != generation_) return;
  if (cache_.size() >= kMaxCachedTokens) {
    absl::erase_if(cache_, [now](const auto& entry) { return entry.second.expires <= now; });
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  }
  cache_[key] = CachedPrincipal{principal, now + cache_ttl_};
}

absl::StatusOr<Principal> Authenticator::Authenticate(absl::string_view token) {
  const std::string key = absl::StrCat("t", TokenDigest(token));
  const absl::Time now = absl::Now();
  uint64_t generation = 0;
  if (std::optional<std::optional<Principal>> cached = Cached(key, now, &generation);
      cached.has_value() && cached->has_value()) {
    return **cached;
  }
  absl::StatusOr<Principal> principal = store_.Authenticate(ToStd(token));
  if (absl::IsNotFound(principal.status())) {
    return absl::UnauthenticatedError("the bearer token is unknown or revoked");
  }
  if (!principal.ok()) return principal.status();
  Cache(key, *principal, now, generation);
  return principal;
}

absl::StatusOr<std::optional<Principal>> Authenticator::AuthenticateCertificate(
    absl::string_view pem) {
  const std::string key = absl::StrCat("c", TokenDigest(pem));
  const absl::Time now = absl::Now();
  uint64_t generation = 0;
  if (std::optional<std::optional<Principal>> cached = Cached(key, now, &generation)) {
    return *cached;
  }
  absl::StatusOr<std::vector<std::string>> identities = CertificateIdentities(ToStd(pem));
  if (!identities.ok()) {
    return absl::UnauthenticatedError("the client certificate cannot be read");
  }
  absl::StatusOr<std::vector<Principal>> bound = store_.PrincipalsByCertificate(*identities);
  if (!bound.ok()) return bound.status();
  std::optional<Principal> active;
  for (const std::string& identity : *identities) {
    bool revoked = false;
    bool live = false;
    for (const Principal& principal : *bound) {
      if (principal.certificate_identity != identity) continue;
      if (principal.revoke_time.has_value()) {
        revoked = true;
        continue;
      }
      live = true;
      if (active.has_value() && active->id != principal.id) {
        return absl::UnauthenticatedError(
            "the client certificate carries the identities of two principals; an administrator "
            "binds it to one");
      }
      active = principal;
    }
    // A certificate pinned to (or named only for) a revoked principal stays
    // refused, even when its other names are bound to a successor.
    if (revoked && !live) {
      return absl::UnauthenticatedError("the principal of this client certificate is revoked");
    }
  }
  Cache(key, active, now, generation);
  return active;
}

void Authenticator::ForgetCachedTokens() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  cache_.clear();
}

}  // namespace dumas
