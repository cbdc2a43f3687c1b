// The Prometheus endpoint of a server over a real MariaDB, scraped over HTTP
// as Prometheus would: the counters move with the calls made, the pool and
// the outbox are reported, overdue complaints are counted by unit, no label
// or value carries personal data, and the outbox's health follows its oldest
// notification.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "storage/migrator.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kSubmit[] = "dumas.v1.ComplaintService/SubmitComplaint";
constexpr char kTrack[] = "dumas.v1.ComplaintService/TrackComplaint";

// One HTTP/1.0 exchange with 127.0.0.1:port; the whole answer, headers
// included, or "" when the connection fails.
std::string HttpExchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buffer[8192];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) answer.append(buffer, n);
  }
  close(fd);
  return answer;
}

class MetricsEndpointTest : public ServiceFixture {
 protected:
  ServerOptions Options() const override {
    ServerOptions options = ServiceFixture::Options();
    options.metrics_listen = "127.0.0.1:0";
    options.statistics_interval = absl::Milliseconds(100);
    options.track_throttle.max_failures = 1;
    return options;
  }

  // GET /metrics: the body of a 200 answer.
  std::string Scrape() {
    const std::string answer = HttpExchange(
        metrics_port(), "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(answer, HasSubstr("Content-Type: text/plain; version=0.0.4"));
    const size_t body = answer.find("\r\n\r\n");
    return body == std::string::npos ? "" : answer.substr(body + 4);
  }

  // Every sample of a scrape: "name{labels}" -> value.
  std::map<std::string, double> Samples() {
    std::map<std::string, double> samples;
    for (absl::string_view line : absl::StrSplit(Scrape(), '\n', absl::SkipEmpty())) {
      if (line.front() == '#') continue;
      const size_t space = line.rfind(' ');
      double value = 0;
      EXPECT_TRUE(absl::SimpleAtod(line.substr(space + 1), &value)) << line;
      samples[std::string(line.substr(0, space))] = value;
    }
    return samples;
  }

  static double Value(const std::map<std::string, double>& samples, const std::string& series) {
    const auto it = samples.find(series);
    return it == samples.end() ? 0 : it->second;
  }

  // The samples once the statistics were read again after now.
  std::map<std::string, double> SamplesAfterRefresh() {
    const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
    std::map<std::string, double> samples;
    for (int i = 0; i < 100; ++i) {
      samples = Samples();
      if (Value(samples, "dumas_statistics_refresh_timestamp_seconds") > now) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    EXPECT_GT(Value(samples, "dumas_statistics_refresh_timestamp_seconds"), now);
    return samples;
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus OutboxHealth() {
    auto health = grpc::health::v1::Health::NewStub(channel());
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(DumasServer::kOutboxHealthName);
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(health->Check(&context, request, &response).ok());
    return response.status();
  }

  int metrics_port() { return server().metrics_port(); }
};

std::string Requests(const std::string& method, const std::string& code) {
  return absl::StrCat("dumas_rpc_requests_total{method=\"", method, "\",code=\"", code, "\"}");
}

TEST_F(MetricsEndpointTest, CountersMoveWithTheCallsMade) {
  ASSERT_GT(metrics_port(), 0);
  const std::map<std::string, double> before = Samples();

  v1::SubmitComplaintResponse first;
  v1::SubmitComplaintResponse second;
  ASSERT_TRUE(Submit(ValidRequest(), &first).ok());
  ASSERT_TRUE(Submit(ValidRequest(), &second).ok());
  v1::SubmitComplaintRequest invalid = ValidRequest();
  invalid.mutable_complaint()->clear_description();
  v1::SubmitComplaintResponse refused;
  ASSERT_EQ(Submit(invalid, &refused).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::TrackComplaintResponse tracked;
  ASSERT_TRUE(Track(first.reference_number(), first.tracking_code(), &tracked).ok());
  // A wrong pair, then one more over the budget of 1.
  const std::string& code = first.tracking_code();
  const std::string wrong = std::string(1, code[0] == '3' ? '4' : '3') + code.substr(1);
  ASSERT_EQ(Track(first.reference_number(), wrong, &tracked).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_EQ(Track(first.reference_number(), wrong, &tracked).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  const std::map<std::string, double> after = SamplesAfterRefresh();
  auto delta = [&](const std::string& series) {
    return Value(after, series) - Value(before, series);
  };
  EXPECT_EQ(delta(Requests(kSubmit, "OK")), 2);
  EXPECT_EQ(delta(Requests(kSubmit, "INVALID_ARGUMENT")), 1);
  EXPECT_EQ(delta(Requests(kTrack, "OK")), 1);
  EXPECT_EQ(delta(Requests(kTrack, "NOT_FOUND")), 1);
  EXPECT_EQ(delta(Requests(kTrack, "RESOURCE_EXHAUSTED")), 1);
  EXPECT_EQ(delta(absl::StrCat("dumas_rpc_duration_seconds_count{method=\"", kSubmit, "\"}")), 3);
  EXPECT_EQ(
      delta(absl::StrCat("dumas_rpc_duration_seconds_bucket{method=\"", kSubmit, "\",le=\"+Inf\"}")),
      3);
  EXPECT_GT(delta(absl::StrCat("dumas_rpc_duration_seconds_sum{method=\"", kSubmit, "\"}")), 0);
  EXPECT_EQ(Value(after, absl::StrCat("dumas_rpc_requests_in_flight{method=\"", kSubmit, "\"}")),
            0);
  EXPECT_EQ(delta("dumas_tracking_failures_total"), 2);
  EXPECT_EQ(delta("dumas_tracking_throttle_refusals_total"), 1);

  // The pool, the database, the outbox (two receipts for WhatsApp), the schema.
  EXPECT_EQ(Value(after, "dumas_db_up"), 1);
  EXPECT_EQ(Value(after, "dumas_db_pool_max_connections"), 64);
  EXPECT_GE(Value(after, "dumas_db_pool_connections{state=\"idle\"}"), 1);
  EXPECT_EQ(Value(after, "dumas_db_pool_connections{state=\"in_use\"}"), 0);
  EXPECT_EQ(Value(after, "dumas_outbox_backlog{channel=\"WHATSAPP\"}"), 2);
  EXPECT_EQ(Value(after, "dumas_outbox_backlog{channel=\"EMAIL\"}"), 0);
  EXPECT_GE(Value(after, "dumas_outbox_oldest_age_seconds{channel=\"WHATSAPP\"}"), 0);
  EXPECT_EQ(Value(after, "dumas_schema_version"), LatestSchemaVersion());
  EXPECT_EQ(Value(after, absl::StrCat("dumas_build_info{version=\"", DUMAS_VERSION,
                                      "\",schema=\"", LatestSchemaVersion(), "\"}")),
            1);

  // Nothing personal anywhere in the text.
  const std::string text = Scrape();
  const v1::SubmitComplaintRequest sample = ValidRequest();
  for (const std::string& secret :
       {first.reference_number(), first.tracking_code(), wrong,
        sample.complaint().complainant().full_name(), sample.complaint().complainant().email(),
        sample.complaint().complainant().nik().substr(0, 12), std::string("81234567890")}) {
    EXPECT_THAT(text, Not(HasSubstr(secret)));
  }
}

TEST_F(MetricsEndpointTest, OverdueComplaintsAreCountedByUnit) {
  v1::SubmitComplaintResponse submitted;
  ASSERT_TRUE(Submit(ValidRequest(), &submitted).ok());
  ASSERT_TRUE(Submit(ValidRequest(), &submitted).ok());
  // One late with its progress letter, one assigned and late with its answer.
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat("UPDATE complaints SET sp3d_due_date = '2025-01-06'"
                                        " WHERE reference_number <> '",
                                        submitted.reference_number(), "'"))
                  .ok());
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat(
                      "UPDATE complaints SET state = 5, handling_unit_id = 'propam',"
                      " sp3d_sent_at = '2025-01-02 01:00:00', result_due_date = '2025-03-03'"
                      " WHERE reference_number = '",
                      submitted.reference_number(), "'"))
                  .ok());
  const std::map<std::string, double> samples = SamplesAfterRefresh();
  EXPECT_EQ(Value(samples, "dumas_complaints_overdue{unit=\"none\",deadline=\"sp3d\"}"), 1);
  EXPECT_EQ(Value(samples, "dumas_complaints_overdue{unit=\"propam\",deadline=\"result\"}"), 1);
  EXPECT_EQ(Value(samples, "dumas_complaints_overdue{unit=\"propam\",deadline=\"sp3d\"}"), 0);

  // Closed, it is overdue no more and its unit leaves the figures.
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat("UPDATE complaints SET state = 9 WHERE reference_number = '",
                                        submitted.reference_number(), "'"))
                  .ok());
  const std::string text = [&] {
    SamplesAfterRefresh();
    return Scrape();
  }();
  EXPECT_THAT(text, Not(HasSubstr("unit=\"propam\"")));
}

