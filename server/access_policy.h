// Who may call what: the one table of method access, and the authenticator
// that checks bearer tokens against it. Object-level checks (which complaint
// a principal may see) live with the methods that load the objects.
#ifndef DUMAS_SERVER_ACCESS_POLICY_H_
#define DUMAS_SERVER_ACCESS_POLICY_H_

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
#include "domain/complaint.h"
#include "storage/complaint_store.h"

namespace dumas {

// The methods of the dumas.v1 services.
enum class Method {
  // ComplaintService: intake, tracking, reads.
  kSubmitComplaint,
  kTrackComplaint,
  kGetComplaint,
  kListCategories,
  kListUnits,
  kListComplaints,
  kListComplaintEvents,
  // ComplaintService: case handling by staff.
  kVerifyComplaint,
  kArchiveComplaint,
  kRejectComplaint,
  kAssignComplaint,
  kStartInvestigation,
  kRequestClarification,
  kConcludeComplaint,
  kAnswerComplaint,
  kCloseComplaint,
  kReopenComplaint,
  kAddComplaintNote,
  // ComplaintService: the complainant, through the tracking code.
  kRespondToClarification,
  kDisputeAnswer,
  kRateComplaintHandling,
  // AdminService.
  kCreatePrincipal,
  kListPrincipals,
  kRevokePrincipal,
  kCreateUnit,
  kCreateCategory,
  kListRoutingRules,
  kSetRoutingRule,
  kListHolidays,
  kSetHolidays,
  kListUndeliverableNotifications,
  kGetCalendarSettings,
  kSetCalendarSettings,
  // IntegrationService.
  kListChanges,
  kWatchChanges,
  kImportComplaint,
  kGetCheckpoint,
  kCreateCheckpoint,
  kGetInclusionProof,
  kGetConsistencyProof,
  kAddCosignature,
  // NotificationService.
  kFetchNotifications,
  kStreamNotifications,
  kAcknowledgeNotifications,
  // PersonalDataService: the complainant, through the tracking code.
  kRequestPersonalData,
  kCorrectContactDetails,
  // ReportService.
  kGetAnevReport,
  kGetPublicAnevReport,
};

// The roles allowed to call a method; an empty set marks a public method,
// which needs no token. Which complaint a caller may see or change is decided
// by domain/lifecycle.h (MayRead, MayAct) on the loaded complaint.
struct MethodAccess {
  Method method;
  absl::string_view name;  // the method's full name, for logs
  uint32_t roles;          // bit (1 << Role) per allowed role; 0: public
};

constexpr uint32_t RoleBit(Role role) { return 1u << static_cast<int>(role); }

inline constexpr uint32_t kPublic = 0;
inline constexpr uint32_t kComplaintReaders = RoleBit(Role::kIntake) | RoleBit(Role::kUnit) |
                                              RoleBit(Role::kSupervisor) |
                                              RoleBit(Role::kOversight);
inline constexpr uint32_t kIntakeStaff = RoleBit(Role::kIntake) | RoleBit(Role::kSupervisor);
inline constexpr uint32_t kSupervisors = RoleBit(Role::kSupervisor);
inline constexpr uint32_t kInvestigators = RoleBit(Role::kUnit) | RoleBit(Role::kSupervisor);
inline constexpr uint32_t kCaseStaff =
    RoleBit(Role::kIntake) | RoleBit(Role::kUnit) | RoleBit(Role::kSupervisor);
inline constexpr uint32_t kAdmins = RoleBit(Role::kAdmin);
inline constexpr uint32_t kGateways = RoleBit(Role::kGateway);
inline constexpr uint32_t kOversight = RoleBit(Role::kOversight);

inline constexpr MethodAccess kMethodAccess[] = {
    {Method::kSubmitComplaint, "ComplaintService/SubmitComplaint",
     RoleBit(Role::kGateway) | RoleBit(Role::kIntake)},
    {Method::kTrackComplaint, "ComplaintService/TrackComplaint", kPublic},
    {Method::kGetComplaint, "ComplaintService/GetComplaint", kComplaintReaders},
    {Method::kListCategories, "ComplaintService/ListCategories", kPublic},
    {Method::kListUnits, "ComplaintService/ListUnits", kPublic},
    {Method::kListComplaints, "ComplaintService/ListComplaints", kComplaintReaders},
    {Method::kListComplaintEvents, "ComplaintService/ListComplaintEvents", kComplaintReaders},
    {Method::kVerifyComplaint, "ComplaintService/VerifyComplaint", kIntakeStaff},
    {Method::kArchiveComplaint, "ComplaintService/ArchiveComplaint", kIntakeStaff},
    {Method::kRejectComplaint, "ComplaintService/RejectComplaint", kIntakeStaff},
    {Method::kAssignComplaint, "ComplaintService/AssignComplaint", kSupervisors},
    {Method::kStartInvestigation, "ComplaintService/StartInvestigation", kInvestigators},
    {Method::kRequestClarification, "ComplaintService/RequestClarification", kCaseStaff},
    {Method::kConcludeComplaint, "ComplaintService/ConcludeComplaint", kInvestigators},
    {Method::kAnswerComplaint, "ComplaintService/AnswerComplaint", kSupervisors},
    {Method::kCloseComplaint, "ComplaintService/CloseComplaint", kSupervisors},
    {Method::kReopenComplaint, "ComplaintService/ReopenComplaint", kSupervisors},
    {Method::kAddComplaintNote, "ComplaintService/AddComplaintNote", kCaseStaff},
    {Method::kRespondToClarification, "ComplaintService/RespondToClarification", kPublic},
    {Method::kDisputeAnswer, "ComplaintService/DisputeAnswer", kPublic},
    {Method::kRateComplaintHandling, "ComplaintService/RateComplaintHandling", kPublic},
    {Method::kCreatePrincipal, "AdminService/CreatePrincipal", kAdmins},
    {Method::kListPrincipals, "AdminService/ListPrincipals", kAdmins},
    {Method::kRevokePrincipal, "AdminService/RevokePrincipal", kAdmins},
    {Method::kCreateUnit, "AdminService/CreateUnit", kAdmins},
    {Method::kCreateCategory, "AdminService/CreateCategory", kAdmins},
    {Method::kListRoutingRules, "AdminService/ListRoutingRules", kAdmins},
    {Method::kSetRoutingRule, "AdminService/SetRoutingRule", kAdmins},
    {Method::kListHolidays, "AdminService/ListHolidays", kAdmins},
    {Method::kSetHolidays, "AdminService/SetHolidays", kAdmins},
    {Method::kListUndeliverableNotifications, "AdminService/ListUndeliverableNotifications",
     kAdmins},
    {Method::kGetCalendarSettings, "AdminService/GetCalendarSettings", kAdmins},
    {Method::kSetCalendarSettings, "AdminService/SetCalendarSettings", kAdmins},
    {Method::kListChanges, "IntegrationService/ListChanges", kOversight},
    {Method::kWatchChanges, "IntegrationService/WatchChanges", kOversight},
    {Method::kImportComplaint, "IntegrationService/ImportComplaint", kGateways},
    {Method::kGetCheckpoint, "IntegrationService/GetCheckpoint", kPublic},
    {Method::kCreateCheckpoint, "IntegrationService/CreateCheckpoint",
     kOversight | RoleBit(Role::kSupervisor)},
    {Method::kGetInclusionProof, "IntegrationService/GetInclusionProof", kPublic},
    {Method::kGetConsistencyProof, "IntegrationService/GetConsistencyProof", kPublic},
    {Method::kAddCosignature, "IntegrationService/AddCosignature", kOversight},
    {Method::kFetchNotifications, "NotificationService/FetchNotifications", kGateways},
    {Method::kStreamNotifications, "NotificationService/StreamNotifications", kGateways},
    {Method::kAcknowledgeNotifications, "NotificationService/AcknowledgeNotifications",
     kGateways},
    {Method::kRequestPersonalData, "PersonalDataService/RequestPersonalData", kPublic},
    {Method::kCorrectContactDetails, "PersonalDataService/CorrectContactDetails", kPublic},
    {Method::kGetAnevReport, "ReportService/GetAnevReport",
     RoleBit(Role::kSupervisor) | RoleBit(Role::kOversight) | RoleBit(Role::kUnit)},
    {Method::kGetPublicAnevReport, "ReportService/GetPublicAnevReport", kPublic},
};

const MethodAccess& AccessOf(Method method);

// Finds the principal of a call and checks it against kMethodAccess. A call
// names its principal by the `authorization: Bearer <token>` metadata, by
// the client certificate of a mutual-TLS connection (its identities,
// server/peer_certificate.h, bound to a principal), or by both:
//
//   certificate bound to P, no token     P, unless P requires its token too
//   certificate bound to P, P's token    P
//   certificate bound to P, Q's token    refused
//   token of P, no bound certificate     P, unless P is bound to a certificate
//                                        (it must present it)
//   a certificate that carries an identity bound only to revoked
//   principals, or identities of two active principals: refused
//
// A certificate bound to no principal (one that only secures the transport)
// names nobody. Tokens and certificates are looked up in the
// PrincipalStore and the answers cached for `cache_ttl`. ForgetCachedTokens
// drops the cache at once; the server calls it when a principal is revoked
// or bound to a certificate through it, and when it sees
// (PrincipalStore::RevocationMark) that another server revoked one. A lookup
// that raced a ForgetCachedTokens is not cached. Thread-safe.
class Authenticator {
 public:
  Authenticator(PrincipalStore& store, absl::Duration cache_ttl);

