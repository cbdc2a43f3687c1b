// A bounded pool of MariaDB/MySQL connections (Connector/C++ 1.1) with a
// per-connection cache of prepared statements, and the helpers that run a
// piece of work on a pooled connection, in or out of a transaction, turning
// every Connector/C++ exception into an absl::Status (storage/sql_error.h).
//
// Connections are dialled on demand, up to MySqlOptions::pool_size; the pool
// never dials ahead, so it can be created while the database is down and
// recovers on its own when it comes back. A connection idle for more than a
// second is checked with isValid() (a ping) before it is handed out and
// re-dialled when dead; a connection that failed with a connection-level error
// is discarded, never returned, and makes every idle connection suspect (each
// is pinged before its next use). OPT_RECONNECT is never used: it silently
// loses the transaction and the prepared statements.
//
// Transactions end, and autocommit is switched, by statements (COMMIT,
// ROLLBACK, SET autocommit: storage/sql.h), never by Connection::commit(),
// rollback() or setAutoCommit(): Connector/C++ 1.1 ignores the result of the
// C API calls behind those, so a COMMIT lost with its connection would not
// throw and a transaction the server rolled back would be acknowledged.
//
// Calls are bounded by their deadline (storage/call_deadline.h): Run and
// RunTransaction answer DEADLINE_EXCEEDED without running anything once the
// current call's deadline has passed, wait for a connection until that
// deadline at most, set the session's max_statement_time to the time left
// (rounded down, so the server interrupts a statement its caller no longer
// waits for), roll back instead of committing once it has passed, and do not
// retry past it.
//
// Thread safety: ConnectionPool is thread-safe. A PooledConnection belongs to
// one Lease and is used by one thread at a time.
#ifndef DUMAS_STORAGE_CONNECTION_POOL_H_
#define DUMAS_STORAGE_CONNECTION_POOL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/mysql_options.h"
#include "storage/statistics_store.h"

namespace sql {
class Connection;
class PreparedStatement;
class Statement;
}  // namespace sql

namespace dumas {

// Dials one connection with `options` (typed connect options, no
// OPT_RECONNECT, utf8mb4, verified TLS when ssl_ca is set) and prepares its
// session: time_zone '+00:00', strict sql_mode, READ COMMITTED, a lock-wait
// timeout below the read timeout. With `select_database`, options.database is
// the default schema. UNAVAILABLE when the server cannot be reached, INTERNAL
// for other failures (such as a rejected password: the message has the MySQL
// error number).
absl::StatusOr<std::unique_ptr<sql::Connection>> DialMySql(const MySqlOptions& options,
                                                           bool select_database);

// A pooled connection and its prepared statements. Its methods throw
// sql::SQLException; ConnectionPool::Run and RunTransaction catch them.
class PooledConnection {
 public:
  explicit PooledConnection(std::unique_ptr<sql::Connection> connection);
  ~PooledConnection();
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;

  // The prepared statement of `sql`, a constant from storage/sql.h: prepared on
  // first use on this connection, then reused (keyed by the constant's
  // address). Parameters keep their values from the previous use; set them all.
  sql::PreparedStatement& Statement(const char* sql);

  // Runs `sql`, a constant from storage/sql.h without parameters or results
  // (such as kCommit), as a plain statement: one round trip, nothing prepared.
  // Throws sql::SQLException when it fails, the connection lost included.
  void Execute(const char* sql);

  sql::Connection& connection() { return *connection_; }

  // Marks the connection unusable: it is closed instead of being returned.
  void MarkBroken() { broken_ = true; }
  bool broken() const { return broken_; }

  // Whether the connection served an earlier lease (it may have died since).
  bool reused() const { return reused_; }

  // Whether the session is in autocommit mode (else a transaction begins
  // with its first statement and ends with COMMIT or ROLLBACK). The
  // Connector's own getAutoCommit() is not kept up to date: do not use it.
  bool autocommit() const { return autocommit_; }

 private:
  friend class ConnectionPool;

