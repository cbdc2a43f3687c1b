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
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "server/access_policy.h"
#include "server/admin_service.h"
#include "server/anev_reports.h"
#include "server/call_admission.h"
#include "server/complaint_service.h"
#include "server/deadline_recomputer.h"
#include "domain/track_throttle.h"
#include "server/integration_service.h"
#include "server/notification_service.h"
#include "server/personal_data_service.h"
#include "server/metrics_endpoint.h"
#include "server/reference_data_cache.h"
#include "server/tls_credentials.h"
#include "server/server_metrics.h"
#include "server/tracking_gate.h"
#include "server/report_service.h"
#include "storage/anev_store.h"
#include "storage/case_store.h"
#include "storage/change_log.h"
#include "storage/complaint_store.h"
#include "storage/personal_data_store.h"
#include "storage/statistics_store.h"
#include "storage/track_throttle_store.h"

namespace dumas {

struct ServerOptions {
  // host:port to serve plaintext on ("" for none); port 0 picks a free one
  // (see DumasServer::port). Only a loopback address or a Unix socket
  // (server/listen_address.h), unless allow_plaintext_on_any_address.
  std::string listen = "127.0.0.1:50051";
  // Serve plaintext on a non-loopback address: only behind something else
  // that encrypts (a TLS-terminating proxy on the same host, a VPN).
  bool allow_plaintext_on_any_address = false;
  // host:port to serve TLS on ("" for none), with `tls`; port 0 picks a
  // free one (see DumasServer::tls_port).
  std::string tls_listen;
  TlsOptions tls;
  // Upper bound of handler threads; calls beyond it fail RESOURCE_EXHAUSTED.
  int max_threads = 512;
  // Calls that use the database admitted at once (server/call_admission.h);
  // more fail RESOURCE_EXHAUSTED at once instead of queueing for a
  // connection. About twice the database pool; 0 admits every call (the
  // thread bound above still holds).
  int max_calls_in_flight = 128;
  // Handler threads kept polling for calls. gRPC's default keeps one or two,
  // so under load it creates and ends a thread per call; keeping as many as
  // the database pool serves at once avoids that churn.
  int min_pollers = 64;
  // Largest request accepted; a complaint is at most about 60 KiB of text.
  int max_receive_message_bytes = 256 * 1024;
  // How long Shutdown lets in-flight calls finish before cancelling them.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // How long Shutdown keeps serving after health turned NOT_SERVING, so that
  // balancers and clients watching health stop sending before the port
  // closes (dumasd: --shutdown_drain).
  absl::Duration shutdown_drain = absl::ZeroDuration();
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
  // host:port of the Prometheus endpoint (server/metrics_endpoint.h); port 0
  // picks a free one (see DumasServer::metrics_port); empty: none.
  std::string metrics_listen;
  // How often the outbox, overdue and schema figures are read for the
  // metrics and the outbox's health.
  absl::Duration statistics_interval = absl::Seconds(15);
  // The health of "dumas.outbox" is NOT_SERVING while a notification has
  // waited longer than this for its gateway (or the database is down).
  absl::Duration outbox_stall_after = absl::Hours(1);
  // Freezing the monthly Anev reports of closed months.
  AnevReports::Options anev;
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
  AnevStore& anev;
  // Figures for the metrics; null: none.
  StatisticsStore* statistics = nullptr;
  // The complainant's rights (PersonalDataService); null: not served.
  PersonalDataStore* personal_data = nullptr;
};

template <typename Store>
Stores StoresOf(Store& store, ChangeLog& change_log) {
  Stores stores{store, store, store, store, store, store, store, store, change_log, store};
  if constexpr (std::is_base_of_v<StatisticsStore, Store>) stores.statistics = &store;
  if constexpr (std::is_base_of_v<PersonalDataStore, Store>) stores.personal_data = &store;
  return stores;
}

class DumasServer {
 public:
  // The name under which grpc.health.v1 reports the complaint service.
  static constexpr char kServiceName[] = "dumas.v1.ComplaintService";
  // The name under which it reports whether the outbox drains: NOT_SERVING
  // while a notification has waited longer than outbox_stall_after for its
  // gateway. For monitoring, not for routing calls.
  static constexpr char kOutboxHealthName[] = "dumas.outbox";

  // Starts serving. The stores must outlive the server. UNAVAILABLE when an
  // address cannot be bound; FAILED_PRECONDITION for plaintext on an
  // address that is not loopback (without allow_plaintext_on_any_address);
  // INVALID_ARGUMENT for nothing to listen on or unusable TLS files
  // (ReloadableTlsCredentials::Create). The server starts even while the
  // database is down: health then says NOT_SERVING and calls fail
  // UNAVAILABLE until it answers again.
  static absl::StatusOr<std::unique_ptr<DumasServer>> Start(const ServerOptions& options,
                                                            const Stores& stores);

  // The checks of Start that need no port and no store: what it listens on,
  // and the TLS files. Errors as Start's.
  static absl::Status CheckOptions(const ServerOptions& options);

  DumasServer(const DumasServer&) = delete;
  DumasServer& operator=(const DumasServer&) = delete;
  ~DumasServer();

  // The ports bound: plaintext and TLS; 0 for a listener not configured.
  int port() const { return port_; }
  int tls_port() const { return tls_port_; }

  // Reads the TLS files again and, when they pass the checks, serves new
  // connections with them within a second; connections already open and
  // their calls go on. FAILED_PRECONDITION without TLS; otherwise as
  // ReloadableTlsCredentials::Reload (the material in use is then kept).
  absl::StatusOr<TlsMaterialInfo> ReloadTls();
  // The metrics endpoint's port; 0 without one.
  int metrics_port() const { return metrics_endpoint_ ? metrics_endpoint_->port() : 0; }
  ServerMetrics& metrics() { return *metrics_; }

  // Calls admitted and not yet ended (see ServerOptions::max_calls_in_flight).
  int calls_in_flight() const { return admission_.in_flight(); }

  // Turns health NOT_SERVING, keeps serving for shutdown_drain, then stops
  // accepting calls, lets in-flight ones finish within shutdown_grace, and
  // cancels the rest. Idempotent; thread-safe.
  void Shutdown();

  // Blocks until the server has shut down.
  void Wait();

 private:
  DumasServer(const ServerOptions& options, const Stores& stores);
  void WatchLoop();
  // Freezes the Anev reports of closed months every anev.freeze_interval.
  void AnevFreezeLoop();

  const ServerOptions options_;
  ReferenceDataStore& reference_data_;
  ComplaintStore& complaints_;
  PrincipalStore& principals_;
  TrackThrottleStore& throttle_;
  Authenticator authenticator_;
  ReferenceDataCache cache_;
  DeadlineRecomputer deadline_recomputer_;
  absl::Notification stopping_;
  std::unique_ptr<ServerMetrics> metrics_;
  CallAdmission admission_;
  TrackingGate tracking_gate_;
  ComplaintServiceImpl complaint_service_;
  AdminServiceImpl admin_service_;
  NotificationServiceImpl notification_service_;
  IntegrationServiceImpl integration_service_;
  // Before server_, so that it is destroyed after the server that uses it.
  std::unique_ptr<ReloadableTlsCredentials> tls_;
  std::unique_ptr<PersonalDataServiceImpl> personal_data_service_;
  AnevReports anev_reports_;
  ReportServiceImpl report_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  int tls_port_ = 0;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;
  absl::once_flag shutdown_once_;
  std::thread watcher_;
  std::thread anev_freezer_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_DUMAS_SERVER_H_
