#include "server/metrics_endpoint.h"

#include <civetweb.h>

#include <cstring>
#include <mutex>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace dumas {
namespace {

// civetweb's own messages (a refused connection, a malformed request) name
// client addresses and request lines; the endpoint keeps them out of the
// server's log.
int QuietLog(const struct mg_connection*, const char*) { return 1; }

// Whether `listen` is "host:port" or "[host]:port" with a port number.
bool ValidListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  int port = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return false;
  }
  const std::string host = listen.substr(0, colon);
  if (host.front() == '[') return host.size() > 2 && host.back() == ']';
  return host.find(':') == std::string::npos;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    std::string_view listen_view, const MetricsRegistry& registry) {
  const std::string listen(listen_view);
  if (!ValidListen(listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the metrics address '", listen, "' is not host:port, such as 127.0.0.1:9464"));
  }
  static std::once_flag library;
  std::call_once(library, [] { mg_init_library(0); });

  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint(registry));
  const char* options[] = {"listening_ports", listen.c_str(),
                           "num_threads", "2",
                           "request_timeout_ms", "10000",
                           "enable_keep_alive", "no",
                           nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof callbacks);
  callbacks.log_message = QuietLog;
  endpoint->context_ = mg_start(&callbacks, nullptr, options);
  if (endpoint->context_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen));
  }
  mg_set_request_handler(endpoint->context_, "/metrics$", &MetricsEndpoint::Handle,
                         endpoint.get());
  mg_server_port bound[4];
  const int n = mg_get_server_ports(endpoint->context_, 4, bound);
  if (n < 1 || bound[0].port <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot tell the port of metrics on ", listen));
  }
  endpoint->port_ = bound[0].port;
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
  if (context_ != nullptr) mg_stop(context_);
}

int MetricsEndpoint::Handle(struct mg_connection* connection, void* self) {
  const mg_request_info* request = mg_get_request_info(connection);
  const bool head = std::strcmp(request->request_method, "HEAD") == 0;
  if (!head && std::strcmp(request->request_method, "GET") != 0) {
    mg_printf(connection,
              "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n"
              "Content-Length: 0\r\nConnection: close\r\n\r\n");
    return 405;
  }
  const std::string body = static_cast<MetricsEndpoint*>(self)->registry_.Render();
  mg_printf(connection,
            "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            MetricsRegistry::kContentType, body.size());
  if (!head) mg_write(connection, body.data(), body.size());
  return 200;
}

}  // namespace dumas
