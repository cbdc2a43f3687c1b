#include "server/dumas_server.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/listen_address.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "server/log.h"
#include "server/undecodable_request.h"

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
      metrics_(std::make_unique<ServerMetrics>(
          std::vector<std::string>{
              v1::ComplaintService::service_full_name(), v1::AdminService::service_full_name(),
              v1::NotificationService::service_full_name(),
              v1::IntegrationService::service_full_name(),
              v1::PersonalDataService::service_full_name(), "grpc.health.v1.Health",
              "grpc.reflection.v1alpha.ServerReflection"},
          stores.statistics)),
      admission_(options.max_calls_in_flight),
      tracking_gate_(stores.complaints, stores.throttle, authenticator_, options.track_throttle,
                     {&metrics_->tracking_failures(), &metrics_->tracking_refusals()}),
      complaint_service_(stores.complaints, stores.cases, stores.reference_data, cache_,
                         authenticator_, admission_, tracking_gate_),
      admin_service_(stores.admin, stores.notifications, cache_, deadline_recomputer_,
                     authenticator_, admission_),
      notification_service_(stores.notifications, authenticator_, admission_, stopping_),
      integration_service_(stores.change_log, stores.complaints, cache_, authenticator_,
                           admission_, stopping_, options.heartbeat_interval),
      anev_reports_(stores.anev, cache_, options.anev),
      report_service_(anev_reports_, cache_, authenticator_, admission_) {
  if (stores.personal_data != nullptr) {
    personal_data_service_ = std::make_unique<PersonalDataServiceImpl>(
        *stores.personal_data, stores.complaints, cache_, tracking_gate_, admission_);
  }
}

namespace {

absl::Status CheckListeners(const ServerOptions& options) {
  if (options.listen.empty() && options.tls_listen.empty()) {
    return absl::InvalidArgumentError("nothing to listen on: give a plaintext or a TLS address");
  }
  if (!options.listen.empty() && !options.allow_plaintext_on_any_address &&
      !IsLoopbackListenAddress(options.listen)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to serve plaintext on ", options.listen,
        ": tokens, tracking codes and identities would cross the network unencrypted. Serve "
        "TLS there (--tls_listen with --tls_cert_file and --tls_key_file), keep plaintext on a "
        "loopback address, or, behind a TLS-terminating proxy on this host, say "
        "--allow_plaintext_on_any_address"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DumasServer::CheckOptions(const ServerOptions& options) {
  if (absl::Status status = CheckListeners(options); !status.ok()) return status;
  if (options.tls_listen.empty()) return absl::OkStatus();
  return ReloadableTlsCredentials::Check(options.tls);
}

absl::StatusOr<std::unique_ptr<DumasServer>> DumasServer::Start(const ServerOptions& options,
                                                                const Stores& stores) {
  if (absl::Status status = CheckListeners(options); !status.ok()) return status;
  std::unique_ptr<DumasServer> server(new DumasServer(options, stores));
  if (!options.tls_listen.empty()) {
    absl::StatusOr<std::unique_ptr<ReloadableTlsCredentials>> tls =
        ReloadableTlsCredentials::Create(options.tls);
    if (!tls.ok()) return tls.status();
    server->tls_ = *std::move(tls);
  }

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
  if (!options.listen.empty()) {
    builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  }
  if (server->tls_ != nullptr) {
    builder.AddListeningPort(options.tls_listen, server->tls_->credentials(), &server->tls_port_);
  }
  builder.RegisterService(&server->complaint_service_);
  builder.RegisterService(&server->admin_service_);
  builder.RegisterService(&server->notification_service_);
  builder.RegisterService(&server->integration_service_);
  if (server->personal_data_service_ != nullptr) {
    builder.RegisterService(server->personal_data_service_.get());
  }
  builder.RegisterService(&server->report_service_);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<UndecodableRequestInterceptorFactory>());
  interceptors.push_back(server->metrics_->NewInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  if (!options.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
        MetricsEndpoint::Start(options.metrics_listen, server->metrics_->registry());
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_endpoint_ = *std::move(endpoint);
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || (!options.listen.empty() && server->port_ == 0) ||
      (server->tls_ != nullptr && server->tls_port_ == 0)) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options.listen,
        options.listen.empty() || options.tls_listen.empty() ? "" : " and ", options.tls_listen));
  }
  // Until the first ping answers, the service is not ready.
  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  health->SetServingStatus(kServiceName, false);
  health->SetServingStatus(kOutboxHealthName, false);
  health->SetServingStatus(false);  // "" too: the server as a whole
  server->watcher_ = std::thread([s = server.get()] { s->WatchLoop(); });
  if (options.anev.freeze_interval > absl::ZeroDuration()) {
    server->anev_freezer_ = std::thread([s = server.get()] { s->AnevFreezeLoop(); });
  }
  return server;
}

