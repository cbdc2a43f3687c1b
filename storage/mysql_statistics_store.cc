// MySqlStore, the figures for operators: StatisticsStore.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <vector>

#include "storage/migrator.h"
#include "storage/mysql_store.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"

namespace dumas {

using mysql_store_internal::FormatDate;
using mysql_store_internal::NoParameters;
using mysql_store_internal::ParseDateTime;
using mysql_store_internal::QueryRows;

ConnectionPoolStats MySqlStore::PoolStatistics() const { return pool_->Stats(); }

absl::StatusOr<std::vector<OutboxChannelStats>> MySqlStore::OutboxStatistics() {
  return QueryRows<OutboxChannelStats>(
      *pool_, sql_text::kOutboxStatistics, NoParameters,
      [](const sql::ResultSet& rs) -> absl::StatusOr<OutboxChannelStats> {
        OutboxChannelStats stats;
        stats.channel = static_cast<Channel>(rs.getInt(1));
        stats.pending = rs.getInt64(2);
        stats.set_aside = rs.getInt64(3);
        if (!rs.isNull(4)) {
          absl::StatusOr<absl::Time> oldest = ParseDateTime(rs.getString(4));
          if (!oldest.ok()) return oldest.status();
          stats.oldest_pending_time = *oldest;
        }
        return stats;
      });
}

absl::StatusOr<std::vector<OverdueCount>> MySqlStore::OverdueComplaints(absl::CivilDay today) {
  const std::string day = FormatDate(today);
  absl::StatusOr<std::vector<OverdueCount>> rows = QueryRows<OverdueCount>(
      *pool_, sql_text::kOverdueByUnit,
      [&](sql::PreparedStatement& s) {
        for (unsigned i = 1; i <= 4; ++i) s.setString(i, day);
      },
      [](const sql::ResultSet& rs) -> absl::StatusOr<OverdueCount> {
        OverdueCount count;
        count.handling_unit_id = rs.getString(1).asStdString();
        count.sp3d = rs.getInt64(2);
        count.result = rs.getInt64(3);
        return count;
      });
  if (!rows.ok()) return rows.status();
  // Units with open complaints but none overdue are not reported.
  std::erase_if(*rows, [](const OverdueCount& c) { return c.sp3d == 0 && c.result == 0; });
  return rows;
}

absl::StatusOr<StatisticsStore::SchemaVersions> MySqlStore::SchemaVersion() {
  absl::StatusOr<std::vector<int>> rows = QueryRows<int>(
      *pool_, sql_text::kSelectSchemaVersion, NoParameters,
      [](const sql::ResultSet& rs) -> absl::StatusOr<int> { return rs.getInt(1); });
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InternalError("the schema version query returned no row");
  return SchemaVersions{rows->front(), LatestSchemaVersion()};
}

}  // namespace dumas