TEST_F(MetricsEndpointTest, OutboxHealthFollowsItsOldestNotification) {
  v1::SubmitComplaintResponse submitted;
  ASSERT_TRUE(Submit(ValidRequest(), &submitted).ok());
  SamplesAfterRefresh();
  EXPECT_EQ(OutboxHealth(), grpc::health::v1::HealthCheckResponse::SERVING);

  // A receipt that has waited two hours for its gateway.
  ASSERT_TRUE(
      database()
          .Execute("UPDATE notifications SET created_at = UTC_TIMESTAMP(6) - INTERVAL 2 HOUR")
          .ok());
  std::map<std::string, double> samples = SamplesAfterRefresh();
  EXPECT_GE(Value(samples, "dumas_outbox_oldest_age_seconds{channel=\"WHATSAPP\"}"), 7200);
  EXPECT_EQ(OutboxHealth(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);

  // The gateway delivers it: the outbox drains again.
  v1::FetchNotificationsRequest fetch;
  fetch.set_max_notifications(10);
  v1::FetchNotificationsResponse fetched;
  {
    grpc::ClientContext context;
    Authorize(context, token(Role::kGateway));
    ASSERT_TRUE(notifications().FetchNotifications(&context, fetch, &fetched).ok());
  }
  v1::AcknowledgeNotificationsRequest ack;
  for (const v1::Notification& n : fetched.notifications()) ack.add_names(n.name());
  v1::AcknowledgeNotificationsResponse acked;
  {
    grpc::ClientContext context;
    Authorize(context, token(Role::kGateway));
    ASSERT_TRUE(notifications().AcknowledgeNotifications(&context, ack, &acked).ok());
  }
  samples = SamplesAfterRefresh();
  EXPECT_EQ(Value(samples, "dumas_outbox_backlog{channel=\"WHATSAPP\"}"), 0);
  EXPECT_EQ(OutboxHealth(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(MetricsEndpointTest, OnlyGetOfMetricsIsServed) {
  // civetweb answers other paths itself, in the request's HTTP version.
  EXPECT_THAT(HttpExchange(metrics_port(), "GET /other HTTP/1.0\r\n\r\n"),
              AllOf(StartsWith("HTTP/1."), HasSubstr(" 404 Not Found\r\n")));
  EXPECT_THAT(HttpExchange(metrics_port(), "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n"),
              StartsWith("HTTP/1.1 405"));
  EXPECT_THAT(HttpExchange(metrics_port(), "HEAD /metrics HTTP/1.0\r\n\r\n"),
              StartsWith("HTTP/1.1 200 OK"));
}

}  // namespace
}  // namespace dumas
