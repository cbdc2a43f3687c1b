// The one place where Connector/C++ exceptions become absl::Status.
//
// Codes (STYLE.md, "Errors"):
//   1062 duplicate key                      -> ALREADY_EXISTS
//   1213 deadlock, 1205 lock wait timeout   -> ABORTED (retry the transaction)
//   connection-level errors (see IsConnectionError) -> UNAVAILABLE
//   1452 missing parent row of a foreign key -> INVALID_ARGUMENT (our foreign
//        keys point at reference data that callers name: categories, units)
//   1406/1366/1292/1264 value does not fit its column -> INVALID_ARGUMENT
//   1044/1045/1142/1143/1227 the account lacks a privilege -> INTERNAL, saying
//        so (a server misconfigured, not a caller refused; see
//        IsPrivilegeError for the places that tell the operator more)
//   2026 TLS to the server failed           -> UNAVAILABLE, saying so
//   anything else                           -> INTERNAL
// Messages are generic and carry the numeric MySQL error code for operators;
// never SQL text, never values (the server's own message may quote values, so
// it is not used).
#ifndef DUMAS_STORAGE_SQL_ERROR_H_
#define DUMAS_STORAGE_SQL_ERROR_H_

#include <exception>
#include <string_view>

#include "absl/status/status.h"

namespace sql {
class SQLException;
}  // namespace sql

namespace dumas {

// MySQL/MariaDB error numbers this layer acts on.
inline constexpr int kErDupEntry = 1062;
inline constexpr int kErLockWaitTimeout = 1205;
inline constexpr int kErLockDeadlock = 1213;
inline constexpr int kErNoReferencedRow = 1452;
// MariaDB's max_statement_time interrupted the statement (MySQL's own
// max_execution_time answers 3024).
inline constexpr int kErStatementTimeout = 1969;
inline constexpr int kErQueryTimeout = 3024;

// The status for an error thrown by Connector/C++.
absl::Status SqlErrorToStatus(const sql::SQLException& e);

// The status for any other exception escaping Connector/C++ (bad_alloc,
// InvalidArgumentException, ...): INTERNAL, generic message.
absl::Status UnexpectedErrorToStatus(const std::exception& e);

// Whether the account was refused something: a database (1044), the login
// (1045), a table or column (1142, 1143), or an administrative statement
// (1227).
bool IsPrivilegeError(const sql::SQLException& e);

// Whether the error means the connection is unusable or its state unknown:
// client errors 2000-2999 (2002/2003 cannot connect, 2006 gone away, 2013
// lost, 2055 lost at handshake, ...), 1927 connection killed, 1053 server
// shutdown, 1152/1158-1161 aborted or network errors, 4031 idle disconnect,
// and the Connector's own code-0 errors other than argument and feature
// errors ("connection closed", unknown state). Such a connection is
// discarded, never returned to the pool.
bool IsConnectionError(const sql::SQLException& e);

// For a 1452 error: the name of the violated foreign-key constraint (as named
// in the migrations, e.g. "fk_complaints_category"), or empty. The name is
// part of the schema, not data, so it is safe to branch on.
std::string_view ForeignKeyConstraintName(const sql::SQLException& e);

// For a 1062 error: the name of the unique key it violated, when it is one we
// branch on ("uq_complaints_reference", "uq_complaints_external",
// "uq_principals_active_cert"), or empty.
std::string_view DuplicateKeyName(const sql::SQLException& e);

}  // namespace dumas

#endif  // DUMAS_STORAGE_SQL_ERROR_H_
