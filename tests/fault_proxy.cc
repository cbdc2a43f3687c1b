#include "tests/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace dumas::testing {
namespace {

constexpr char kComQuery = 0x03;
constexpr size_t kHeaderBytes = 4;  // 3-byte length, 1-byte sequence id
// How often the acceptor looks at the stop flag while no client dials.
constexpr int kAcceptPollMillis = 50;

size_t PayloadLength(std::string_view header) {
  const auto byte = [&](int i) {
    return static_cast<size_t>(static_cast<unsigned char>(header[i]));
  };
  return byte(0) | byte(1) << 8 | byte(2) << 16;
}

// The length of the whole packet at the start of `bytes`, or 0 while it is
// incomplete.
size_t CompletePacket(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes) return 0;
  const size_t length = kHeaderBytes + PayloadLength(bytes);
  return bytes.size() >= length ? length : 0;
}

// Whether `sql`, after leading blanks, starts with `statement` as a whole
// word (or words), ignoring case.
bool StartsWithStatement(std::string_view sql, std::string_view statement) {
  while (!sql.empty() && absl::ascii_isspace(static_cast<unsigned char>(sql.front()))) {
    sql.remove_prefix(1);
  }
  if (sql.size() < statement.size()) return false;
  for (size_t i = 0; i < statement.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(sql[i])) !=
        absl::ascii_tolower(static_cast<unsigned char>(statement[i]))) {
      return false;
    }
  }
  if (sql.size() == statement.size()) return true;
  const unsigned char next = sql[statement.size()];
  return !absl::ascii_isalnum(next) && next != '_';
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

void NoDelay(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

absl::Status SocketError(const char* what) {
  return absl::InternalError(absl::StrCat("fault proxy: ", what, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FaultProxy>> FaultProxy::Start(std::string upstream_host,
                                                              int upstream_port) {
  in_addr probe{};
  if (inet_pton(AF_INET, upstream_host.c_str(), &probe) != 1) {
    return absl::InvalidArgumentError("fault proxy: the upstream host must be an IPv4 address");
  }
  if (upstream_port < 1 || upstream_port > 65535) {
    return absl::InvalidArgumentError("fault proxy: the upstream port must be within 1-65535");
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SocketError("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    absl::Status status = SocketError("listen");
    close(fd);
    return status;
  }
  std::unique_ptr<FaultProxy> proxy(
      new FaultProxy(fd, ntohs(address.sin_port), std::move(upstream_host), upstream_port));
  proxy->acceptor_ = std::thread([p = proxy.get()] { p->AcceptLoop(); });
  return proxy;
}

FaultProxy::FaultProxy(int listen_fd, int port, std::string upstream_host, int upstream_port)
    : listen_fd_(listen_fd),
      port_(port),
      upstream_host_(std::move(upstream_host)),
      upstream_port_(upstream_port) {}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
  CloseAllConnections();
  std::list<std::unique_ptr<Connection>> all;
  {
    absl::MutexLock lock(&mu_);
    all.swap(connections_);
  }
  for (auto& c : all) {
    c->thread.join();
    close(c->client_fd);
    close(c->server_fd);
  }
}

void FaultProxy::Arm(Fault fault) {
  absl::MutexLock lock(&mu_);
  armed_ = fault.times > 0;
  fault_ = std::move(fault);
}

void FaultProxy::Disarm() {
  absl::MutexLock lock(&mu_);
  armed_ = false;
}

bool FaultProxy::armed() const {
  absl::MutexLock lock(&mu_);
  return armed_;
}

bool FaultProxy::AwaitCuts(int64_t cuts, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto reached = [this, cuts]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stats_.cuts_before_forwarding + stats_.cuts_before_reply >= cuts;
  };
  return mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
}

void FaultProxy::SetCommandDelay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  command_delay_ = delay;
}

void FaultProxy::CloseAllConnections() {
  absl::MutexLock lock(&mu_);
  for (auto& c : connections_) {
    if (c->done) continue;
    shutdown(c->client_fd, SHUT_RDWR);
    shutdown(c->server_fd, SHUT_RDWR);
  }
}

FaultProxy::Stats FaultProxy::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void FaultProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd listening{listen_fd_, POLLIN, 0};
    if (poll(&listening, 1, kAcceptPollMillis) <= 0) continue;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in upstream{};
    upstream.sin_family = AF_INET;
    upstream.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    inet_pton(AF_INET, upstream_host_.c_str(), &upstream.sin_addr);
    if (server < 0 ||
        connect(server, reinterpret_cast<sockaddr*>(&upstream), sizeof upstream) != 0) {
      // The client sees the connection closed at once, as if the server were down.
      if (server >= 0) close(server);
      close(client);
      continue;
    }
    NoDelay(client);
    NoDelay(server);
    Reap();
    auto connection = std::make_unique<Connection>();
    connection->client_fd = client;
    connection->server_fd = server;
    Connection* raw = connection.get();
    absl::MutexLock lock(&mu_);
    ++stats_.connections;
    // Started under the lock, so that Reap never sees the thread unassigned.
    raw->thread = std::thread([this, raw] { Relay(*raw); });
    connections_.push_back(std::move(connection));
  }
}

