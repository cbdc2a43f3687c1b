// Who may call what: the one table of method access, and the authenticator
// that checks bearer tokens against it. Object-level checks (which complaint
// a principal may see) live with the methods that load the objects.
#ifndef DUMAS_SERVER_ACCESS_POLICY_H_
#define DUMAS_SERVER_ACCESS_POLICY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "server/domain/complaint.h"
#include "storage/complaint_store.h"

namespace dumas {

// The methods of dumas.v1.ComplaintService.
enum class Method {
  kSubmitComplaint,
  kTrackComplaint,
  kGetComplaint,
  kListCategories,
  kListUnits,
};

// The roles allowed to call a method; an empty set marks a public method,
// which needs no token.
struct MethodAccess {
  Method method;
  absl::string_view name;  // the short method name, for logs
  uint32_t roles;         // bit (1 << Role) per allowed role; 0: public
};

constexpr uint32_t RoleBit(Role role) { return 1u << static_cast<int>(role); }

inline constexpr std::array<MethodAccess, 5> kMethodAccess = {{
    {Method::kSubmitComplaint, "SubmitComplaint",
     RoleBit(Role::kGateway) | RoleBit(Role::kIntake)},
    {Method::kTrackComplaint, "TrackComplaint", 0},
    {Method::kGetComplaint, "GetComplaint",
     RoleBit(Role::kIntake) | RoleBit(Role::kUnit) | RoleBit(Role::kSupervisor) |
         RoleBit(Role::kOversight)},
    {Method::kListCategories, "ListCategories", 0},
    {Method::kListUnits, "ListUnits", 0},
}};

const MethodAccess& AccessOf(Method method);

// Checks the `authorization: Bearer <token>` metadata of a call against
// kMethodAccess. Tokens are looked up in the PrincipalStore and the answer is
// cached for `cache_ttl` (so a revoked token stops working within that
// time). Thread-safe.
class Authenticator {
 public:
  Authenticator(PrincipalStore& store, absl::Duration cache_ttl);

  // For a public method: nullopt, whatever the metadata. Otherwise the caller:
  // UNAUTHENTICATED when the token is missing, malformed, unknown or revoked;
  // PERMISSION_DENIED when the principal's role may not call `method`;
  // UNAVAILABLE when the store cannot be reached.
  absl::StatusOr<std::optional<Principal>> Authorize(const grpc::ServerContext& context,
                                                     Method method);

 private:
  struct CachedPrincipal {
    Principal principal;
    absl::Time expires;
  };

  absl::StatusOr<Principal> Authenticate(absl::string_view token);

  PrincipalStore& store_;
  const absl::Duration cache_ttl_;
  absl::Mutex mu_;
  // Keyed by the SHA-256 digest of the token, so no token stays in memory.
  absl::flat_hash_map<std::string, CachedPrincipal> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dumas

#endif  // DUMAS_SERVER_ACCESS_POLICY_H_
