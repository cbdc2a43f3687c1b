#include "server/access_policy.h"

#include <sodium.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/string_view_interop.h"

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
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) return absl::NotFoundError("no authorization metadata");
  const absl::string_view header(it->second.data(), it->second.size());
  if (!absl::StartsWith(header, kBearerPrefix) ||
      header.size() - kBearerPrefix.size() > kMaxTokenLength) {
    return absl::UnauthenticatedError("the authorization metadata must be 'Bearer <token>'");
  }
  return Authenticate(header.substr(kBearerPrefix.size()));
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

absl::StatusOr<Principal> Authenticator::Authenticate(absl::string_view token) {
  const std::string digest = TokenDigest(token);
  const absl::Time now = absl::Now();
  uint64_t generation = 0;
  {
    absl::MutexLock lock(&mu_);
    const auto it = cache_.find(digest);
    if (it != cache_.end() && it->second.expires > now) return it->second.principal;
    generation = generation_;
  }
  absl::StatusOr<Principal> principal = store_.Authenticate(ToStd(token));
  if (absl::IsNotFound(principal.status())) {
    return absl::UnauthenticatedError("the bearer token is unknown or revoked");
  }
  if (!principal.ok()) return principal.status();
  absl::MutexLock lock(&mu_);
  // A revocation may have committed after the store answered: then the
  // answer is not kept (it is still this call's, which began before it).
  if (generation != generation_) return principal;
  if (cache_.size() >= kMaxCachedTokens) {
    absl::erase_if(cache_, [now](const auto& entry) { return entry.second.expires <= now; });
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  }
  cache_[digest] = CachedPrincipal{*principal, now + cache_ttl_};
  return principal;
}

void Authenticator::ForgetCachedTokens() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  cache_.clear();
}

}  // namespace dumas
