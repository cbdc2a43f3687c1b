// The gRPC handlers of dumas.v1.ComplaintService. Thin: they authorize,
// convert, validate through the domain library, call the store, and map the
// outcome to a gRPC status.
#ifndef DUMAS_SERVER_COMPLAINT_SERVICE_H_
#define DUMAS_SERVER_COMPLAINT_SERVICE_H_

#include "dumas/v1/complaint_service.grpc.pb.h"
#include "server/access_policy.h"
#include "server/domain/track_throttle.h"
#include "server/reference_data_cache.h"
#include "storage/complaint_store.h"

namespace dumas {

class ComplaintServiceImpl final : public v1::ComplaintService::Service {
 public:
  // The stores, cache and authenticator must outlive the service.
  ComplaintServiceImpl(ComplaintStore& complaints, ReferenceDataStore& reference_data,
                       ReferenceDataCache& cache, Authenticator& authenticator,
                       TrackThrottle::Options throttle);

  grpc::Status SubmitComplaint(grpc::ServerContext* context,
                               const v1::SubmitComplaintRequest* request,
                               v1::SubmitComplaintResponse* response) override;
  grpc::Status TrackComplaint(grpc::ServerContext* context,
                              const v1::TrackComplaintRequest* request,
                              v1::TrackComplaintResponse* response) override;
  grpc::Status GetComplaint(grpc::ServerContext* context,
                            const v1::GetComplaintRequest* request,
                            v1::GetComplaintResponse* response) override;
  grpc::Status ListCategories(grpc::ServerContext* context,
                              const v1::ListCategoriesRequest* request,
                              v1::ListCategoriesResponse* response) override;
  grpc::Status ListUnits(grpc::ServerContext* context, const v1::ListUnitsRequest* request,
                         v1::ListUnitsResponse* response) override;

 private:
  absl::Status Submit(grpc::ServerContext& context, const v1::SubmitComplaintRequest& request,
                      v1::SubmitComplaintResponse& response);
  absl::Status Track(grpc::ServerContext& context, const v1::TrackComplaintRequest& request,
                     v1::TrackComplaintResponse& response);
  absl::Status Get(grpc::ServerContext& context, const v1::GetComplaintRequest& request,
                   v1::GetComplaintResponse& response);

  ComplaintStore& complaints_;
  ReferenceDataStore& reference_data_;
  ReferenceDataCache& cache_;
  Authenticator& authenticator_;
  TrackThrottle throttle_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_COMPLAINT_SERVICE_H_
