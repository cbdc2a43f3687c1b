// The gRPC handlers of dumas.v1.PersonalDataService: the complainant's copy
// of their personal data and the correction of their contact details,
// through the reference number and tracking code (TrackingGate).
#ifndef DUMAS_SERVER_PERSONAL_DATA_SERVICE_H_
#define DUMAS_SERVER_PERSONAL_DATA_SERVICE_H_

#include "absl/time/time.h"
#include "dumas/v1/personal_data_service.grpc.pb.h"
#include "server/call_admission.h"
#include "server/reference_data_cache.h"
#include "server/tracking_gate.h"
#include "storage/complaint_store.h"
#include "storage/personal_data_store.h"

namespace dumas {

class PersonalDataServiceImpl final : public v1::PersonalDataService::Service {
 public:
  // At most one copy of the personal data per complaint in this time.
  static constexpr absl::Duration kCopyInterval = absl::Hours(1);

  // The stores, cache, gate and admission must outlive the service.
  PersonalDataServiceImpl(PersonalDataStore& personal_data, ComplaintStore& complaints,
                          ReferenceDataCache& cache, TrackingGate& tracking,
                          CallAdmission& admission)
      : personal_data_(personal_data),
        complaints_(complaints),
        cache_(cache),
        tracking_(tracking),
        admission_(admission) {}

  grpc::Status RequestPersonalData(grpc::ServerContext* context,
                                   const v1::RequestPersonalDataRequest* request,
                                   v1::RequestPersonalDataResponse* response) override;
  grpc::Status CorrectContactDetails(grpc::ServerContext* context,
                                     const v1::CorrectContactDetailsRequest* request,
                                     v1::CorrectContactDetailsResponse* response) override;

 private:
  absl::Status Copy(grpc::ServerContext& context, const v1::RequestPersonalDataRequest& request,
                    v1::RequestPersonalDataResponse& response);
  absl::Status Correct(grpc::ServerContext& context,
                       const v1::CorrectContactDetailsRequest& request,
                       v1::CorrectContactDetailsResponse& response);

  PersonalDataStore& personal_data_;
  ComplaintStore& complaints_;
  ReferenceDataCache& cache_;
  TrackingGate& tracking_;
  CallAdmission& admission_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_PERSONAL_DATA_SERVICE_H_
