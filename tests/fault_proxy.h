// FaultProxy: a TCP relay on loopback between MySQL/MariaDB clients and a
// server that cuts or slows connections on command, for tests of what a
// lost connection does to a transaction (a COMMIT that never arrived, or one
// whose answer never came back).
//
// Each accepted connection is dialled through to the upstream host and port
// and relayed by a thread of its own. Client-to-server bytes are read as MySQL
// protocol packets (3-byte little-endian payload length, 1-byte sequence id,
// payload): a packet with sequence id 0 starts a command, and a COM_QUERY
// (0x03) command carries SQL text. Server-to-client bytes are relayed as they
// come. Plain TCP only: TLS or compressed sessions cannot be read. A relay
// thread blocks while writing, which suits the protocol's request-response
// turns (not LOAD DATA LOCAL streaming both ways at once).
//
// An armed Fault matches COM_QUERY commands whose text, after leading blanks,
// starts with `statement` as a whole word, case-insensitively (statements sent
// through COM_STMT_EXECUTE, i.e. prepared, are never matched). It lets `skip`
// matches through, then cuts the next `times` matches, counted over all
// connections, and then disarms:
//   kBeforeForwarding  closes both sides without forwarding the statement: the
//                      server never sees it (for COMMIT: the transaction is
//                      rolled back when the server notices the closed
//                      connection, and the client sees a lost connection);
//   kBeforeReply       forwards the statement, waits for the first packet of
//                      the server's answer, and closes both sides without
//                      relaying it (for COMMIT: committed, yet the client
//                      sees a lost connection).
// Closing both sides means a FIN to each peer (shutdown(SHUT_RDWR)). A cut is
// counted (stats, AwaitCuts) just before both sides are closed, so a client
// that sees its connection lost finds the cut counted.
//
// Thread safety: all methods are thread-safe.
#ifndef DUMAS_TESTS_FAULT_PROXY_H_
#define DUMAS_TESTS_FAULT_PROXY_H_

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dumas::testing {

class FaultProxy {
 public:
  enum class Cut { kBeforeForwarding, kBeforeReply };

  struct Fault {
    std::string statement = "COMMIT";  // a keyword or a leading phrase of the SQL
    Cut cut = Cut::kBeforeForwarding;
    int skip = 0;   // matching statements relayed before the first cut
    int times = 1;  // matching statements cut after those
  };

  struct Stats {
    int64_t connections = 0;  // accepted and dialled through
    int64_t commands = 0;     // client commands seen (sequence id 0)
    int64_t cuts_before_forwarding = 0;
    int64_t cuts_before_reply = 0;
  };

  // Listens on 127.0.0.1 on a free port and relays every connection to
  // upstream_host:upstream_port (an IPv4 address). INTERNAL when a socket
  // cannot be set up. A connection whose upstream cannot be dialled is closed.
  static absl::StatusOr<std::unique_ptr<FaultProxy>> Start(std::string upstream_host,
                                                           int upstream_port);

  // Stops listening, closes every connection and joins every thread.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // The loopback port clients dial.
  int port() const { return port_; }

  // Arms `fault` (replacing any armed one); Disarm drops it.
  void Arm(Fault fault) ABSL_LOCKS_EXCLUDED(mu_);
  void Disarm() ABSL_LOCKS_EXCLUDED(mu_);

  // Whether a fault is armed with cuts still to make.
  bool armed() const ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until at least `cuts` cuts of either kind have been made since
  // Start, or `deadline`. Returns whether they were. (The server may notice
  // the closed connection a moment later.)
  bool AwaitCuts(int64_t cuts, absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);

  // Holds every client command this long before forwarding it (zero: none),
  // as a slow network or server would.
  void SetCommandDelay(absl::Duration delay) ABSL_LOCKS_EXCLUDED(mu_);

  // Closes both sides of every open connection now, as a network failure
  // would; new connections are accepted as before.
  void CloseAllConnections() ABSL_LOCKS_EXCLUDED(mu_);

  Stats stats() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // One relayed connection. Its sockets are closed only once its thread has
  // ended (by Reap or the destructor), so that a shutdown() from another
  // thread never hits a reused descriptor.
  struct Connection {
    int client_fd = -1;
    int server_fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  // What a relay thread does with a client command.
  enum class Decision { kForward, kCutBeforeForwarding, kCutBeforeReply };

  FaultProxy(int listen_fd, int port, std::string upstream_host, int upstream_port);
  void AcceptLoop();
  void Relay(Connection& connection);
  Decision Decide(std::string_view payload, absl::Duration* delay) ABSL_LOCKS_EXCLUDED(mu_);
  void CountCut(Cut cut) ABSL_LOCKS_EXCLUDED(mu_);
  // Joins and closes the connections whose threads have ended.
  void Reap() ABSL_LOCKS_EXCLUDED(mu_);

  const int listen_fd_;
  const int port_;
  const std::string upstream_host_;
  const int upstream_port_;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable absl::Mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_ ABSL_GUARDED_BY(mu_);
  bool armed_ ABSL_GUARDED_BY(mu_) = false;
  Fault fault_ ABSL_GUARDED_BY(mu_);
  absl::Duration command_delay_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dumas::testing

#endif  // DUMAS_TESTS_FAULT_PROXY_H_