absl::StatusOr<TlsMaterialInfo> DumasServer::ReloadTls() {
  if (tls_ == nullptr) return absl::FailedPreconditionError("the server serves no TLS");
  return tls_->Reload();
}

DumasServer::~DumasServer() {
  Shutdown();
  Wait();
}

void DumasServer::WatchLoop() {
  bool serving = false;
  bool outbox_serving = false;
  absl::Time next_refresh = absl::InfinitePast();
  absl::Time next_statistics = absl::InfinitePast();
  std::optional<std::string> revocations;  // the last RevocationMark seen
  do {
    const bool up = reference_data_.Ping().ok();
    metrics_->SetDatabaseUp(up);
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
      // Every name: "", kServiceName and kOutboxHealthName (set again below).
      server_->GetHealthCheckService()->SetServingStatus(serving);
      Log(serving ? LogLevel::kInfo : LogLevel::kWarning, "health",
          {{"service", kServiceName}, {"status", serving ? "SERVING" : "NOT_SERVING"}});
      if (!serving) outbox_serving = false;
    }
    // The figures of the metrics, and whether the outbox drains.
    if (up && absl::Now() >= next_statistics && !stopping_.HasBeenNotified()) {
      absl::StatusOr<absl::Duration> oldest = metrics_->RefreshStatistics(absl::Now());
      if (oldest.ok()) {
        next_statistics = absl::Now() + options_.statistics_interval;
        const bool drains = *oldest <= options_.outbox_stall_after;
        if (drains != outbox_serving) {
          outbox_serving = drains;
          Log(drains ? LogLevel::kInfo : LogLevel::kWarning, "health",
              {{"service", kOutboxHealthName}, {"status", drains ? "SERVING" : "NOT_SERVING"},
               {"oldest_s", absl::ToInt64Seconds(*oldest)}});
        }
      } else {
        Log(LogLevel::kWarning, "statistics_refresh_failed",
            {{"code", absl::StatusCodeToString(oldest.status().code())}});
      }
    }
    if (!stopping_.HasBeenNotified()) {
      server_->GetHealthCheckService()->SetServingStatus(kOutboxHealthName, up && outbox_serving);
    }
    // After the health status, so that a pass at start (after a migration
    // corrected the calendar) does not delay serving.
    // A failed pass is logged by the recomputer and stays owed.
    if (refreshed && !stopping_.HasBeenNotified()) (void)deadline_recomputer_.Reconcile();
  } while (!stopping_.WaitForNotificationWithTimeout(options_.health_interval));
}

void DumasServer::AnevFreezeLoop() {
  const auto stop = [this] { return stopping_.HasBeenNotified(); };
  do {
    // A failed pass is retried on the next; requests freeze what they need
    // meanwhile.
    absl::StatusOr<int> frozen = anev_reports_.FreezeDueMonths(absl::Now(), stop);
    if (!frozen.ok()) {
      Log(LogLevel::kWarning, "anev_freeze_failed",
          {{"code", absl::StatusCodeToString(frozen.status().code())}});
    }
    // The month before, recomputed for the live report's corrections, and
    // the current month's twelve-month subject counts, so that requests do
    // not have to read them.
    if (absl::Status status = anev_reports_.Prepare(absl::Now()); !status.ok()) {
      Log(LogLevel::kWarning, "anev_prepare_failed",
          {{"code", absl::StatusCodeToString(status.code())}});
    }
  } while (!stopping_.WaitForNotificationWithTimeout(options_.anev.freeze_interval));
}

void DumasServer::Shutdown() {
  absl::call_once(shutdown_once_, [this] {
    stopping_.Notify();
    Log(LogLevel::kInfo, "shutdown_started",
        {{"grace_ms", absl::ToInt64Milliseconds(options_.shutdown_grace)}});
    if (server_ == nullptr) return;  // Start failed before serving
    // Health first, so balancers stop sending before the port closes.
    server_->GetHealthCheckService()->Shutdown();
    if (options_.shutdown_drain > absl::ZeroDuration()) absl::SleepFor(options_.shutdown_drain);
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(options_.shutdown_grace));
  });
}

void DumasServer::Wait() {
  if (server_ != nullptr) server_->Wait();
  if (watcher_.joinable()) watcher_.join();
  if (anev_freezer_.joinable()) anev_freezer_.join();
}

}  // namespace dumas
