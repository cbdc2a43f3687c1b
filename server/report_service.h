// The gRPC handlers of dumas.v1.ReportService: the monthly Anev report
// (server/anev_reports.h) for staff and Kompolnas, and its public variant.
#ifndef DUMAS_SERVER_REPORT_SERVICE_H_
#define DUMAS_SERVER_REPORT_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "domain/field_violations.h"
#include "dumas/v1/report_service.grpc.pb.h"
#include "server/access_policy.h"
#include "server/anev_reports.h"
#include "server/call_admission.h"
#include "server/reference_data_cache.h"

namespace dumas {

// The suppression rule of the public report, in Indonesian and English.
extern const char kAnevPublicRule[];

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // The reports, cache, authenticator and admission must outlive the service.
  ReportServiceImpl(AnevReports& reports, ReferenceDataCache& cache,
                    Authenticator& authenticator, CallAdmission& admission);

  grpc::Status GetAnevReport(grpc::ServerContext* context, const v1::GetAnevReportRequest* request,
                             v1::GetAnevReportResponse* response) override;
  grpc::Status GetPublicAnevReport(grpc::ServerContext* context,
                                   const v1::GetPublicAnevReportRequest* request,
                                   v1::GetPublicAnevReportResponse* response) override;

 private:
  absl::Status Get(grpc::ServerContext& context, const v1::GetAnevReportRequest& request,
                   v1::GetAnevReportResponse& response);
  absl::Status GetPublic(grpc::ServerContext& context,
                         const v1::GetPublicAnevReportRequest& request,
                         v1::GetPublicAnevReportResponse& response);

  AnevReports& reports_;
  ReferenceDataCache& cache_;
  Authenticator& authenticator_;
  CallAdmission& admission_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_REPORT_SERVICE_H_
