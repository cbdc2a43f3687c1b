// How Dumas reaches its MariaDB/MySQL database.
#ifndef DUMAS_STORAGE_MYSQL_OPTIONS_H_
#define DUMAS_STORAGE_MYSQL_OPTIONS_H_

#include <cstddef>
#include <string>

#include "absl/time/time.h"

namespace dumas {

struct MySqlOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;  // a Unix socket path; preferred over host:port when set
  std::string user = "root";
  std::string password;
  // The schema. 1-64 characters of [A-Za-z0-9_] (it is quoted into
  // CREATE DATABASE, the one statement that cannot take a placeholder).
  std::string database = "dumas";
  int pool_size = 64;  // connections at most; dialled on demand
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration write_timeout = absl::Seconds(30);
  // A CA certificate (PEM). When set, the connection uses TLS and verifies the
  // server's certificate against it (sslCA + sslVerify=true); it never falls
  // back to plaintext.
  std::string ssl_ca;
  // How long a call waits for a free connection when all pool_size are in
  // use before it fails with UNAVAILABLE.
  absl::Duration acquire_timeout = absl::Seconds(10);
  // How long an answer of the tracking query is reused (storage/tracking_cache.h);
  // zero disables the cache. Changes through this store show at once; changes
  // through another server after at most this long.
  absl::Duration tracking_cache_ttl = absl::Seconds(2);
  size_t tracking_cache_entries = 100000;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_MYSQL_OPTIONS_H_
