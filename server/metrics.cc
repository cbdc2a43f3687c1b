#include "server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace dumas {
namespace {

// A registration that breaks the rules is a bug in our code: stop at once.
[[noreturn]] void Misuse(const std::string& what) {
  std::fprintf(stderr, "metrics: %s\n", what.c_str());
  std::abort();
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// "{a="x",b="y"}" (with `extra` appended as one more pair), or "" without
// labels.
std::string LabelSet(const std::vector<std::string>& names, const LabelValues& values,
                     const std::pair<std::string, std::string>* extra = nullptr) {
  if (names.empty() && extra == nullptr) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ",";
    absl::StrAppend(&out, names[i], "=\"", EscapeLabelValue(i < values.size() ? values[i] : ""),
                    "\"");
  }
  if (extra != nullptr) {
    if (!names.empty()) out += ",";
    absl::StrAppend(&out, extra->first, "=\"", extra->second, "\"");
  }
  out += "}";
  return out;
}

void Header(std::string& out, const std::string& name, const std::string& help,
            const char* type) {
  absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(help), "\n");
  absl::StrAppend(&out, "# TYPE ", name, " ", type, "\n");
}

}  // namespace

bool ValidMetricName(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    const bool ok = absl::ascii_isalpha(c) || c == '_' || c == ':' ||
                    (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return true;
}

bool ValidLabelName(const std::string& name) {
  if (name.empty() || name.rfind("__", 0) == 0) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    const bool ok = absl::ascii_isalpha(c) || c == '_' || (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return true;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// --- Histogram -----------------------------------------------------------------

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  // The first bound the value does not exceed ("le": less or equal).
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) -
      upper_bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  uint64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

// --- MetricsRegistry -------------------------------------------------------------

void MetricsRegistry::CheckNew(const std::string& name,
                               const std::vector<std::string>& label_names) {
  if (!ValidMetricName(name)) Misuse(absl::StrCat("invalid metric name ", name));
  for (const std::string& label : label_names) {
    if (!ValidLabelName(label) || label == "le") {
      Misuse(absl::StrCat("invalid label name ", label, " of ", name));
    }
  }
  for (const Entry& entry : entries_) {
    const std::string& existing = entry.counter   ? entry.counter->name()
                                  : entry.gauge   ? entry.gauge->name()
                                                  : entry.histogram->name();
    if (existing == name) Misuse(absl::StrCat("metric ", name, " registered twice"));
  }
}

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  CheckNew(name, label_names);
  Entry& entry = entries_.emplace_back();
  entry.type = Entry::Type::kCounter;
  entry.counter = std::make_unique<CounterFamily>(
      std::move(name), std::move(help), std::move(label_names),
      [] { return std::make_unique<Counter>(); });
  return *entry.counter;
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  CheckNew(name, label_names);
  Entry& entry = entries_.emplace_back();
  entry.type = Entry::Type::kGauge;
  entry.gauge = std::make_unique<GaugeFamily>(std::move(name), std::move(help),
                                              std::move(label_names),
                                              [] { return std::make_unique<Gauge>(); });
  return *entry.gauge;
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> upper_bounds) {
  absl::MutexLock lock(&mu_);
  CheckNew(name, label_names);
  if (!std::is_sorted(upper_bounds.begin(), upper_bounds.end()) ||
      std::adjacent_find(upper_bounds.begin(), upper_bounds.end()) != upper_bounds.end()) {
    Misuse(absl::StrCat("the buckets of ", name, " must ascend strictly"));
  }
  Entry& entry = entries_.emplace_back();
  entry.type = Entry::Type::kHistogram;
  entry.histogram = std::make_unique<HistogramFamily>(
      std::move(name), std::move(help), std::move(label_names),
      [bounds = std::move(upper_bounds)] { return std::make_unique<Histogram>(bounds); });
  return *entry.histogram;
}

void MetricsRegistry::AddScrapeHook(std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  hooks_.push_back(std::move(hook));
}

std::string MetricsRegistry::Render() const {
  absl::MutexLock lock(&mu_);
  for (const auto& hook : hooks_) hook();
  std::string out;
  for (const Entry& entry : entries_) {
    switch (entry.type) {
      case Entry::Type::kCounter: {
        const CounterFamily& f = *entry.counter;
        Header(out, f.name(), f.help(), "counter");
        f.ForEach([&](const LabelValues& values, const Counter& c) {
          absl::StrAppend(&out, f.name(), LabelSet(f.label_names(), values), " ",
                          FormatSampleValue(c.value()), "\n");
        });
        break;
      }
      case Entry::Type::kGauge: {
        const GaugeFamily& f = *entry.gauge;
        Header(out, f.name(), f.help(), "gauge");
        f.ForEach([&](const LabelValues& values, const Gauge& g) {
          absl::StrAppend(&out, f.name(), LabelSet(f.label_names(), values), " ",
                          FormatSampleValue(g.value()), "\n");
        });
        break;
      }
      case Entry::Type::kHistogram: {
        const HistogramFamily& f = *entry.histogram;
        Header(out, f.name(), f.help(), "histogram");
        f.ForEach([&](const LabelValues& values, const Histogram& h) {
          const Histogram::Snapshot s = h.Read();
          for (size_t i = 0; i < s.cumulative.size(); ++i) {
            const std::pair<std::string, std::string> le(
                "le", i < h.upper_bounds().size() ? FormatSampleValue(h.upper_bounds()[i])
                                                  : "+Inf");
            absl::StrAppend(&out, f.name(), "_bucket", LabelSet(f.label_names(), values, &le),
                            " ", s.cumulative[i], "\n");
          }
          const std::string labels = LabelSet(f.label_names(), values);
          absl::StrAppend(&out, f.name(), "_sum", labels, " ", FormatSampleValue(s.sum), "\n");
          absl::StrAppend(&out, f.name(), "_count", labels, " ", s.count, "\n");
        });
        break;
      }
    }
  }
  return out;
}

}  // namespace dumas
