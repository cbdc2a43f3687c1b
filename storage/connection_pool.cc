#include "storage/connection_pool.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/call_deadline.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas {
namespace {

// A connection idle for longer than this is pinged before it is handed out.
constexpr absl::Duration kValidateAfterIdle = absl::Seconds(1);
constexpr int kMaxTransactionAttempts = 5;
constexpr absl::Duration kBackoffBase = absl::Milliseconds(2);

// The driver is created once, thread-safely (a function-local static), before
// any connection is dialled.
sql::mysql::MySQL_Driver* Driver() {
  static sql::mysql::MySQL_Driver* const driver = sql::mysql::get_mysql_driver_instance();
  return driver;
}

int WholeSeconds(absl::Duration d) {
  const int64_t seconds = absl::ToInt64Seconds(absl::Ceil(d, absl::Seconds(1)));
  return static_cast<int>(std::clamp<int64_t>(seconds, 1, 24 * 3600));
}

// Whole seconds to wait for a row lock: below the read timeout, at most 10.
int LockWaitSeconds(const MySqlOptions& options) {
  return std::clamp(WholeSeconds(options.read_timeout) / 2, 1, 10);
}

// The max_statement_time for a call with `left` to its deadline: none
// without a deadline (or one more than a day away), else `left` rounded down
// to 100 ms (to whole seconds above 10 s; at least 1 ms), so that no
// statement runs past the deadline and calls made with the same deadline find
// the session already set and spare the round trip.
absl::Duration StatementTimeFor(absl::Duration left) {
  if (left > absl::Hours(24)) return absl::ZeroDuration();
  const absl::Duration step = left > absl::Seconds(10) ? absl::Seconds(1) : absl::Milliseconds(100);
  const absl::Duration floored = absl::Floor(left, step);
  if (floored > absl::ZeroDuration()) return floored;
  return std::max(absl::Floor(left, absl::Milliseconds(1)), absl::Milliseconds(1));
}

absl::Status CallDeadlineExceeded() {
  return absl::DeadlineExceededError(
      "the call's deadline passed before the database was reached; retry with a longer deadline");
}

// Sleeps before attempt `attempt` (1, 2, ...) of a transaction: exponential,
// with jitter in [0.5, 1.5) so that colliding callers spread out.
void Backoff(int attempt) {
  const absl::Duration base = kBackoffBase * (int64_t{1} << std::min(attempt, 8));
  const double jitter = 0.5 + randombytes_uniform(1000) / 1000.0;
  absl::SleepFor(base * jitter);
}

// The status of a failed COMMIT statement. A deadlock or lock-wait timeout
// means the server rolled the transaction back (ABORTED: it may be run again).
// Any other failure, above all a connection lost before the answer arrived,
// leaves the outcome unknown: the transaction may have committed.
absl::Status CommitFailureToStatus(const sql::SQLException& e) {
  absl::Status status = SqlErrorToStatus(e);
  if (absl::IsAborted(status)) return status;
  return absl::UnavailableError(absl::StrCat(
      "the database connection failed at commit (MySQL error ", e.getErrorCode(),
      "); the change may or may not have been saved: retry with the same request_id"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<sql::Connection>> DialMySql(const MySqlOptions& options,
                                                           bool select_database) {
  sql::ConnectOptionsMap props;
  if (!options.socket.empty()) {
    // The client library uses the socket only for the host "localhost".
    props["hostName"] = sql::SQLString("localhost");
    props["socket"] = sql::SQLString(options.socket);
  } else {
    props["hostName"] = sql::SQLString(options.host);
    props["port"] = options.port;  // int: Connector/C++ options are typed
  }
  props["userName"] = sql::SQLString(options.user);
  props["password"] = sql::SQLString(options.password);
  if (select_database) props["schema"] = sql::SQLString(options.database);
  props["OPT_CONNECT_TIMEOUT"] = WholeSeconds(options.connect_timeout);
  props["OPT_READ_TIMEOUT"] = WholeSeconds(options.read_timeout);
  props["OPT_WRITE_TIMEOUT"] = WholeSeconds(options.write_timeout);
  props["OPT_RECONNECT"] = false;  // bool; the pool re-dials itself
  props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  if (!options.ssl_ca.empty()) {
    // sslVerify makes TLS mandatory and verified; sslEnforce alone would fall
    // back to plaintext silently.
    props["sslCA"] = sql::SQLString(options.ssl_ca);
    props["sslVerify"] = true;
  }
  try {
    std::unique_ptr<sql::Connection> connection(Driver()->connect(props));
    {
      std::unique_ptr<sql::PreparedStatement> setup(
          connection->prepareStatement(sql_text::kSessionSetup));
      setup->setInt(1, LockWaitSeconds(options));
      setup->execute();
    }
    {
      std::unique_ptr<sql::PreparedStatement> isolation(
          connection->prepareStatement(sql_text::kSessionIsolation));
      isolation->execute();
    }
    return connection;
  } catch (const sql::SQLException& e) {
    return SqlErrorToStatus(e);
  } catch (const std::exception& e) {
    return UnexpectedErrorToStatus(e);
  }
}

// --- PooledConnection ----------------------------------------------------------

PooledConnection::PooledConnection(std::unique_ptr<sql::Connection> connection)
    : connection_(std::move(connection)) {}

PooledConnection::~PooledConnection() {
  // Connector/C++ may throw while closing a dead connection; nothing escapes.
  try {
    statements_.clear();
    plain_.reset();
    connection_.reset();
  } catch (const std::exception&) {
  }
}

sql::PreparedStatement& PooledConnection::Statement(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::unique_ptr<sql::PreparedStatement> statement(connection_->prepareStatement(sql));
    it = statements_.emplace(sql, std::move(statement)).first;
  }
  return *it->second;
}

void PooledConnection::Execute(const char* sql) {
  if (plain_ == nullptr) plain_.reset(connection_->createStatement());
  plain_->execute(sql);
}

// --- Lease -----------------------------------------------------------------------

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)) {}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (connection_ != nullptr) pool_->Release(std::move(connection_));
    pool_ = other.pool_;
    connection_ = std::move(other.connection_);
  }
  return *this;
}

ConnectionPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->Release(std::move(connection_));
}

// --- ConnectionPool ----------------------------------------------------------------

ConnectionPool::ConnectionPool(const MySqlOptions& options) : options_(options) {}

ConnectionPool::~ConnectionPool() {
  std::vector<std::unique_ptr<PooledConnection>> idle;
  {
    absl::MutexLock lock(&mu_);
    idle.swap(idle_);
  }
  idle.clear();  // closes them, outside the lock
}

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(
    const MySqlOptions& options) {
  if (options.pool_size < 1) {
    return absl::InvalidArgumentError("MySqlOptions.pool_size must be at least 1");
  }
  if (options.socket.empty() && (options.port < 1 || options.port > 65535)) {
    return absl::InvalidArgumentError("MySqlOptions.port must be within 1-65535");
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  try {
    Driver();
  } catch (const std::exception& e) {
    return UnexpectedErrorToStatus(e);
  }
  return std::unique_ptr<ConnectionPool>(new ConnectionPool(options));
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire(absl::Time deadline,
                                                              bool autocommit) {
  std::unique_ptr<PooledConnection> connection;
  bool validate = false;
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.pool_size;
    };
    if (!available()) {
      // Every connection is in use: wait for one, and count the wait.
      const absl::Time start = absl::Now();
      const bool got = mu_.AwaitWithDeadline(absl::Condition(&available), deadline);
      ++waits_;
      waited_ += absl::Now() - start;
      if (!got) {
        ++acquire_timeouts_;
        return absl::UnavailableError(absl::StrCat(
            "all ", options_.pool_size, " database connections are busy; retry later"));
      }
    }
    // The most recently used idle connection in the wanted mode: it is the
    // likeliest to be alive and warm.
    auto match = idle_.end();
    for (auto it = idle_.end(); it != idle_.begin();) {
      --it;
      if ((*it)->autocommit_ == autocommit) {
        match = it;
        break;
      }
    }
    if (match == idle_.end() && open_ < options_.pool_size) {
      ++open_;  // a slot for the connection dialled below
    } else {
      if (match == idle_.end()) match = idle_.end() - 1;  // switched below
      connection = std::move(*match);
      idle_.erase(match);
      validate = connection->last_used_ < suspect_before_ ||
                 absl::Now() - connection->last_used_ > kValidateAfterIdle;
    }
  }
  if (connection != nullptr) {
    try {
      if (validate && !connection->connection_->isValid()) connection.reset();
      if (connection != nullptr && connection->autocommit_ != autocommit) {
        connection->Execute(autocommit ? sql_text::kAutocommitOn : sql_text::kAutocommitOff);
        connection->autocommit_ = autocommit;
      }
    } catch (const std::exception&) {
      connection.reset();
    }
    // A dead connection is replaced: its slot stays counted for the re-dial.
  }
  if (connection == nullptr) {
    absl::StatusOr<std::unique_ptr<sql::Connection>> dialled = DialMySql(options_, true);
    absl::Status status = dialled.status();
    if (status.ok()) {
      connection = std::make_unique<PooledConnection>(*std::move(dialled));
      if (!autocommit) {
        try {
          connection->Execute(sql_text::kAutocommitOff);
          connection->autocommit_ = false;
        } catch (const sql::SQLException& e) {
          status = SqlErrorToStatus(e);
        } catch (const std::exception& e) {
          status = UnexpectedErrorToStatus(e);
        }
      }
    }
    if (!status.ok()) {
      connection.reset();
      absl::MutexLock lock(&mu_);
      --open_;
      return status;
    }
  }
  return Lease(this, std::move(connection));
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::AcquireForCall(bool autocommit) {
  const absl::Time deadline = CurrentCallDeadline();
  for (int attempt = 0;; ++attempt) {
    const absl::Time now = absl::Now();
    if (deadline <= now) return CallDeadlineExceeded();
    absl::StatusOr<Lease> lease =
        Acquire(std::min(now + options_.acquire_timeout, deadline), autocommit);
    if (!lease.ok()) {
      if (absl::IsUnavailable(lease.status()) && absl::Now() >= deadline) {
        return CallDeadlineExceeded();
      }
      return lease.status();
    }
    const absl::Duration wanted = StatementTimeFor(deadline - absl::Now());
    PooledConnection& connection = **lease;
    if (connection.statement_time_ == wanted) return lease;
    absl::Status status;
    try {
      sql::PreparedStatement& set = connection.Statement(sql_text::kSetStatementTime);
      set.setDouble(1, absl::ToDoubleSeconds(wanted));
      set.execute();
      connection.statement_time_ = wanted;
      return lease;
    } catch (const sql::SQLException& e) {
      if (IsConnectionError(e)) connection.MarkBroken();
      status = SqlErrorToStatus(e);
    } catch (const std::exception& e) {
      connection.MarkBroken();
      status = UnexpectedErrorToStatus(e);
    }
    // A connection that died while idle is replaced once, as Run does.
    if (!(connection.broken() && connection.reused() && attempt == 0)) return status;
  }
}

void ConnectionPool::Release(std::unique_ptr<PooledConnection> connection) {
  if (connection->broken_) {
    connection.reset();  // close outside the lock
    absl::MutexLock lock(&mu_);
    --open_;
    // The server may have gone away: ping the idle ones before their next use.
    suspect_before_ = absl::Now();
    return;
  }
  connection->last_used_ = absl::Now();
  connection->reused_ = true;
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(connection));
}

