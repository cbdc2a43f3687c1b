// The gRPC handlers of dumas.v1.IntegrationService: the change feed Kompolnas
// mirrors, the import of the complaints it forwards, and the transparency
// log's checkpoints, proofs and cosignatures.
#ifndef DUMAS_SERVER_INTEGRATION_SERVICE_H_
#define DUMAS_SERVER_INTEGRATION_SERVICE_H_

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "server/access_policy.h"
#include "server/call_admission.h"
#include "server/reference_data_cache.h"
#include "storage/change_log.h"
#include "storage/complaint_store.h"

namespace dumas {

class IntegrationServiceImpl final : public v1::IntegrationService::Service {
 public:
  // The log, store, cache, authenticator and `stopping` must outlive the
  // service; streams end with UNAVAILABLE when `stopping` is notified.
  // A watching consumer gets a heartbeat after `heartbeat_interval` without
  // changes.
  IntegrationServiceImpl(ChangeLog& log, ComplaintStore& complaints, ReferenceDataCache& cache,
                         Authenticator& authenticator, CallAdmission& admission,
                         const absl::Notification& stopping,
                         absl::Duration heartbeat_interval)
      : log_(log),
        complaints_(complaints),
        cache_(cache),
        authenticator_(authenticator), admission_(admission),
        stopping_(stopping),
        heartbeat_interval_(heartbeat_interval) {}

  grpc::Status ListChanges(grpc::ServerContext* context, const v1::ListChangesRequest* request,
                           v1::ListChangesResponse* response) override;
  grpc::Status WatchChanges(grpc::ServerContext* context, const v1::WatchChangesRequest* request,
                            grpc::ServerWriter<v1::WatchChangesResponse>* writer) override;
  grpc::Status ImportComplaint(grpc::ServerContext* context,
                               const v1::ImportComplaintRequest* request,
                               v1::ImportComplaintResponse* response) override;
  grpc::Status GetCheckpoint(grpc::ServerContext* context,
                             const v1::GetCheckpointRequest* request,
                             v1::GetCheckpointResponse* response) override;
  grpc::Status CreateCheckpoint(grpc::ServerContext* context,
                                const v1::CreateCheckpointRequest* request,
                                v1::CreateCheckpointResponse* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* context,
                                 const v1::GetInclusionProofRequest* request,
                                 v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const v1::GetConsistencyProofRequest* request,
                                   v1::GetConsistencyProofResponse* response) override;
  grpc::Status AddCosignature(grpc::ServerContext* context,
                              const v1::AddCosignatureRequest* request,
                              v1::AddCosignatureResponse* response) override;

 private:
  absl::Status Import(grpc::ServerContext& context, const v1::ImportComplaintRequest& request,
                      v1::ImportComplaintResponse& response);

  ChangeLog& log_;
  ComplaintStore& complaints_;
  ReferenceDataCache& cache_;
  Authenticator& authenticator_;
  CallAdmission& admission_;
  const absl::Notification& stopping_;
  const absl::Duration heartbeat_interval_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_INTEGRATION_SERVICE_H_
