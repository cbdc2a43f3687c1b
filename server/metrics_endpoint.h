// The HTTP endpoint Prometheus scrapes: GET /metrics answers a registry's
// Render() (server/metrics.h) in the text exposition format; anything else
// is 404 (another path) or 405 (another method). Served by civetweb on its
// own port, apart from gRPC, with two threads: scrapes are rare and cheap.
// It carries no personal data, but it tells how the service is used: keep it
// on loopback or a management network.
#ifndef DUMAS_SERVER_METRICS_ENDPOINT_H_
#define DUMAS_SERVER_METRICS_ENDPOINT_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/metrics.h"

struct mg_connection;
struct mg_context;

namespace dumas {

class MetricsEndpoint {
 public:
  // Serves `registry` on `listen`, "host:port" with an IPv4 host or
  // "[ipv6]:port"; port 0 picks a free one (see port()). The registry must
  // outlive the endpoint. INVALID_ARGUMENT for a malformed address,
  // UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(std::string_view listen,
                                                                const MetricsRegistry& registry);

  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;
  // Stops serving; returns once no request is being handled.
  ~MetricsEndpoint();

  // The port bound.
  int port() const { return port_; }

 private:
  explicit MetricsEndpoint(const MetricsRegistry& registry) : registry_(registry) {}
  static int Handle(struct mg_connection* connection, void* self);

  const MetricsRegistry& registry_;
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_METRICS_ENDPOINT_H_
