#include "server/dumas_server.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "server/log.h"

namespace dumas {
namespace {

// Expired idempotency records deleted per refresh interval at most.
constexpr int kPurgeBatch = 10000;

// Drops the reflection plugin from one builder. Linking gRPC's reflection
// library registers the plugin for every builder of the process, so leaving
// it out means removing it again.
class WithoutReflection : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
      return dynamic_cast<grpc::reflection::ProtoServerReflectionPlugin*>(plugin.get()) != nullptr;
    });
  }
};

}  // namespace

DumasServer::DumasServer(const ServerOptions& options, const Stores& stores)
    : options_(options),
      reference_data_(stores.reference_data),
      complaints_(stores.complaints),
      principals_(stores.principals),
      throttle_(stores.throttle),
      authenticator_(stores.principals, options.token_cache_ttl),
      cache_(stores.reference_data, stores.admin),
      deadline_recomputer_(stores.deadlines, cache_, options.deadline_recompute),
      complaint_service_(stores.complaints, stores.cases, stores.reference_data, stores.throttle,
                         cache_, authenticator_, options.track_throttle),
      admin_service_(stores.admin, stores.notifications, cache_, deadline_recomputer_,
                     authenticator_),
      notification_service_(stores.notifications, authenticator_, stopping_),
      integration_service_(stores.change_log, stores.complaints, cache_, authenticator_, stopping_,
                           options.heartbeat_interval) {}

absl::StatusOr<std::unique_ptr<DumasServer>> DumasServer::Start(const ServerOptions& options,
                                                                const Stores& stores) {
  std::unique_ptr<DumasServer> server(new DumasServer(options, stores));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // Links grpc/health/v1/health.proto into the descriptor pool, so reflection
  // can describe the health service.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();

  grpc::ResourceQuota quota("dumasd");
  quota.SetMaxThreads(options.max_threads);
  grpc::ServerBuilder builder;
  builder.SetResourceQuota(quota);
  if (!options.reflection) builder.SetOption(std::make_unique<WithoutReflection>());
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS,
                              options.min_pollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::max(options.min_pollers, options.max_threads));
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(&server->complaint_service_);
  builder.RegisterService(&server->admin_service_);
  builder.RegisterService(&server->notification_service_);
  builder.RegisterService(&server->integration_service_);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  // Until the first ping answers, the service is not ready.
  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  health->SetServingStatus(kServiceName, false);
  health->SetServingStatus(false);  // "" too: the server as a whole
  server->watcher_ = std::thread([s = server.get()] { s->WatchLoop(); });
  return server;
}

DumasServer::~DumasServer() {
  Shutdown();
  Wait();
}

void DumasServer::WatchLoop() {
  bool serving = false;
  absl::Time next_refresh = absl::InfinitePast();
  std::optional<std::string> revocations;  // the last RevocationMark seen
  do {
    const bool up = reference_data_.Ping().ok();
    if (up) {
      // A principal revoked through another server: its token must stop
      // working here too, now rather than when its cache entry expires.
      absl::StatusOr<std::string> mark = principals_.RevocationMark();
      if (mark.ok()) {
        if (revocations.has_value() && *revocations != *mark) {
          authenticator_.ForgetCachedTokens();
          Log(LogLevel::kInfo, "tokens_forgotten", {{"reason", "revocation"}});
        }
        revocations = *std::move(mark);
      }
    }
    bool refreshed = false;
    if (up && absl::Now() >= next_refresh) {
      if (absl::Status status = cache_.Refresh(); status.ok()) {
        next_refresh = absl::Now() + options_.reference_refresh_interval;
        refreshed = true;
      } else {
        Log(LogLevel::kWarning, "reference_data_refresh_failed",
            {{"code", absl::StatusCodeToString(status.code())}});
      }
      // Retries are answered for 24 hours; after that the records (and the
      // encrypted tracking codes in them) go.
      absl::StatusOr<int64_t> purged =
          complaints_.PurgeExpiredIdempotencyKeys(absl::Now(), kPurgeBatch);
      if (!purged.ok()) {
        Log(LogLevel::kWarning, "idempotency_purge_failed",
            {{"code", absl::StatusCodeToString(purged.status().code())}});
      } else if (*purged > 0) {
        Log(LogLevel::kInfo, "idempotency_purged", {{"records", *purged}});
      }
      // Failed tracking attempts whose window has ended count no more.
      absl::StatusOr<int64_t> expired = throttle_.PurgeTrackFailures(
          absl::Now() - options_.track_throttle.window, kPurgeBatch);
      if (!expired.ok()) {
        Log(LogLevel::kWarning, "track_failures_purge_failed",
            {{"code", absl::StatusCodeToString(expired.status().code())}});
      }
    }
    if (up != serving && !stopping_.HasBeenNotified()) {
      serving = up;
      server_->GetHealthCheckService()->SetServingStatus(serving);  // "" and kServiceName
      Log(serving ? LogLevel::kInfo : LogLevel::kWarning, "health",
          {{"service", kServiceName}, {"status", serving ? "SERVING" : "NOT_SERVING"}});
    }
    // After the health status, so that a pass at start (after a migration
    // corrected the calendar) does not delay serving.
    // A failed pass is logged by the recomputer and stays owed.
    if (refreshed && !stopping_.HasBeenNotified()) (void)deadline_recomputer_.Reconcile();
  } while (!stopping_.WaitForNotificationWithTimeout(options_.health_interval));
}

void DumasServer::Shutdown() {
  absl::call_once(shutdown_once_, [this] {
    stopping_.Notify();
    Log(LogLevel::kInfo, "shutdown_started",
        {{"grace_ms", absl::ToInt64Milliseconds(options_.shutdown_grace)}});
    // Health first, so balancers stop sending before the port closes.
    server_->GetHealthCheckService()->Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(options_.shutdown_grace));
  });
}

void DumasServer::Wait() {
  server_->Wait();
  if (watcher_.joinable()) watcher_.join();
}

}  // namespace dumas