  // The caller of a method for staff or systems (a role set in
  // kMethodAccess): UNAUTHENTICATED when neither token nor certificate names
  // a principal, the token is malformed, unknown or revoked, or the
  // combination is refused (see above); PERMISSION_DENIED when the
  // principal's role may not call `method`; UNAVAILABLE when the store
  // cannot be reached. For a public method, INTERNAL (use Identify).
  absl::StatusOr<Principal> Authorize(const grpc::ServerContext& context, Method method);

  // The caller of a public method: nullopt when it sent no token and no
  // bound certificate; the principal when they name one (a gateway speaking
  // for a citizen); UNAUTHENTICATED when they are refused as in Authorize —
  // a caller that sends credentials means to be known.
  absl::StatusOr<std::optional<Principal>> Identify(const grpc::ServerContext& context);

  // Forgets every cached token and certificate, so that a revocation takes
  // effect at once.
  void ForgetCachedTokens() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct CachedPrincipal {
    std::optional<Principal> principal;  // nullopt: a certificate bound to nobody
    absl::Time expires;
  };

  // The principal the call's credentials name; NOT_FOUND when they name none.
  absl::StatusOr<Principal> PrincipalOf(const grpc::ServerContext& context);
  absl::StatusOr<Principal> Authenticate(absl::string_view token) ABSL_LOCKS_EXCLUDED(mu_);
  // The principal bound to a client certificate (PEM), nullopt when none is.
  absl::StatusOr<std::optional<Principal>> AuthenticateCertificate(absl::string_view pem)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The cache's answer for `key`, or nullopt and the generation to cache
  // the store's answer under.
  std::optional<std::optional<Principal>> Cached(const std::string& key, absl::Time now,
                                                 uint64_t* generation) ABSL_LOCKS_EXCLUDED(mu_);
  void Cache(const std::string& key, const std::optional<Principal>& principal, absl::Time now,
             uint64_t generation) ABSL_LOCKS_EXCLUDED(mu_);

  PrincipalStore& store_;
  const absl::Duration cache_ttl_;
  absl::Mutex mu_;
  // Keyed by "t" and the SHA-256 digest of the token (so no token stays in
  // memory), or "c" and the digest of the certificate.
  absl::flat_hash_map<std::string, CachedPrincipal> cache_ ABSL_GUARDED_BY(mu_);
  // Counts ForgetCachedTokens calls: a lookup caches its answer only when
  // none came while it asked the store.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_ACCESS_POLICY_H_
