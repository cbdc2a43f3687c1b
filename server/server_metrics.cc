#include "server/server_metrics.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/working_day_calendar.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/status.h"

namespace dumas {
namespace {

// Latency buckets in seconds: a tracking call takes about a millisecond, a
// submission a few; streams run for minutes and land in +Inf.
const std::vector<double> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};

constexpr const char* kCodeNames[] = {
    "OK",        "CANCELLED",          "UNKNOWN",          "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS",   "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",      "DATA_LOSS",
    "UNAUTHENTICATED"};
static_assert(std::size(kCodeNames) == 17);

#ifndef DUMAS_VERSION
#define DUMAS_VERSION "unknown"
#endif

// Creates a series once, lock-free afterwards: the family's lock is taken only
// when the pointer is still unset.
template <typename Metric>
Metric& Lazily(std::atomic<Metric*>& slot, MetricFamily<Metric>& family,
               const LabelValues& labels) {
  Metric* metric = slot.load(std::memory_order_acquire);
  if (metric == nullptr) {
    metric = &family.WithLabels(labels);  // the same series if two threads race
    slot.store(metric, std::memory_order_release);
  }
  return *metric;
}

// Counts one call: started when gRPC creates it (the call was matched to a
// method), finished when its status is sent, or when the call ends without
// one (cancelled).
class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(ServerMetrics& metrics, ServerMetrics::MethodSeries& method)
      : metrics_(metrics), method_(method), start_(absl::Now()) {
    metrics_.CallStarted(method_);
  }
  ~MetricsInterceptor() override {
    if (!finished_) Finish(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!finished_ && methods->QueryInterceptionHookPoint(
                          grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Finish(grpc::StatusCode code) {
    finished_ = true;
    metrics_.CallFinished(method_, static_cast<int>(code), absl::Now() - start_);
  }

  ServerMetrics& metrics_;
  ServerMetrics::MethodSeries& method_;
  const absl::Time start_;
  bool finished_ = false;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(ServerMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, metrics_.SeriesOf(info->method()));
  }

 private:
  ServerMetrics& metrics_;
};

}  // namespace

ServerMetrics::ServerMetrics(const std::vector<std::string>& services,
                             StatisticsStore* statistics)
    : statistics_(statistics) {
  other_.name = "other";
  for (const std::string& service : services) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    if (descriptor == nullptr) continue;  // counted as "other"
    for (int i = 0; i < descriptor->method_count(); ++i) {
      auto series = std::make_unique<MethodSeries>();
      series->name = absl::StrCat(service, "/", descriptor->method(i)->name());
      const std::string path = absl::StrCat("/", series->name);
      methods_.emplace(path, std::move(series));
    }
  }

  requests_ = &registry_.AddCounter("dumas_rpc_requests_total",
                                    "gRPC calls finished, by method and status code.",
                                    {"method", "code"});
  latency_ = &registry_.AddHistogram(
      "dumas_rpc_duration_seconds",
      "Time from a gRPC call's start to its status, by method (streams until they end).",
      {"method"}, kLatencyBuckets);
  in_flight_ = &registry_.AddGauge("dumas_rpc_requests_in_flight",
                                   "gRPC calls started and not finished, by method.",
                                   {"method"});

  database_up_ = &registry_.AddGauge("dumas_db_up", "1 while the database answers pings.")
                      .WithLabels({});
  GaugeFamily& connections = registry_.AddGauge(
      "dumas_db_pool_connections", "Open database connections of the pool, by state.",
      {"state"});
  Gauge& in_use = connections.WithLabels({"in_use"});
  Gauge& idle = connections.WithLabels({"idle"});
  Gauge& max_connections =
      registry_.AddGauge("dumas_db_pool_max_connections", "The size of the connection pool.")
          .WithLabels({});
  Counter& waits = registry_
                       .AddCounter("dumas_db_pool_waits_total",
                                   "Acquisitions of a connection that waited for one.")
                       .WithLabels({});
  Counter& wait_seconds = registry_
                              .AddCounter("dumas_db_pool_wait_seconds_total",
                                          "Time acquisitions waited for a connection.")
                              .WithLabels({});
  Counter& timeouts = registry_
                          .AddCounter("dumas_db_pool_acquire_timeouts_total",
                                      "Acquisitions that found no connection in time.")
                          .WithLabels({});
  CounterFamily& retries = registry_.AddCounter(
      "dumas_db_retries_total",
      "Database work run again: transactions after a deadlock or lock-wait timeout, and "
      "calls whose connection was found dead.",
      {"reason"});
  Counter& deadlock_retries = retries.WithLabels({"deadlock"});
  Counter& stale_retries = retries.WithLabels({"stale_connection"});
  if (statistics_ != nullptr) {
    registry_.AddScrapeHook([=, this, &in_use, &idle, &max_connections, &waits, &wait_seconds,
                             &timeouts, &deadlock_retries, &stale_retries] {
      const ConnectionPoolStats pool = statistics_->PoolStatistics();
      in_use.Set(pool.open_connections - pool.idle_connections);
      idle.Set(pool.idle_connections);
      max_connections.Set(pool.max_connections);
      waits.SetTotal(static_cast<double>(pool.waits));
      wait_seconds.SetTotal(pool.wait_seconds);
      timeouts.SetTotal(static_cast<double>(pool.acquire_timeouts));
      deadlock_retries.SetTotal(static_cast<double>(pool.deadlock_retries));
      stale_retries.SetTotal(static_cast<double>(pool.stale_connection_retries));
    });
  }

