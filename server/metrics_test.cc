#include "server/metrics.h"

#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsRegistryTest, RendersCountersWithHelpTypeAndSortedSeries) {
  MetricsRegistry registry;
  CounterFamily& requests =
      registry.AddCounter("test_requests_total", "Requests served.", {"method", "code"});
  requests.WithLabels({"b/Get", "OK"}).Increment();
  requests.WithLabels({"a/Put", "NOT_FOUND"}).Increment(2);
  requests.WithLabels({"b/Get", "OK"}).Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP test_requests_total Requests served.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{method=\"a/Put\",code=\"NOT_FOUND\"} 2\n"
            "test_requests_total{method=\"b/Get\",code=\"OK\"} 2\n");
}

TEST(MetricsRegistryTest, RendersGaugesWithoutLabelsAndSetsTotals) {
  MetricsRegistry registry;
  Gauge& in_flight = registry.AddGauge("test_in_flight", "Calls in flight.").WithLabels({});
  Counter& retries = registry.AddCounter("test_retries_total", "Retries.").WithLabels({});
  in_flight.Increment();
  in_flight.Increment();
  in_flight.Decrement();
  retries.SetTotal(41);
  retries.Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP test_in_flight Calls in flight.\n"
            "# TYPE test_in_flight gauge\n"
            "test_in_flight 1\n"
            "# HELP test_retries_total Retries.\n"
            "# TYPE test_retries_total counter\n"
            "test_retries_total 42\n");
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  HistogramFamily& latency = registry.AddHistogram(
      "test_latency_seconds", "Latency.", {"method"}, {0.01, 0.1, 1});
  Histogram& h = latency.WithLabels({"m"});
  h.Observe(0.005);  // le 0.01
  h.Observe(0.01);   // le 0.01: a bound is inclusive
  h.Observe(0.5);    // le 1
  h.Observe(3);      // +Inf only
  EXPECT_EQ(registry.Render(),
            "# HELP test_latency_seconds Latency.\n"
            "# TYPE test_latency_seconds histogram\n"
            "test_latency_seconds_bucket{method=\"m\",le=\"0.01\"} 2\n"
            "test_latency_seconds_bucket{method=\"m\",le=\"0.1\"} 2\n"
            "test_latency_seconds_bucket{method=\"m\",le=\"1\"} 3\n"
            "test_latency_seconds_bucket{method=\"m\",le=\"+Inf\"} 4\n"
            "test_latency_seconds_sum{method=\"m\"} 3.515\n"
            "test_latency_seconds_count{method=\"m\"} 4\n");
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.AddGauge("test_info", "Line one\nback\\slash", {"value"})
      .WithLabels({"a\"b\\c\nd"})
      .Set(1);
  EXPECT_EQ(registry.Render(),
            "# HELP test_info Line one\\nback\\\\slash\n"
            "# TYPE test_info gauge\n"
            "test_info{value=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRegistryTest, RemoveUnlessDropsSeriesARefreshNoLongerReports) {
  MetricsRegistry registry;
  GaugeFamily& overdue = registry.AddGauge("test_overdue", "Overdue.", {"unit"});
  overdue.WithLabels({"propam"}).Set(3);
  overdue.WithLabels({"siwas"}).Set(1);
  overdue.RemoveUnless([](const LabelValues& v) { return v[0] == "siwas"; });
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("test_overdue{unit=\"siwas\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("propam")));
}

TEST(MetricsRegistryTest, ScrapeHooksRunBeforeEachRender) {
  MetricsRegistry registry;
  Gauge& open = registry.AddGauge("test_open", "Open.").WithLabels({});
  int scrapes = 0;
  registry.AddScrapeHook([&] { open.Set(++scrapes); });
  EXPECT_THAT(registry.Render(), HasSubstr("test_open 1\n"));
  EXPECT_THAT(registry.Render(), HasSubstr("test_open 2\n"));
}

TEST(MetricsRegistryTest, SampleValuesRoundTrip) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(12345678901234), "12345678901234");
  EXPECT_EQ(FormatSampleValue(0.1), "0.1");
  EXPECT_EQ(FormatSampleValue(-2.5), "-2.5");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(MetricsRegistryTest, NamesFollowTheFormat) {
  EXPECT_TRUE(ValidMetricName("dumas_rpc_requests_total"));
  EXPECT_TRUE(ValidMetricName("ns:sub_metric"));
  EXPECT_FALSE(ValidMetricName("9lives"));
  EXPECT_FALSE(ValidMetricName("dumas-rpc"));
  EXPECT_FALSE(ValidMetricName(""));
  EXPECT_TRUE(ValidLabelName("method"));
  EXPECT_FALSE(ValidLabelName("__reserved"));
  EXPECT_FALSE(ValidLabelName("a:b"));
}

TEST(MetricsRegistryDeathTest, RefusesDuplicateAndInvalidNames) {
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddCounter("twice_total", "x");
        registry.AddGauge("twice_total", "y");
      },
      "registered twice");
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddHistogram("h_seconds", "x", {"le"}, {1});
      },
      "invalid label name le");
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry registry;
  CounterFamily& calls = registry.AddCounter("test_calls_total", "Calls.", {"method"});
  HistogramFamily& latency =
      registry.AddHistogram("test_call_seconds", "Latency.", {"method"}, {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        calls.WithLabels({"m"}).Increment();
        latency.WithLabels({"m"}).Observe(0.25);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(calls.WithLabels({"m"}).value(), 40000);
  const Histogram::Snapshot s = latency.WithLabels({"m"}).Read();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.cumulative[0], 40000u);
  EXPECT_DOUBLE_EQ(s.sum, 10000);
}

}  // namespace
}  // namespace dumas
