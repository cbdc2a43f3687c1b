// DumasServer: the gRPC server of Dumas with its services (complaints, health,
// reflection) and a background loop that tracks the database's health,
// refreshes cached reference data and keeps stored due dates on the calendar
// (DeadlineRecomputer). main.cc and the integration tests both
// start the server through this class.
#ifndef DUMAS_SERVER_DUMAS_SERVER_H_
#define DUMAS_SERVER_DUMAS_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "server/access_policy.h"
#include "server/admin_service.h"
#include "server/complaint_service.h"
#include "server/deadline_recomputer.h"
#include "domain/track_throttle.h"
#include "server/integration_service.h"
#include "server/notification_service.h"
#include "server/reference_data_cache.h"
#include "storage/case_store.h"
#include "storage/change_log.h"
#include "storage/complaint_store.h"
#include "storage/track_throttle_store.h"

namespace dumas {

struct ServerOptions {
  // host:port to listen on; port 0 picks a free one (see DumasServer::port).
  std::string listen = "127.0.0.1:50051";
  // Upper bound of handler threads; calls beyond it fail RESOURCE_EXHAUSTED.
  int max_threads = 512;
  // Handler threads kept polling for calls. gRPC's default keeps one or two,
  // so under load it creates and ends a thread per call; keeping as many as
  // the database pool serves at once avoids that churn.
  int min_pollers = 64;
  // Largest request accepted; a complaint is at most about 60 KiB of text.
  int max_receive_message_bytes = 256 * 1024;
  // How long Shutdown lets in-flight calls finish before cancelling them.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // How often the database is pinged to set the health status, and looked at
  // for principals revoked through other servers (whose cached tokens are
  // then dropped here).
  absl::Duration health_interval = absl::Seconds(2);
  // How often categories, units, holidays and calendar settings are reloaded
  // (a calendar changed through another server takes effect here, and its
  // deadlines are recomputed, within this time).
  absl::Duration reference_refresh_interval = absl::Minutes(1);
  // How long an authenticated token is trusted without asking the store
  // (revocations drop it sooner: see health_interval).
  absl::Duration token_cache_ttl = absl::Seconds(30);
  // Recomputing running deadlines when the calendar changes.
  DeadlineRecomputer::Options deadline_recompute;
  TrackThrottlePolicy track_throttle;
  // How long a watching Kompolnas consumer waits for a heartbeat when no
  // change comes.
  absl::Duration heartbeat_interval = absl::Seconds(5);
  // Whether grpc.reflection.v1alpha describes the API to callers (grpcurl,
  // buf curl). Production may switch it off and hand out dumas.protoset.
  bool reflection = true;
};

// The stores a server runs on. MySqlStore is all of them (StoresOf).
struct Stores {
  ComplaintStore& complaints;
  PrincipalStore& principals;
  ReferenceDataStore& reference_data;
  CaseStore& cases;
  NotificationStore& notifications;
  AdminStore& admin;
  TrackThrottleStore& throttle;
  DeadlineStore& deadlines;
  ChangeLog& change_log;
};

template <typename Store>
Stores StoresOf(Store& store, ChangeLog& change_log) {
  return Stores{store, store, store, store, store, store, store, store, change_log};
}

class DumasServer {
 public:
  // The name under which grpc.health.v1 reports the complaint service.
  static constexpr char kServiceName[] = "dumas.v1.ComplaintService";

  // Starts serving. The stores must outlive the server. UNAVAILABLE when the
  // address cannot be bound. The server starts even while the database is
  // down: health then says NOT_SERVING and calls fail UNAVAILABLE until it
  // answers again.
  static absl::StatusOr<std::unique_ptr<DumasServer>> Start(const ServerOptions& options,
                                                            const Stores& stores);

  DumasServer(const DumasServer&) = delete;
  DumasServer& operator=(const DumasServer&) = delete;
  ~DumasServer();

  // The port bound.
  int port() const { return port_; }

  // Stops accepting calls, lets in-flight ones finish within shutdown_grace,
  // then cancels the rest. Idempotent; thread-safe.
  void Shutdown();

  // Blocks until the server has shut down.
  void Wait();

 private:
  DumasServer(const ServerOptions& options, const Stores& stores);
  void WatchLoop();

  const ServerOptions options_;
  ReferenceDataStore& reference_data_;
  ComplaintStore& complaints_;
  PrincipalStore& principals_;
  TrackThrottleStore& throttle_;
  Authenticator authenticator_;
  ReferenceDataCache cache_;
  DeadlineRecomputer deadline_recomputer_;
  absl::Notification stopping_;
  ComplaintServiceImpl complaint_service_;
  AdminServiceImpl admin_service_;
  NotificationServiceImpl notification_service_;
  IntegrationServiceImpl integration_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  absl::once_flag shutdown_once_;
  std::thread watcher_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_DUMAS_SERVER_H_