int ConnectionPool::open_connections() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

int ConnectionPool::idle_connections() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(idle_.size());
}

ConnectionPoolStats ConnectionPool::Stats() const {
  ConnectionPoolStats stats;
  {
    absl::MutexLock lock(&mu_);
    stats.open_connections = open_;
    stats.idle_connections = static_cast<int>(idle_.size());
    stats.waits = waits_;
    stats.wait_seconds = absl::ToDoubleSeconds(waited_);
    stats.acquire_timeouts = acquire_timeouts_;
  }
  stats.max_connections = options_.pool_size;
  stats.deadlock_retries = deadlock_retries_.load(std::memory_order_relaxed);
  stats.stale_connection_retries = stale_connection_retries_.load(std::memory_order_relaxed);
  return stats;
}

namespace {

// What an attempt on one connection left behind, for the retry decision.
struct AttemptOutcome {
  absl::Status status;
  bool reused = false;       // the connection had served earlier leases
  bool broken = false;       // it failed at the connection level
  bool commit_sent = false;  // COMMIT was sent (its outcome may be unknown)
};

}  // namespace

absl::Status ConnectionPool::Run(absl::FunctionRef<absl::Status(PooledConnection&)> body,
                                 bool retry_on_stale_connection) {
  for (int attempt = 0;; ++attempt) {
    AttemptOutcome outcome;
    {
      absl::StatusOr<Lease> lease = AcquireForCall(/*autocommit=*/true);
      if (!lease.ok()) return lease.status();
      PooledConnection& connection = **lease;
      outcome.reused = connection.reused();
      try {
        outcome.status = body(connection);
      } catch (const sql::SQLException& e) {
        if (IsConnectionError(e)) connection.MarkBroken();
        outcome.status = SqlErrorToStatus(e);
      } catch (const std::exception& e) {
        connection.MarkBroken();
        outcome.status = UnexpectedErrorToStatus(e);
      }
      outcome.broken = connection.broken();
    }  // the lease is returned (or the connection discarded) here
    const bool stale = absl::IsUnavailable(outcome.status) && outcome.broken && outcome.reused;
    if (stale && retry_on_stale_connection && attempt == 0) {
      stale_connection_retries_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    return outcome.status;
  }
}

absl::Status ConnectionPool::RunTransaction(
    absl::FunctionRef<absl::StatusOr<TransactionEnd>(PooledConnection&)> body,
    bool idempotent) {
  bool retried_stale = false;
  for (int attempt = 1;; ++attempt) {
    AttemptOutcome outcome;
    {
      absl::StatusOr<Lease> lease = AcquireForCall(/*autocommit=*/false);
      if (!lease.ok()) return lease.status();
      PooledConnection& connection = **lease;
      outcome.reused = connection.reused();
      // Ends the transaction without keeping it. When that fails, a
      // transaction may still be open: the connection is never reused (the
      // server rolls back when it closes).
      auto roll_back = [&connection] {
        try {
          connection.Execute(sql_text::kRollback);
        } catch (const std::exception&) {
          connection.MarkBroken();
        }
      };
      bool in_transaction = true;  // from the first statement on
      try {
        absl::StatusOr<TransactionEnd> end = body(connection);
        // A caller that has given up gets nothing committed in its name.
        if (end.ok() && *end == TransactionEnd::kCommit && CurrentCallDeadline() <= absl::Now()) {
          end = absl::DeadlineExceededError(
              "the call's deadline passed before its change was committed; nothing was saved");
        }
        if (end.ok() && *end == TransactionEnd::kCommit) {
          outcome.commit_sent = true;
          try {
            connection.Execute(sql_text::kCommit);
            in_transaction = false;
          } catch (const sql::SQLException& e) {
            outcome.status = CommitFailureToStatus(e);
            // After an unknown outcome the session's state is unknown too.
            if (!absl::IsAborted(outcome.status)) connection.MarkBroken();
          } catch (const std::exception&) {
            outcome.status = absl::UnavailableError(
                "the database client failed at commit; the change may or may not have been "
                "saved: retry with the same request_id");
            connection.MarkBroken();
          }
        } else {
          outcome.status = end.status();
          roll_back();
          in_transaction = false;
        }
      } catch (const sql::SQLException& e) {
        if (IsConnectionError(e)) connection.MarkBroken();
        outcome.status = SqlErrorToStatus(e);
      } catch (const std::exception& e) {
        connection.MarkBroken();
        outcome.status = UnexpectedErrorToStatus(e);
      }
      if (in_transaction && !connection.broken()) roll_back();
      outcome.broken = connection.broken();
    }  // the lease is returned (or the connection discarded) here
    if (outcome.status.ok()) return outcome.status;
    if (absl::IsAborted(outcome.status) && attempt < kMaxTransactionAttempts) {
      deadlock_retries_.fetch_add(1, std::memory_order_relaxed);
      Backoff(attempt);
      continue;
    }
    const bool stale = absl::IsUnavailable(outcome.status) && outcome.broken && outcome.reused;
    if (stale && !retried_stale && (!outcome.commit_sent || idempotent)) {
      stale_connection_retries_.fetch_add(1, std::memory_order_relaxed);
      retried_stale = true;
      continue;
    }
    return outcome.status;
  }
}

}  // namespace dumas
