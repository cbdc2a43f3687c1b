// The gRPC handlers of dumas.v1.AdminService: principals, units,
// categories, routing rules, the holiday calendar and its settings. ADMIN
// only.
#ifndef DUMAS_SERVER_ADMIN_SERVICE_H_
#define DUMAS_SERVER_ADMIN_SERVICE_H_

#include "dumas/v1/admin_service.grpc.pb.h"
#include "server/access_policy.h"
#include "server/call_admission.h"
#include "server/deadline_recomputer.h"
#include "server/reference_data_cache.h"
#include "storage/case_store.h"

namespace dumas {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  // The stores, cache, recomputer and authenticator must outlive the
  // service. Changes to reference data refresh `cache` at once; changes to
  // the calendar then recompute running deadlines through `deadlines` before
  // the call returns.
  AdminServiceImpl(AdminStore& admin, NotificationStore& notifications,
                   ReferenceDataCache& cache, DeadlineRecomputer& deadlines,
                   Authenticator& authenticator, CallAdmission& admission)
      : admin_(admin),
        notifications_(notifications),
        cache_(cache),
        deadlines_(deadlines),
        authenticator_(authenticator), admission_(admission) {}

  grpc::Status CreatePrincipal(grpc::ServerContext* context,
                               const v1::CreatePrincipalRequest* request,
                               v1::CreatePrincipalResponse* response) override;
  grpc::Status ListPrincipals(grpc::ServerContext* context,
                              const v1::ListPrincipalsRequest* request,
                              v1::ListPrincipalsResponse* response) override;
  grpc::Status RevokePrincipal(grpc::ServerContext* context,
                               const v1::RevokePrincipalRequest* request,
                               v1::RevokePrincipalResponse* response) override;
  grpc::Status CreateUnit(grpc::ServerContext* context, const v1::CreateUnitRequest* request,
                          v1::CreateUnitResponse* response) override;
  grpc::Status CreateCategory(grpc::ServerContext* context,
                              const v1::CreateCategoryRequest* request,
                              v1::CreateCategoryResponse* response) override;
  grpc::Status ListRoutingRules(grpc::ServerContext* context,
                                const v1::ListRoutingRulesRequest* request,
                                v1::ListRoutingRulesResponse* response) override;
  grpc::Status SetRoutingRule(grpc::ServerContext* context,
                              const v1::SetRoutingRuleRequest* request,
                              v1::SetRoutingRuleResponse* response) override;
  grpc::Status ListHolidays(grpc::ServerContext* context, const v1::ListHolidaysRequest* request,
                            v1::ListHolidaysResponse* response) override;
  grpc::Status SetHolidays(grpc::ServerContext* context, const v1::SetHolidaysRequest* request,
                           v1::SetHolidaysResponse* response) override;
  grpc::Status ListUndeliverableNotifications(
      grpc::ServerContext* context, const v1::ListUndeliverableNotificationsRequest* request,
      v1::ListUndeliverableNotificationsResponse* response) override;
  grpc::Status GetCalendarSettings(grpc::ServerContext* context,
                                   const v1::GetCalendarSettingsRequest* request,
                                   v1::GetCalendarSettingsResponse* response) override;
  grpc::Status SetCalendarSettings(grpc::ServerContext* context,
                                   const v1::SetCalendarSettingsRequest* request,
                                   v1::SetCalendarSettingsResponse* response) override;

 private:
  // Authorizes the call; then runs `body` and refreshes the cache when
  // `refresh` and the body succeeded (and, for a change of the calendar,
  // recomputes running deadlines).
  template <typename Body>
  grpc::Status Run(grpc::ServerContext& context, Method method, bool refresh, Body body);

  AdminStore& admin_;
  NotificationStore& notifications_;
  ReferenceDataCache& cache_;
  DeadlineRecomputer& deadlines_;
  Authenticator& authenticator_;
  CallAdmission& admission_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_ADMIN_SERVICE_H_
