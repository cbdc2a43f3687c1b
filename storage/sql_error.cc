#include "storage/sql_error.h"

#include <cppconn/exception.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/call_deadline.h"

namespace dumas {
namespace {

constexpr int kErServerShutdown = 1053;
constexpr int kErAbortingConnection = 1152;
constexpr int kErNetReadErrorFromPipe = 1154;
constexpr int kErNetErrorOnWrite = 1160;
constexpr int kErNetWriteInterrupted = 1161;
constexpr int kErNetReadError = 1158;
constexpr int kErNetReadInterrupted = 1159;
constexpr int kErConnectionKilled = 1927;
constexpr int kErClientIdleTimeout = 4031;
constexpr int kErDataTooLong = 1406;
constexpr int kErTruncatedWrongValueForField = 1366;
constexpr int kErTruncatedWrongValue = 1292;
constexpr int kErWarnDataOutOfRange = 1264;
constexpr int kErDbAccessDenied = 1044;
constexpr int kErAccessDenied = 1045;
constexpr int kErTableAccessDenied = 1142;
constexpr int kErColumnAccessDenied = 1143;
constexpr int kErSpecificAccessDenied = 1227;
constexpr int kCrSslConnectionError = 2026;
constexpr int kErQueryInterrupted = 1317;

}  // namespace

bool IsConnectionError(const sql::SQLException& e) {
  const int code = e.getErrorCode();
  if (code == 0) {
    // The Connector's own exceptions. Argument and feature errors are raised
    // before anything is sent; a plain SQLException or an
    // InvalidInstanceException means a closed connection (or an unknown state).
    return dynamic_cast<const sql::InvalidArgumentException*>(&e) == nullptr &&
           dynamic_cast<const sql::MethodNotImplementedException*>(&e) == nullptr &&
           dynamic_cast<const sql::NonScrollableException*>(&e) == nullptr &&
           dynamic_cast<const sql::SQLUnsupportedOptionException*>(&e) == nullptr;
  }
  if (code >= 2000 && code < 3000) return true;  // client library (CR_*) errors
  switch (code) {
    case kErServerShutdown:
    case kErAbortingConnection:
    case kErNetReadErrorFromPipe:
    case kErNetReadError:
    case kErNetReadInterrupted:
    case kErNetErrorOnWrite:
    case kErNetWriteInterrupted:
    case kErConnectionKilled:
    case kErClientIdleTimeout:
      return true;
    default:
      return false;
  }
}

bool IsPrivilegeError(const sql::SQLException& e) {
  switch (e.getErrorCode()) {
    case kErDbAccessDenied:
    case kErAccessDenied:
    case kErTableAccessDenied:
    case kErColumnAccessDenied:
    case kErSpecificAccessDenied:
      return true;
    default:
      return false;
  }
}

absl::Status SqlErrorToStatus(const sql::SQLException& e) {
  const int code = e.getErrorCode();
  if (code == kCrSslConnectionError) {
    return absl::UnavailableError(absl::StrCat(
        "TLS to the database failed (MySQL error ", code,
        "): the server offers no TLS, or its certificate does not verify against the CA "
        "given (--mysql_ssl_ca) for the host name used"));
  }
  if (code == kErAccessDenied) {
    return absl::InternalError(absl::StrCat(
        "the database refused the login (MySQL error ", code,
        "): check the account, its password and the host it may connect from"));
  }
  if (IsPrivilegeError(e)) {
    return absl::InternalError(absl::StrCat(
        "the database account lacks a privilege (MySQL error ", code,
        "): see storage/grants.sql and docs/operations.md"));
  }
  if (IsConnectionError(e)) {
    return absl::UnavailableError(
        absl::StrCat("database unavailable (MySQL error ", code, "); retry later"));
  }
  switch (code) {
    case kErDupEntry:
      return absl::AlreadyExistsError("the record already exists");
    case kErLockDeadlock:
    case kErLockWaitTimeout:
      return absl::AbortedError(
          absl::StrCat("database transaction conflict (MySQL error ", code, "); retry"));
    case kErNoReferencedRow:
      return absl::InvalidArgumentError("a referenced record does not exist");
    case kErQueryInterrupted:
      // InnoDB may report a lock wait cut short by max_statement_time as a
      // plain interruption; anything else that interrupts (KILL QUERY by an
      // operator) is worth a retry.
      if (CurrentCallDeadline() > absl::Now()) {
        return absl::UnavailableError(
            absl::StrCat("the database interrupted the statement (MySQL error ", code,
                         "); retry"));
      }
      [[fallthrough]];
    case kErStatementTimeout:
    case kErQueryTimeout:
      // The session's max_statement_time is the call's remaining deadline
      // (storage/call_deadline.h): the caller has given up.
      return absl::DeadlineExceededError(
          "the call's deadline passed while the database was working on it; retry with a "
          "longer deadline");
    case kErDataTooLong:
    case kErTruncatedWrongValueForField:
    case kErTruncatedWrongValue:
    case kErWarnDataOutOfRange:
      return absl::InvalidArgumentError(
          absl::StrCat("a value does not fit its database column (MySQL error ", code, ")"));
    default:
      return absl::InternalError(absl::StrCat("database error (MySQL error ", code, ")"));
  }
}

absl::Status UnexpectedErrorToStatus(const std::exception&) {
  return absl::InternalError("unexpected database client error");
}

std::string_view ForeignKeyConstraintName(const sql::SQLException& e) {
  if (e.getErrorCode() != kErNoReferencedRow) return {};
  // "... CONSTRAINT `fk_name` FOREIGN KEY ...": only names we defined match.
  static constexpr std::string_view kKnown[] = {
      "fk_complaints_category", "fk_complaints_subject_unit", "fk_complaints_submitted_by",
      "fk_principals_unit",     "fk_events_complaint",        "fk_events_actor",
      "fk_idempotency_complaint", "fk_complaints_handling_unit", "fk_routing_rules_category",
      "fk_routing_rules_unit",  "fk_notifications_complaint", "fk_notifications_event"};
  const std::string_view message = e.what();
  for (std::string_view name : kKnown) {
    std::string quoted = "`";
    quoted.append(name);
    quoted.push_back('`');
    if (message.find(quoted) != std::string_view::npos) return name;
  }
  return {};
}

std::string_view DuplicateKeyName(const sql::SQLException& e) {
  if (e.getErrorCode() != kErDupEntry) return {};
  // "Duplicate entry '...' for key 'uq_name'": the key name ends the message,
  // so a value that looks like a key name cannot be mistaken for it.
  static constexpr std::string_view kKnown[] = {
      "uq_complaints_reference", "uq_complaints_external", "uq_principals_active_cert"};
  const std::string_view message = e.what();
  for (std::string_view name : kKnown) {
    std::string quoted = "'";
    quoted.append(name);
    quoted.push_back('\'');
    if (message.size() >= quoted.size() &&
        message.substr(message.size() - quoted.size()) == quoted) {
      return name;
    }
  }
  return {};
}

}  // namespace dumas