  tracking_failures_ =
      &registry_
           .AddCounter("dumas_tracking_failures_total",
                       "Tracking attempts with a reference number and tracking code that "
                       "match no complaint.")
           .WithLabels({});
  tracking_refusals_ =
      &registry_
           .AddCounter("dumas_tracking_throttle_refusals_total",
                       "Wrong tracking attempts refused because their end client spent its "
                       "budget.")
           .WithLabels({});

  outbox_backlog_ = &registry_.AddGauge(
      "dumas_outbox_backlog", "Notifications waiting for the gateway of their channel.",
      {"channel"});
  outbox_oldest_age_ = &registry_.AddGauge(
      "dumas_outbox_oldest_age_seconds",
      "Age of the oldest notification waiting for its gateway, by channel; 0 when none waits.",
      {"channel"});
  outbox_set_aside_ = &registry_.AddGauge(
      "dumas_outbox_set_aside",
      "Notifications set aside as undeliverable, waiting for an operator, by channel.",
      {"channel"});
  overdue_ = &registry_.AddGauge(
      "dumas_complaints_overdue",
      "Complaints past a deadline (sp3d: the progress letter; result: the official answer), "
      "by handling unit.",
      {"unit", "deadline"});
  schema_version_ =
      &registry_.AddGauge("dumas_schema_version", "The newest migration applied to the database.")
           .WithLabels({});
  statistics_refreshed_ =
      &registry_
           .AddGauge("dumas_statistics_refresh_timestamp_seconds",
                     "When the outbox, overdue and schema figures were last read (Unix time).")
           .WithLabels({});
  build_info_ = &registry_.AddGauge("dumas_build_info",
                                    "1, labelled with the server's version and the newest "
                                    "schema version it knows.",
                                    {"version", "schema"});
  registry_.AddGauge("dumas_process_start_time_seconds", "When the server started (Unix time).")
      .WithLabels({})
      .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
ServerMetrics::NewInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(*this);
}

ServerMetrics::MethodSeries& ServerMetrics::SeriesOf(const char* grpc_method) {
  if (grpc_method == nullptr) return other_;
  const auto it = methods_.find(grpc_method);
  return it == methods_.end() ? other_ : *it->second;
}

void ServerMetrics::CallStarted(MethodSeries& method) {
  Lazily(method.in_flight, *in_flight_, {method.name}).Increment();
}

void ServerMetrics::CallFinished(MethodSeries& method, int code, absl::Duration elapsed) {
  Lazily(method.in_flight, *in_flight_, {method.name}).Decrement();
  Lazily(method.latency, *latency_, {method.name}).Observe(absl::ToDoubleSeconds(elapsed));
  const size_t index = code >= 0 && code < 17 ? static_cast<size_t>(code) : 2;  // UNKNOWN
  Lazily(method.by_code[index], *requests_, {method.name, kCodeNames[index]}).Increment();
}

absl::StatusOr<absl::Duration> ServerMetrics::RefreshStatistics(absl::Time now) {
  if (statistics_ == nullptr) return absl::ZeroDuration();
  absl::StatusOr<std::vector<OutboxChannelStats>> outbox = statistics_->OutboxStatistics();
  if (!outbox.ok()) return outbox.status();
  absl::StatusOr<std::vector<OverdueCount>> overdue =
      statistics_->OverdueComplaints(absl::ToCivilDay(now, PaluTimeZone()));
  if (!overdue.ok()) return overdue.status();
  absl::StatusOr<StatisticsStore::SchemaVersions> schema = statistics_->SchemaVersion();
  if (!schema.ok()) return schema.status();

  // Every channel, so that an emptied backlog shows as 0.
  absl::Duration oldest = absl::ZeroDuration();
  for (int c = 1; c <= kMaxChannel; ++c) {
    const Channel channel = static_cast<Channel>(c);
    OutboxChannelStats figures;
    for (const OutboxChannelStats& row : *outbox) {
      if (row.channel == channel) figures = row;
    }
    const LabelValues label = {std::string(ChannelName(channel))};
    const absl::Duration age = figures.oldest_pending_time.has_value()
                                   ? std::max(absl::ZeroDuration(), now - *figures.oldest_pending_time)
                                   : absl::ZeroDuration();
    oldest = std::max(oldest, age);
    outbox_backlog_->WithLabels(label).Set(static_cast<double>(figures.pending));
    outbox_set_aside_->WithLabels(label).Set(static_cast<double>(figures.set_aside));
    outbox_oldest_age_->WithLabels(label).Set(absl::ToDoubleSeconds(age));
  }

  std::vector<LabelValues> reported;
  for (const OverdueCount& count : *overdue) {
    const std::string unit = count.handling_unit_id.empty() ? "none" : count.handling_unit_id;
    overdue_->WithLabels({unit, "sp3d"}).Set(static_cast<double>(count.sp3d));
    overdue_->WithLabels({unit, "result"}).Set(static_cast<double>(count.result));
    reported.push_back({unit, "sp3d"});
    reported.push_back({unit, "result"});
  }
  overdue_->RemoveUnless([&](const LabelValues& labels) {
    return std::find(reported.begin(), reported.end(), labels) != reported.end();
  });

  schema_version_->Set(schema->applied);
  build_info_->WithLabels({DUMAS_VERSION, absl::StrCat(schema->latest_known)}).Set(1);
  statistics_refreshed_->Set(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
  return oldest;
}

}  // namespace dumas