void FaultProxy::Reap() {
  std::list<std::unique_ptr<Connection>> ended;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      auto next = std::next(it);
      if ((*it)->done) ended.splice(ended.end(), connections_, it);
      it = next;
    }
  }
  for (auto& c : ended) {
    c->thread.join();
    close(c->client_fd);
    close(c->server_fd);
  }
}

FaultProxy::Decision FaultProxy::Decide(std::string_view payload, absl::Duration* delay) {
  absl::MutexLock lock(&mu_);
  ++stats_.commands;
  *delay = command_delay_;
  if (!armed_ || payload.empty() || payload.front() != kComQuery ||
      !StartsWithStatement(payload.substr(1), fault_.statement)) {
    return Decision::kForward;
  }
  if (fault_.skip > 0) {
    --fault_.skip;
    return Decision::kForward;
  }
  if (--fault_.times <= 0) armed_ = false;
  return fault_.cut == Cut::kBeforeForwarding ? Decision::kCutBeforeForwarding
                                              : Decision::kCutBeforeReply;
}

void FaultProxy::CountCut(Cut cut) {
  absl::MutexLock lock(&mu_);
  if (cut == Cut::kBeforeForwarding) {
    ++stats_.cuts_before_forwarding;
  } else {
    ++stats_.cuts_before_reply;
  }
}

void FaultProxy::Relay(Connection& c) {
  std::string pending;   // client bytes short of a whole packet
  bool withholding = false;  // a statement cut before its reply was forwarded
  std::string withheld;  // what the server answered it, never relayed
  char buffer[64 * 1024];
  bool cut_before_forwarding = false;
  for (bool open = true; open;) {
    pollfd fds[2] = {{c.client_fd, POLLIN, 0}, {c.server_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) {
      const ssize_t n = recv(c.server_fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      if (withholding) {
        withheld.append(buffer, static_cast<size_t>(n));
        if (CompletePacket(withheld) > 0) break;
      } else if (!SendAll(c.client_fd, std::string_view(buffer, static_cast<size_t>(n)))) {
        break;
      }
    }
    if (fds[0].revents != 0) {
      const ssize_t n = recv(c.client_fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      pending.append(buffer, static_cast<size_t>(n));
      size_t offset = 0;
      while (open) {
        const std::string_view rest = std::string_view(pending).substr(offset);
        const size_t length = CompletePacket(rest);
        if (length == 0) break;
        const std::string_view packet = rest.substr(0, length);
        offset += length;
        Decision decision = Decision::kForward;
        if (packet[3] == 0) {  // sequence id 0: a new command
          absl::Duration delay;
          decision = Decide(packet.substr(kHeaderBytes), &delay);
          if (delay > absl::ZeroDuration()) absl::SleepFor(delay);
        }
        if (decision == Decision::kCutBeforeForwarding) {
          cut_before_forwarding = true;
          open = false;
          break;
        }
        // From here on nothing the server says reaches the client (a failed
        // send still counts as the cut: the client never hears an answer).
        if (decision == Decision::kCutBeforeReply) withholding = true;
        if (!SendAll(c.server_fd, packet)) open = false;
      }
      pending.erase(0, offset);
    }
  }
  // Counted before either side is closed: whoever sees the cut's effect
  // finds it counted.
  if (cut_before_forwarding) CountCut(Cut::kBeforeForwarding);
  if (withholding) CountCut(Cut::kBeforeReply);
  shutdown(c.client_fd, SHUT_RDWR);
  shutdown(c.server_fd, SHUT_RDWR);
  c.done = true;
}

}  // namespace dumas::testing
