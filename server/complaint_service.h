// The gRPC handlers of dumas.v1.ComplaintService. Thin: they authorize,
// convert, validate through the domain library, call the store, and map the
// outcome to a gRPC status.
#ifndef DUMAS_SERVER_COMPLAINT_SERVICE_H_
#define DUMAS_SERVER_COMPLAINT_SERVICE_H_

#include "domain/case_action.h"
#include "domain/field_violations.h"
#include "domain/lifecycle.h"
#include "domain/track_throttle.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "server/access_policy.h"
#include "server/call_admission.h"
#include "server/reference_data_cache.h"
#include "server/tracking_gate.h"
#include "storage/case_store.h"
#include "storage/complaint_store.h"

namespace dumas {

class ComplaintServiceImpl final : public v1::ComplaintService::Service {
 public:
  // The stores, cache, authenticator and gate must outlive the service.
  ComplaintServiceImpl(ComplaintStore& complaints, CaseStore& cases,
                       ReferenceDataStore& reference_data, ReferenceDataCache& cache,
                       Authenticator& authenticator, CallAdmission& admission,
                       TrackingGate& tracking);

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
  grpc::Status ListComplaints(grpc::ServerContext* context,
                              const v1::ListComplaintsRequest* request,
                              v1::ListComplaintsResponse* response) override;
  grpc::Status ListComplaintEvents(grpc::ServerContext* context,
                                   const v1::ListComplaintEventsRequest* request,
                                   v1::ListComplaintEventsResponse* response) override;

  // Case handling (complaint_lifecycle.cc).
  grpc::Status VerifyComplaint(grpc::ServerContext* context,
                               const v1::VerifyComplaintRequest* request,
                               v1::VerifyComplaintResponse* response) override;
  grpc::Status ArchiveComplaint(grpc::ServerContext* context,
                                const v1::ArchiveComplaintRequest* request,
                                v1::ArchiveComplaintResponse* response) override;
  grpc::Status RejectComplaint(grpc::ServerContext* context,
                               const v1::RejectComplaintRequest* request,
                               v1::RejectComplaintResponse* response) override;
  grpc::Status AssignComplaint(grpc::ServerContext* context,
                               const v1::AssignComplaintRequest* request,
                               v1::AssignComplaintResponse* response) override;
  grpc::Status StartInvestigation(grpc::ServerContext* context,
                                  const v1::StartInvestigationRequest* request,
                                  v1::StartInvestigationResponse* response) override;
  grpc::Status RequestClarification(grpc::ServerContext* context,
                                    const v1::RequestClarificationRequest* request,
                                    v1::RequestClarificationResponse* response) override;
  grpc::Status ConcludeComplaint(grpc::ServerContext* context,
                                 const v1::ConcludeComplaintRequest* request,
                                 v1::ConcludeComplaintResponse* response) override;
  grpc::Status AnswerComplaint(grpc::ServerContext* context,
                               const v1::AnswerComplaintRequest* request,
                               v1::AnswerComplaintResponse* response) override;
  grpc::Status CloseComplaint(grpc::ServerContext* context,
                              const v1::CloseComplaintRequest* request,
                              v1::CloseComplaintResponse* response) override;
  grpc::Status ReopenComplaint(grpc::ServerContext* context,
                               const v1::ReopenComplaintRequest* request,
                               v1::ReopenComplaintResponse* response) override;
  grpc::Status AddComplaintNote(grpc::ServerContext* context,
                                const v1::AddComplaintNoteRequest* request,
                                v1::AddComplaintNoteResponse* response) override;
  grpc::Status RespondToClarification(grpc::ServerContext* context,
                                      const v1::RespondToClarificationRequest* request,
                                      v1::RespondToClarificationResponse* response) override;
  grpc::Status DisputeAnswer(grpc::ServerContext* context,
                             const v1::DisputeAnswerRequest* request,
                             v1::DisputeAnswerResponse* response) override;
  grpc::Status RateComplaintHandling(grpc::ServerContext* context,
                                     const v1::RateComplaintHandlingRequest* request,
                                     v1::RateComplaintHandlingResponse* response) override;

 private:
  absl::Status Submit(grpc::ServerContext& context, const v1::SubmitComplaintRequest& request,
                      v1::SubmitComplaintResponse& response);
  absl::Status Track(grpc::ServerContext& context, const v1::TrackComplaintRequest& request,
                     v1::TrackComplaintResponse& response);
  absl::Status Get(grpc::ServerContext& context, const v1::GetComplaintRequest& request,
                   v1::GetComplaintResponse& response);
  absl::Status List(grpc::ServerContext& context, const v1::ListComplaintsRequest& request,
                    v1::ListComplaintsResponse& response);
  absl::Status ListEvents(grpc::ServerContext& context,
                          const v1::ListComplaintEventsRequest& request,
                          v1::ListComplaintEventsResponse& response);

  // A staff action on the complaint `name` at `etag`: authorizes the caller
  // for `method`, checks the common fields (and the action's own, already in
  // `violations`), then in one transaction on the locked complaint lets the
  // domain decide (PlanStaffAction: visibility, etag, role, transition, the
  // action's rules) and writes the change. `request` is the whole request,
  // for the request_id's fingerprint.
  absl::StatusOr<Complaint> ApplyStaffAction(grpc::ServerContext& context, Method method,
                                             Action action, const std::string& name,
                                             const std::string& etag,
                                             const google::protobuf::Message& request,
                                             const std::string& request_id,
                                             FieldViolations& violations, ActionInput input);

  // A complainant's action through the tracking code: checks the pair
  // (TrackingGate, throttled), lets the domain decide
  // (PlanComplainantAction), applies the change, and returns the
  // complainant's view after it.
  absl::StatusOr<TrackedComplaint> ApplyComplainantAction(
      grpc::ServerContext& context, Method method, Action action,
      const std::string& reference_number, const std::string& tracking_code,
      const google::protobuf::Message& request, const std::string& request_id,
      FieldViolations& violations, ActionInput input);

  ComplaintStore& complaints_;
  CaseStore& cases_;
  ReferenceDataStore& reference_data_;
  ReferenceDataCache& cache_;
  Authenticator& authenticator_;
  CallAdmission& admission_;
  TrackingGate& tracking_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_COMPLAINT_SERVICE_H_
