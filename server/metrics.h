// Metrics in the Prometheus text exposition format (version 0.0.4): a small
// registry of counters, gauges and histograms with fixed buckets, each a
// family of series told apart by label values. No gRPC, no database: the
// server feeds it (server/server_metrics.h) and serves Render() over HTTP
// (server/metrics_endpoint.h).
//
// Names follow Prometheus' conventions: snake_case with the unit as suffix
// (_seconds, _bytes), counters end in _total. Label values must never carry
// personal data: they are method names, status codes, channels, unit ids,
// key ids.
//
// Thread safety: everything is thread-safe. A series, once created, lives as
// long as its registry, so callers may keep the reference that WithLabels
// returns and update it without a lock (updates are atomic).
#ifndef DUMAS_SERVER_METRICS_H_
#define DUMAS_SERVER_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace dumas {

// The values of a family's labels, in the order of its label names.
using LabelValues = std::vector<std::string>;

// A value that only grows (requests served, retries made).
class Counter {
 public:
  void Increment(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  // Sets the total of a count kept elsewhere (such as a connection pool's),
  // read when the registry is scraped. The source must only grow.
  void SetTotal(double total) { value_.store(total, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down (calls in flight, a backlog).
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Increment(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  void Decrement(double by = 1) { value_.fetch_sub(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed buckets (upper bounds, ascending; +Inf is
// implicit), with their sum and count.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (= count)
    double sum = 0;
    uint64_t count = 0;
  };
  // The buckets as the exposition format has them: cumulative.
  Snapshot Read() const;
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

 private:
  const std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bound, then +Inf; not cumulative
  std::atomic<double> sum_{0};
};

// The series of one metric name, by label values.
template <typename Metric>
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
               std::function<std::unique_ptr<Metric>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}

  // The series of these label values (as many as the family has label
  // names), created at zero on first use.
  Metric& WithLabels(const LabelValues& values) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    std::unique_ptr<Metric>& series = series_[values];
    if (series == nullptr) series = make_();
    return *series;
  }

  // Drops every series whose label values `keep` rejects; for families that a
  // periodic refresh rewrites whole (a unit no longer overdue disappears
  // rather than staying at its last value). References to dropped series
  // must not be used afterwards.
  void RemoveUnless(const std::function<bool(const LabelValues&)>& keep)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    for (auto it = series_.begin(); it != series_.end();) {
      it = keep(it->first) ? std::next(it) : series_.erase(it);
    }
  }

  // Calls `visit` with each series, in label order, under the family's lock.
  void ForEach(const std::function<void(const LabelValues&, const Metric&)>& visit) const
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    for (const auto& [values, series] : series_) visit(values, *series);
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<Metric>()> make_;
  mutable absl::Mutex mu_;
  std::map<LabelValues, std::unique_ptr<Metric>> series_ ABSL_GUARDED_BY(mu_);
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Adds a family. The name must be a valid metric name and unique in the
  // registry, the label names valid and not "le"; anything else is a
  // programming error and aborts. Families are rendered in the order added.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> upper_bounds);

  // Runs `hook` before every Render, to read values kept elsewhere (such as
  // the connection pool's). Hooks must be cheap: they run on each scrape.
  void AddScrapeHook(std::function<void()> hook) ABSL_LOCKS_EXCLUDED(mu_);

  // Every family in the text exposition format, version 0.0.4.
  std::string Render() const ABSL_LOCKS_EXCLUDED(mu_);

  // The content type of Render's text.
  static constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Entry {
    enum class Type { kCounter, kGauge, kHistogram } type;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
  };
  void CheckNew(const std::string& name, const std::vector<std::string>& label_names)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> hooks_ ABSL_GUARDED_BY(mu_);
};

// Whether `name` is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or label
// name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__").
bool ValidMetricName(const std::string& name);
bool ValidLabelName(const std::string& name);

// A sample value as the exposition format writes it: the shortest text that
// reads back as the same double; NaN, +Inf, -Inf.
std::string FormatSampleValue(double value);

// A label value escaped for the exposition format (backslash, double quote,
// line feed).
std::string EscapeLabelValue(const std::string& value);

}  // namespace dumas

#endif  // DUMAS_SERVER_METRICS_H_
