// MySqlStore, part 4: DeadlineStore (running deadlines recomputed batch by
// batch when the working-day calendar changes, and the digest of the
// calendar the stored deadlines follow).
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/working_day_calendar.h"
#include "storage/mysql_store.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas {
namespace {

using TransactionEnd = ConnectionPool::TransactionEnd;
using mysql_store_internal::FormatDate;
using mysql_store_internal::kMaxListLimit;
using mysql_store_internal::ParseDate;
using mysql_store_internal::ParseDateTime;
using mysql_store_internal::StorableDay;

constexpr size_t kDigestBytes = 32;  // calendar_settings.deadlines_calendar_digest

// A WITA civil day from a UTC DATETIME column.
absl::StatusOr<absl::CivilDay> PaluDay(const sql::ResultSet& rs, uint32_t column) {
  absl::StatusOr<absl::Time> time = ParseDateTime(rs.getString(column));
  if (!time.ok()) return time.status();
  return absl::ToCivilDay(*time, PaluTimeZone());
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalPaluDay(const sql::ResultSet& rs,
                                                              uint32_t column) {
  if (rs.isNull(column)) return std::nullopt;
  absl::StatusOr<absl::CivilDay> day = PaluDay(rs, column);
  if (!day.ok()) return day.status();
  return *day;
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(const sql::ResultSet& rs,
                                                           uint32_t column) {
  if (rs.isNull(column)) return std::nullopt;
  absl::StatusOr<absl::CivilDay> day = ParseDate(rs.getString(column));
  if (!day.ok()) return day.status();
  return *day;
}

// Reads a row of kSelectDeadlinesForUpdate from column 3 (state) on.
absl::StatusOr<ComplaintDeadlines> ReadDeadlines(const sql::ResultSet& rs) {
  ComplaintDeadlines d;
  d.state = static_cast<ComplaintState>(rs.getInt(3));
  absl::StatusOr<absl::CivilDay> received = PaluDay(rs, 4);
  if (!received.ok()) return received.status();
  d.received = *received;
  absl::StatusOr<std::optional<absl::CivilDay>> sent = OptionalPaluDay(rs, 5);
  if (!sent.ok()) return sent.status();
  d.sp3d_sent = *sent;
  absl::StatusOr<absl::CivilDay> sp3d_due = ParseDate(rs.getString(6));
  if (!sp3d_due.ok()) return sp3d_due.status();
  d.sp3d_due = *sp3d_due;
  d.sp3d_due_provisional = rs.getBoolean(7);
  absl::StatusOr<std::optional<absl::CivilDay>> result_start = OptionalDate(rs, 8);
  if (!result_start.ok()) return result_start.status();
  d.result_start = *result_start;
  absl::StatusOr<std::optional<absl::CivilDay>> result_due = OptionalDate(rs, 9);
  if (!result_due.ok()) return result_due.status();
  d.result_due = *result_due;
  d.result_due_provisional = rs.getBoolean(10);
  absl::StatusOr<std::optional<absl::CivilDay>> answered = OptionalPaluDay(rs, 11);
  if (!answered.ok()) return answered.status();
  d.answered = *answered;
  return d;
}

// One element of kUpdateDeadlines' JSON array. Dates and numbers only: no
// text needs escaping.
std::string DeadlineJson(int64_t id, const ComplaintDeadlines& d) {
  std::string json = absl::StrCat("{\"id\":", id, ",\"sp3d_due\":\"", FormatDate(d.sp3d_due),
                                  "\",\"sp3d_provisional\":", d.sp3d_due_provisional ? 1 : 0,
                                  ",\"result_provisional\":", d.result_due_provisional ? 1 : 0);
  if (d.result_due.has_value()) {
    absl::StrAppend(&json, ",\"result_due\":\"", FormatDate(*d.result_due), "\"");
  }
  json += "}";
  return json;
}

}  // namespace

absl::StatusOr<DeadlineBatch> MySqlStore::RecomputeDeadlines(
    int64_t after_id, int limit, const std::vector<ComplaintState>& states, Recompute recompute) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  int64_t state_bits = 0;
  for (ComplaintState state : states) {
    const int value = static_cast<int>(state);
    if (value < 1 || value > kMaxComplaintState) {
      return absl::InvalidArgumentError("states holds a value that is not a complaint state");
    }
    state_bits |= int64_t{1} << value;
  }
  if (state_bits == 0) return absl::InvalidArgumentError("states must name at least one state");

  DeadlineBatch batch;
  std::vector<std::string> changed_references;
  // Idempotent: running the batch again after an unknown COMMIT outcome
  // computes the same due dates.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        batch = DeadlineBatch{};
        changed_references.clear();
        std::string json;
        {
          sql::PreparedStatement& s = c.Statement(sql_text::kSelectDeadlinesForUpdate);
          s.setInt64(1, after_id);
          s.setInt64(2, state_bits);
          s.setInt(3, std::min(limit, kMaxListLimit));
          std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
          while (rs->next()) {
            const int64_t id = rs->getInt64(1);
            batch.last_id = id;
            ++batch.read;
            absl::StatusOr<ComplaintDeadlines> stored = ReadDeadlines(*rs);
            if (!stored.ok()) return stored.status();
            const std::optional<ComplaintDeadlines> next = recompute(id, *stored);
            if (!next.has_value()) continue;
            if (!StorableDay(next->sp3d_due) ||
                (next->result_due.has_value() && !StorableDay(*next->result_due))) {
              return absl::InvalidArgumentError("a recomputed due date is out of range");
            }
            absl::StrAppend(&json, json.empty() ? "[" : ",", DeadlineJson(id, *next));
            changed_references.push_back(rs->getString(2).asStdString());
          }
        }
        if (json.empty()) return TransactionEnd::kRollback;  // nothing to write
        json += "]";
        sql::PreparedStatement& update = c.Statement(sql_text::kUpdateDeadlines);
        update.setString(1, json);
        update.executeUpdate();
        batch.changed = static_cast<int>(changed_references.size());
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
  if (!status.ok()) return status;
  // The next Track of a changed complaint reads its new due dates.
  for (const std::string& reference : changed_references) tracking_cache_.Erase(reference);
  return batch;
}

absl::StatusOr<std::string> MySqlStore::DeadlinesCalendarDigest() {
  std::string digest;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    digest.clear();
    std::unique_ptr<sql::ResultSet> rs(
        c.Statement(sql_text::kSelectDeadlinesCalendarDigest).executeQuery());
    if (!rs->next()) {
      return absl::InternalError("calendar_settings has no row; run the migrations");
    }
    if (!rs->isNull(1)) digest = rs->getString(1).asStdString();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return digest;
}

absl::Status MySqlStore::RecordDeadlinesCalendarDigest(std::string_view digest) {
  if (digest.size() != kDigestBytes) {
    return absl::InvalidArgumentError("a calendar digest is 32 bytes");
  }
  return pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kUpdateDeadlinesCalendarDigest);
    s.setString(1, std::string(digest));
    s.executeUpdate();
    return absl::OkStatus();
  });
}

}  // namespace dumas
