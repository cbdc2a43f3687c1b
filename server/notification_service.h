// The gRPC handlers of dumas.v1.NotificationService: the channel gateways
// lease notifications from the outbox, deliver them, and acknowledge them.
#ifndef DUMAS_SERVER_NOTIFICATION_SERVICE_H_
#define DUMAS_SERVER_NOTIFICATION_SERVICE_H_

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "dumas/v1/notification_service.grpc.pb.h"
#include "server/access_policy.h"
#include "server/call_admission.h"
#include "storage/case_store.h"

namespace dumas {

class NotificationServiceImpl final : public v1::NotificationService::Service {
 public:
  // How often an idle stream looks for new notifications.
  static constexpr absl::Duration kStreamPollInterval = absl::Milliseconds(500);

  // The store, authenticator and `stopping` must outlive the service; streams
  // end when `stopping` is notified (server shutdown).
  NotificationServiceImpl(NotificationStore& notifications, Authenticator& authenticator,
                          CallAdmission& admission,
                          const absl::Notification& stopping)
      : notifications_(notifications),
        authenticator_(authenticator),
        admission_(admission),
        stopping_(stopping) {}

  grpc::Status FetchNotifications(grpc::ServerContext* context,
                                  const v1::FetchNotificationsRequest* request,
                                  v1::FetchNotificationsResponse* response) override;
  grpc::Status StreamNotifications(
      grpc::ServerContext* context, const v1::StreamNotificationsRequest* request,
      grpc::ServerWriter<v1::StreamNotificationsResponse>* writer) override;
  grpc::Status AcknowledgeNotifications(grpc::ServerContext* context,
                                        const v1::AcknowledgeNotificationsRequest* request,
                                        v1::AcknowledgeNotificationsResponse* response) override;

 private:
  NotificationStore& notifications_;
  Authenticator& authenticator_;
  CallAdmission& admission_;
  const absl::Notification& stopping_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_NOTIFICATION_SERVICE_H_