  std::unique_ptr<sql::Connection> connection_;
  // Declared after connection_, so destroyed before it.
  absl::flat_hash_map<const char*, std::unique_ptr<sql::PreparedStatement>> statements_;
  std::unique_ptr<sql::Statement> plain_;  // for Execute, made on first use
  absl::Time last_used_ = absl::InfinitePast();
  bool broken_ = false;
  bool reused_ = false;
  bool autocommit_ = true;  // as dialled
  // The session's max_statement_time; zero (none) as dialled.
  absl::Duration statement_time_ = absl::ZeroDuration();
};

class ConnectionPool {
 public:
  // The exclusive use of one connection; returns it to the pool (or discards
  // it when broken) on destruction. Move-only.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    PooledConnection& operator*() const { return *connection_; }
    PooledConnection* operator->() const { return connection_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> connection);
    ConnectionPool* pool_;
    std::unique_ptr<PooledConnection> connection_;
  };

  // How a transaction body ends when it returns OK.
  enum class TransactionEnd { kCommit, kRollback };

  // Creates a pool; dials nothing. INVALID_ARGUMENT for a pool_size below 1 or
  // a port outside 1-65535. Calls get_mysql_driver_instance() (once per
  // process), so create pools before starting threads that use Connector/C++
  // directly.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const MySqlOptions& options);

  // Every lease must have been destroyed.
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection whose session is in the given autocommit mode: an idle one in
  // that mode, else a new one when fewer than pool_size are open, else an idle
  // one switched to the mode (one round trip), else waits until one is
  // returned. An idle connection is pinged first when it was idle for more
  // than a second or is suspect. Keeping each connection in its mode spares
  // transactions a START TRANSACTION and reads a COMMIT. UNAVAILABLE when none
  // is free by `deadline` or dialling fails.
  absl::StatusOr<Lease> Acquire(absl::Time deadline, bool autocommit = true)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Runs `body` on a connection outside any transaction (autocommit), for
  // reads and single-statement writes. Exceptions become statuses; a
  // connection-level failure discards the connection. When that failure came
  // from a reused connection (one that may have died while idle) and
  // `retry_on_stale_connection`, runs `body` once more on a fresh one, so a
  // restart of the database costs callers nothing. Returns body's status.
  absl::Status Run(absl::FunctionRef<absl::Status(PooledConnection&)> body,
                   bool retry_on_stale_connection = true);

  // Runs `body` in a transaction on a connection with autocommit off (the
  // transaction begins with body's first statement), returning OK only after
  // the server answered the COMMIT statement with success. Rolls back when
  // body returns an error, returns kRollback, or throws; body's status stands
  // even when that ROLLBACK fails (the connection is then discarded, and the
  // server rolls back when it closes). Retries the whole transaction, with
  // jittered exponential backoff, on deadlock or lock-wait timeout (ABORTED,
  // also at COMMIT: the server rolled back) up to 5 attempts, and once on a
  // stale connection (see Run) when the failure came before COMMIT was sent,
  // or at any point when `idempotent` (re-running the body after an unknown
  // COMMIT outcome is harmless). `body` must be safe to run again from the
  // start.
  //
  // Any other failure of the COMMIT (the connection lost before or after the
  // server received it) leaves the outcome unknown: the transaction may or
  // may not have committed. That is UNAVAILABLE, never OK, and the connection
  // is discarded; a caller settles it by retrying with the same request_id.
  absl::Status RunTransaction(
      absl::FunctionRef<absl::StatusOr<TransactionEnd>(PooledConnection&)> body,
      bool idempotent);

  // Connections open (idle, leased or being dialled) and idle right now.
  int open_connections() const ABSL_LOCKS_EXCLUDED(mu_);
  int idle_connections() const ABSL_LOCKS_EXCLUDED(mu_);

  // The pool's figures now and since it was created (waits, retries).
  ConnectionPoolStats Stats() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit ConnectionPool(const MySqlOptions& options);
  // Acquire for the current call: DEADLINE_EXCEEDED when its deadline has
  // passed (or passes while waiting for a connection), else a connection
  // whose max_statement_time is the time left to it.
  absl::StatusOr<Lease> AcquireForCall(bool autocommit) ABSL_LOCKS_EXCLUDED(mu_);
  void Release(std::unique_ptr<PooledConnection> connection) ABSL_LOCKS_EXCLUDED(mu_);

  const MySqlOptions options_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<PooledConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  // Idle connections last used before this time are pinged before use: set
  // when a connection-level error suggests the server went away.
  absl::Time suspect_before_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // For Stats.
  int64_t waits_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration waited_ ABSL_GUARDED_BY(mu_);
  int64_t acquire_timeouts_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> deadlock_retries_{0};
  std::atomic<int64_t> stale_connection_retries_{0};
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_CONNECTION_POOL_H_
