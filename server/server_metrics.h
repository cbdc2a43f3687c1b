// The metrics of a Dumas server (server/metrics.h holds the registry):
//
//   dumas_rpc_requests_total{method,code}        calls finished, by gRPC status code
//   dumas_rpc_duration_seconds{method}           time from the call's start to its status
//   dumas_rpc_requests_in_flight{method}         calls started and not finished
//   dumas_db_up                                  1 while the database answers pings
//   dumas_db_pool_connections{state}             open connections: in_use, idle
//   dumas_db_pool_max_connections                the pool's size
//   dumas_db_pool_waits_total                    acquisitions that waited for a connection
//   dumas_db_pool_wait_seconds_total             the time they waited
//   dumas_db_pool_acquire_timeouts_total         acquisitions that gave up (UNAVAILABLE)
//   dumas_db_retries_total{reason}               work run again: deadlock, stale_connection
//   dumas_tracking_failures_total                wrong reference/tracking-code pairs
//   dumas_tracking_throttle_refusals_total       wrong pairs refused (RESOURCE_EXHAUSTED)
//   dumas_outbox_backlog{channel}                notifications waiting for their gateway
//   dumas_outbox_oldest_age_seconds{channel}     age of the oldest of them (0: none)
//   dumas_outbox_set_aside{channel}              notifications that cannot be delivered
//   dumas_complaints_overdue{unit,deadline}      complaints past a deadline (sp3d, result)
//   dumas_schema_version                         the newest migration applied
//   dumas_statistics_refresh_timestamp_seconds   when the figures above were read
//   dumas_build_info{version,schema}             1, with the binary's version and schema
//   dumas_process_start_time_seconds             when the server started
//
// The rpc figures are counted as calls happen (a gRPC interceptor), the pool's
// read on each scrape; the outbox, overdue and schema figures come from
// periodic queries (RefreshStatistics, every ServerOptions::statistics_interval)
// because they read tables. Method labels are the full gRPC method without
// the leading slash ("dumas.v1.ComplaintService/TrackComplaint"), "other"
// for a method the server does not serve; units are ids ("none": not
// assigned); channels their names ("WHATSAPP"). No label carries personal data.
//
// Thread-safe.
#ifndef DUMAS_SERVER_SERVER_METRICS_H_
#define DUMAS_SERVER_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/metrics.h"
#include "storage/statistics_store.h"

namespace dumas {

class ServerMetrics {
 public:
  // Metrics of a server that serves the methods of `services` (full service
  // names, such as "dumas.v1.ComplaintService", known to the generated
  // descriptor pool). `statistics` (may be null) gives the database's
  // figures and must outlive this object.
  ServerMetrics(const std::vector<std::string>& services, StatisticsStore* statistics);
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  MetricsRegistry& registry() { return registry_; }

  // An interceptor factory for grpc::ServerBuilder that counts every call of
  // the server. The factory refers to this object, which must outlive the
  // server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  NewInterceptorFactory();

  // The tracking throttle (server/tracking_gate.h) counts here.
  Counter& tracking_failures() { return *tracking_failures_; }
  Counter& tracking_refusals() { return *tracking_refusals_; }

  void SetDatabaseUp(bool up) { database_up_->Set(up ? 1 : 0); }

  // Reads the outbox, overdue and schema figures from the store at `now`.
  // Returns the age of the oldest pending notification of any channel (zero
  // when none waits), for the outbox's health; the store's error when a query
  // fails (the figures then keep their last values).
  absl::StatusOr<absl::Duration> RefreshStatistics(absl::Time now);

  // What the interceptor counts for one method.
  struct MethodSeries {
    std::string name;
    std::atomic<Histogram*> latency{nullptr};
    std::atomic<Gauge*> in_flight{nullptr};
    std::array<std::atomic<Counter*>, 17> by_code{};  // by grpc::StatusCode
  };
  // The series of a method name as gRPC gives it ("/pkg.Service/Method").
  MethodSeries& SeriesOf(const char* grpc_method);
  // Called by the interceptor.
  void CallStarted(MethodSeries& method);
  void CallFinished(MethodSeries& method, int code, absl::Duration elapsed);

 private:
  MetricsRegistry registry_;
  StatisticsStore* const statistics_;
  CounterFamily* requests_;
  HistogramFamily* latency_;
  GaugeFamily* in_flight_;
  Gauge* database_up_;
  Counter* tracking_failures_;
  Counter* tracking_refusals_;
  GaugeFamily* outbox_backlog_;
  GaugeFamily* outbox_oldest_age_;
  GaugeFamily* outbox_set_aside_;
  GaugeFamily* overdue_;
  Gauge* schema_version_;
  Gauge* statistics_refreshed_;
  GaugeFamily* build_info_;
  // Built once, read without a lock.
  absl::flat_hash_map<std::string, std::unique_ptr<MethodSeries>> methods_;
  MethodSeries other_;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_SERVER_METRICS_H_
