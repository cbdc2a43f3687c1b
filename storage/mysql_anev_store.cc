// MySqlStore, part 5: AnevStore (the grouped data of a month's Anev report,
// read in one consistent snapshot, and the frozen reports of closed months).
#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "domain/complaint.h"
#include "domain/log_entry.h"
#include "domain/working_day_calendar.h"
#include "storage/call_deadline.h"
#include "storage/connection_pool.h"
#include "storage/mysql_store.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"

namespace dumas {
namespace {

using TransactionEnd = ConnectionPool::TransactionEnd;
using mysql_store_internal::FormatDate;
using mysql_store_internal::FormatDateTime;
using mysql_store_internal::ParseDate;
using mysql_store_internal::ParseDateTime;

constexpr size_t kDigestBytes = 32;

// kAnevOpenChanged lists every state, 1 to 10, to read the complaints changed
// since a month's end from one range per state of idx_complaints_anev_state.
static_assert(kMaxComplaintState == 10,
              "a new state must be added to kAnevOpenChanged's list in storage/sql.h");

// Each statement's rows are read into the month's data; a value the database
// should never hold (a malformed date) fails the whole read.
absl::StatusOr<absl::CivilDay> Day(const sql::ResultSet& rs, uint32_t column) {
  return ParseDate(rs.getString(column));
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(const sql::ResultSet& rs,
                                                          uint32_t column) {
  if (rs.isNull(column)) return std::nullopt;
  absl::StatusOr<absl::CivilDay> day = ParseDate(rs.getString(column));
  if (!day.ok()) return day.status();
  return *day;
}

// The first instant of `month` (WITA), as the statements take it.
std::string MonthStart(absl::CivilMonth month) {
  return FormatDateTime(absl::FromCivil(absl::CivilSecond(month), PaluTimeZone()));
}

// Runs `sql` with the parameters `texts` (all bound as strings) and calls
// `read` on each row.
absl::Status ForEachRow(PooledConnection& c, const char* sql,
                        const std::vector<std::string>& texts,
                        absl::FunctionRef<absl::Status(const sql::ResultSet&)> read) {
  sql::PreparedStatement& s = c.Statement(sql);
  for (size_t i = 0; i < texts.size(); ++i) s.setString(static_cast<unsigned>(i + 1), texts[i]);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  while (rs->next()) {
    if (absl::Status status = read(*rs); !status.ok()) return status;
  }
  return absl::OkStatus();
}

// The statements of a period, in the order their rows make up its data.
enum AnevStep {
  kReceived,
  kLabelledEvents,
  kRatings,
  kSp3dSent,
  kAnswers,
  kOpenUnchanged,
  kOpenChanged,
  kRepeatedSubjects,
  kStepCount,
};

// The steps a second connection reads while the first reads the others:
// about half of the live month's time each at a million demo complaints
// (docs/anev-report.md, "Cost, measured").
constexpr bool kSecondConnectionStep[kStepCount] = {
    false, false, false, true, true, true, false, false};

// One row of the open backlog (kAnevOpenUnchanged, kAnevOpenChanged): unit,
// state, day received, SP3D due day, result due day, then the round's start
// when `with_round` (kAnevOpenChanged), then the count.
absl::Status ReadOpen(const sql::ResultSet& rs, bool with_round, AnevMonthData& data) {
  absl::StatusOr<absl::CivilDay> received = Day(rs, 3);
  absl::StatusOr<absl::CivilDay> sp3d_due = Day(rs, 4);
  absl::StatusOr<std::optional<absl::CivilDay>> due = OptionalDay(rs, 5);
  absl::StatusOr<std::optional<absl::CivilDay>> round =
      with_round ? OptionalDay(rs, 6) : std::optional<absl::CivilDay>();
  if (!received.ok()) return received.status();
  if (!sp3d_due.ok()) return sp3d_due.status();
  if (!due.ok()) return due.status();
  if (!round.ok()) return round.status();
  data.open.push_back({rs.getString(1), static_cast<ComplaintState>(rs.getInt(2)), *received,
                       *sp3d_due, *due, *round, rs.getInt64(with_round ? 7 : 6)});
  return absl::OkStatus();
}

// Reads one step of one period's data on `c`, inside the snapshot, into
// `data` (which holds only that step's rows).
absl::Status ReadStep(PooledConnection& c, const AnevPeriod& period, AnevStep step,
                      AnevMonthData& data) {
  const std::string start = FormatDateTime(period.start);
  const std::string as_of = FormatDateTime(period.as_of);
  auto read_labelled = [&](const sql::ResultSet& rs) -> absl::Status {
    data.labelled.push_back({rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt64(4)});
    return absl::OkStatus();
  };
  switch (step) {
    case kReceived:
      return ForEachRow(c, sql_text::kAnevReceived, {as_of, as_of, start, as_of},
                        [&](const sql::ResultSet& rs) -> absl::Status {
                          data.received.push_back(
                              {rs.getString(1), rs.getString(2),
                               static_cast<Channel>(rs.getInt(3)), rs.getString(4),
                               static_cast<ComplaintState>(rs.getInt(5)), rs.getInt64(6)});
                          return absl::OkStatus();
                        });
    case kLabelledEvents:
      return ForEachRow(c, sql_text::kAnevLabelledEvents, {start, as_of, start, as_of},
                        read_labelled);
    case kRatings:
      return ForEachRow(c, sql_text::kAnevRatings, {start, as_of}, read_labelled);
    case kSp3dSent:
      return ForEachRow(c, sql_text::kAnevSp3dSent, {start, as_of, start, as_of},
                        [&](const sql::ResultSet& rs) -> absl::Status {
                          absl::StatusOr<absl::CivilDay> received = Day(rs, 2);
                          absl::StatusOr<absl::CivilDay> sent = Day(rs, 3);
                          absl::StatusOr<absl::CivilDay> due = Day(rs, 4);
                          if (!received.ok()) return received.status();
                          if (!sent.ok()) return sent.status();
                          if (!due.ok()) return due.status();
                          data.sp3d_sent.push_back(
                              {rs.getString(1), *received, *sent, *due, rs.getInt64(5)});
                          return absl::OkStatus();
                        });
    case kAnswers:
      return ForEachRow(
          c, sql_text::kAnevAnswers, {start, as_of, start, as_of},
          [&](const sql::ResultSet& rs) -> absl::Status {
            absl::StatusOr<absl::CivilDay> received = Day(rs, 2);
            absl::StatusOr<absl::CivilDay> answered = Day(rs, 3);
            absl::StatusOr<std::optional<absl::CivilDay>> due = OptionalDay(rs, 4);
            absl::StatusOr<std::optional<absl::CivilDay>> round = OptionalDay(rs, 5);
            if (!received.ok()) return received.status();
            if (!answered.ok()) return answered.status();
            if (!due.ok()) return due.status();
            if (!round.ok()) return round.status();
            data.answers.push_back(
                {rs.getString(1), *received, *answered, *due, *round, rs.getInt64(6)});
            return absl::OkStatus();
          });
    case kOpenUnchanged:
      return ForEachRow(c, sql_text::kAnevOpenUnchanged, {as_of, as_of},
                        [&](const sql::ResultSet& rs) { return ReadOpen(rs, false, data); });
    case kOpenChanged: {
      const std::string as_of_day = FormatDate(absl::ToCivilDay(period.as_of, PaluTimeZone()));
      return ForEachRow(c, sql_text::kAnevOpenChanged,
                        {as_of, as_of_day, as_of_day, as_of, as_of, as_of},
                        [&](const sql::ResultSet& rs) { return ReadOpen(rs, true, data); });
    }
    case kRepeatedSubjects: {
      // The eleven months before the month counted once when they are
      // (MakeAnevSubjectWindow), else from the complaints.
      const std::string month_text = FormatDate(absl::CivilDay(period.month));
      bool counted = false;
      absl::Status status = ForEachRow(c, sql_text::kAnevSubjectWindowMade, {month_text},
                                       [&](const sql::ResultSet&) -> absl::Status {
                                         counted = true;
                                         return absl::OkStatus();
                                       });
      if (!status.ok()) return status;
      auto read_subject = [&](const sql::ResultSet& rs) -> absl::Status {
        data.repeated_subjects.push_back({rs.getString(1), rs.getString(2), rs.getInt64(3)});
        return absl::OkStatus();
      };
      return counted ? ForEachRow(c, sql_text::kAnevRepeatedSubjectsCounted,
                                  {start, as_of, month_text}, read_subject)
                     : ForEachRow(c, sql_text::kAnevRepeatedSubjects,
                                  {start, as_of, MonthStart(period.month - 11), as_of},
                                  read_subject);
    }
    case kStepCount:
      break;
  }
  return absl::InternalError("unknown Anev step");
}

// Appends every row of `from` to `into`.
void AppendData(AnevMonthData& into, AnevMonthData&& from) {
  auto append = [](auto& to, auto& rows) {
    to.insert(to.end(), std::make_move_iterator(rows.begin()),
              std::make_move_iterator(rows.end()));
  };
  append(into.received, from.received);
  append(into.labelled, from.labelled);
  append(into.sp3d_sent, from.sp3d_sent);
  append(into.answers, from.answers);
  append(into.open, from.open);
  append(into.repeated_subjects, from.repeated_subjects);
}

// The rows of each step of one period.
using PeriodSteps = std::array<AnevMonthData, kStepCount>;

// Reads on `c` the steps of every period that the second connection reads
// (`second_connection`), or the others, each step into its own data.
absl::Status ReadSteps(PooledConnection& c, const std::vector<AnevPeriod>& periods,
                       bool second_connection, std::vector<PeriodSteps>& steps) {
  for (size_t p = 0; p < periods.size(); ++p) {
    for (int step = 0; step < kStepCount; ++step) {
      if (kSecondConnectionStep[step] != second_connection) continue;
      steps[p][step] = AnevMonthData{};
      absl::Status status = ReadStep(c, periods[p], static_cast<AnevStep>(step), steps[p][step]);
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

// The binary log position of `c`'s consistent snapshot (kAnevSnapshotPosition);
// nullopt when the binary log is off.
std::optional<std::string> SnapshotPosition(PooledConnection& c) {
  std::string file, offset;
  sql::PreparedStatement& s = c.Statement(sql_text::kAnevSnapshotPosition);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  while (rs->next()) {
    (rs->getString(1) == "BINLOG_SNAPSHOT_FILE" ? file : offset) = rs->getString(2);
  }
  if (file.empty() || offset.empty()) return std::nullopt;
  return absl::StrCat(file, ":", offset);
}

absl::CivilMonth MonthOfDate(absl::CivilDay day) { return absl::CivilMonth(day); }

std::string HexOf(const std::string& bytes) { return absl::BytesToHexString(bytes); }

}  // namespace

absl::StatusOr<std::vector<AnevMonthData>> MySqlStore::ReadAnevData(
    const std::vector<AnevPeriod>& periods, ReadFor read_for) {
  std::vector<PeriodSteps> steps;  // steps[p][s]: the rows of step s of period p
  const absl::Time deadline = CurrentCallDeadline();
  // Read-only: re-running it after a lost connection is harmless.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        steps.assign(periods.size(), PeriodSteps{});
        c.Execute(sql_text::kAnevSnapshotIsolation);
        c.Execute(sql_text::kAnevStartSnapshot);
        // For a request, the second connection's steps are read there when
        // its snapshot is this one (the same binary log position) and a
        // connection is free right now; else here, after the others.
        const std::optional<std::string> position =
            read_for == ReadFor::kRequest ? SnapshotPosition(c) : std::nullopt;
        const ConnectionPoolStats pool = pool_->Stats();
        const bool parallel = position.has_value() &&
                              (pool.idle_connections > 0 ||
                               pool.open_connections < pool.max_connections);
        // Set by the second connection once it has read every step of its
        // own; the thread is joined before `steps` is read or left.
        bool second_done = false;
        std::jthread second;
        if (parallel) {
          second = std::jthread([&] {
            ScopedCallDeadline call(deadline);
            // Its rows go into `read` until every step has been read, so
            // that a failure leaves `steps` to this connection.
            std::vector<PeriodSteps> read(periods.size());
            absl::Status second_status = pool_->RunTransaction(
                [&](PooledConnection& c2) -> absl::StatusOr<TransactionEnd> {
                  c2.Execute(sql_text::kAnevSnapshotIsolation);
                  c2.Execute(sql_text::kAnevStartSnapshot);
                  if (SnapshotPosition(c2) != position) {
                    return absl::FailedPreconditionError("another snapshot");
                  }
                  absl::Status read_status =
                      ReadSteps(c2, periods, /*second_connection=*/true, read);
                  if (!read_status.ok()) return read_status;
                  return TransactionEnd::kRollback;
                },
                /*idempotent=*/true);
            if (!second_status.ok()) return;
            for (size_t p = 0; p < periods.size(); ++p) {
              for (int step = 0; step < kStepCount; ++step) {
                if (kSecondConnectionStep[step]) steps[p][step] = std::move(read[p][step]);
              }
            }
            second_done = true;
          });
        }
        absl::Status read_status = ReadSteps(c, periods, /*second_connection=*/false, steps);
        if (!read_status.ok()) return read_status;
        if (second.joinable()) second.join();
        if (second_done) {
          anev_two_connection_reads_.fetch_add(1, std::memory_order_relaxed);
        } else if (read_status = ReadSteps(c, periods, /*second_connection=*/true, steps);
                   !read_status.ok()) {
          return read_status;
        }
        return TransactionEnd::kRollback;
      },
      /*idempotent=*/true);
  if (!status.ok()) return status;
  std::vector<AnevMonthData> out(periods.size());
  for (size_t p = 0; p < periods.size(); ++p) {
    for (AnevMonthData& step : steps[p]) AppendData(out[p], std::move(step));
  }
  return out;
}

absl::StatusOr<std::vector<FrozenAnevMonth>> MySqlStore::ListFrozenAnevMonths(
    absl::CivilMonth first, absl::CivilMonth last, const std::optional<std::string>& scope) {
  std::vector<FrozenAnevMonth> months;
  const std::string first_text = FormatDate(absl::CivilDay(first));
  const std::string last_text = FormatDate(absl::CivilDay(last));
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    months.clear();
    absl::Status read = ForEachRow(
        c, sql_text::kAnevListFrozenMonths, {first_text, last_text},
        [&](const sql::ResultSet& rs) -> absl::Status {
          absl::StatusOr<absl::CivilDay> month = Day(rs, 1);
          absl::StatusOr<absl::Time> frozen_at = ParseDateTime(rs.getString(3));
          if (!month.ok()) return month.status();
          if (!frozen_at.ok()) return frozen_at.status();
          months.push_back({MonthOfDate(*month), HexOf(rs.getString(2)), *frozen_at, {}, {}});
          return absl::OkStatus();
        });
    if (!read.ok() || months.empty()) return read;
    // Rows of anev_reports exist only with their month's row (one
    // transaction), so each belongs to one of `months`.
    auto month_entry = [&months](absl::CivilMonth month) -> FrozenAnevMonth* {
      for (FrozenAnevMonth& m : months) {
        if (m.month == month) return &m;
      }
      return nullptr;
    };
    read = ForEachRow(c, sql_text::kAnevListFrozenDigests, {first_text, last_text},
                        [&](const sql::ResultSet& rs) -> absl::Status {
                          absl::StatusOr<absl::CivilDay> month = Day(rs, 1);
                          if (!month.ok()) return month.status();
                          if (FrozenAnevMonth* m = month_entry(MonthOfDate(*month))) {
                            m->scope_digests.emplace_back(rs.getString(2),
                                                          HexOf(rs.getString(3)));
                          }
                          return absl::OkStatus();
                        });
    if (!read.ok()) return read;
    sql::PreparedStatement& s = c.Statement(sql_text::kAnevListFrozenBodies);
    s.setString(1, first_text);
    s.setString(2, last_text);
    if (scope.has_value()) {
      s.setString(3, *scope);
      s.setString(4, *scope);
    } else {
      s.setNull(3, sql::DataType::VARCHAR);
      s.setNull(4, sql::DataType::VARCHAR);
    }
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) {
      absl::StatusOr<absl::CivilDay> month = Day(*rs, 1);
      if (!month.ok()) return month.status();
      if (FrozenAnevMonth* m = month_entry(MonthOfDate(*month))) {
        m->bodies.emplace_back(rs->getString(2), rs->getString(3));
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return months;
}

absl::Status MySqlStore::FreezeAnevMonth(absl::CivilMonth month, std::string_view digest,
                                         absl::Time frozen_at,
                                         const std::vector<AnevReportToFreeze>& reports) {
  const std::string month_digest = absl::HexStringToBytes(mysql_store_internal::Absl(digest));
  if (month_digest.size() != kDigestBytes) {
    return absl::InvalidArgumentError("a month's digest is 64 hex digits");
  }
  for (const AnevReportToFreeze& report : reports) {
    if (report.digest.size() != 2 * kDigestBytes || report.scope.empty()) {
      return absl::InvalidArgumentError("a report needs a scope and a 64-hex-digit digest");
    }
  }
  const std::string month_text = FormatDate(absl::CivilDay(month));
  const std::string frozen_text = FormatDateTime(frozen_at);
  const std::shared_ptr<const Keyring> keys = keyring();
  // Idempotent: after an unknown COMMIT outcome, running it again either
  // freezes the month or finds it frozen (ALREADY_EXISTS).
  return pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        sql::PreparedStatement& insert_month = c.Statement(sql_text::kAnevInsertMonth);
        insert_month.setString(1, month_text);
        insert_month.setString(2, month_digest);
        insert_month.setString(3, frozen_text);
        insert_month.executeUpdate();  // a duplicate month throws: ALREADY_EXISTS
        // The transparency log records the month's digest (docs/anev-report.md),
        // so that nobody can swap the frozen reports later.
        absl::StatusOr<int64_t> record = mysql_store_internal::InsertLogRecord(
            c, *keys,
            LogRecord{.kind = "ANEV_REPORT",
                      .name = absl::StrCat("reports/", AnevMonthText(month)),
                      .time = absl::FromUnixMicros(absl::ToUnixMicros(frozen_at)),
                      .digest = month_digest});
        if (!record.ok()) return record.status();
        for (const AnevReportToFreeze& report : reports) {
          sql::PreparedStatement& insert = c.Statement(sql_text::kAnevInsertReport);
          insert.setString(1, month_text);
          insert.setString(2, report.scope);
          insert.setString(3, absl::HexStringToBytes(report.digest));
          insert.setString(4, report.body);
          insert.executeUpdate();
        }
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
}

absl::Status MySqlStore::MakeAnevSubjectWindow(absl::CivilMonth month, absl::Time now) {
  const std::string month_text = FormatDate(absl::CivilDay(month));
  const std::string made_at = FormatDateTime(now);
  const std::string window_start = MonthStart(month - 11);
  const std::string month_start = MonthStart(month);
  // Idempotent: after an unknown COMMIT outcome, running it again either
  // makes the counts or finds them made.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        sql::PreparedStatement& made = c.Statement(sql_text::kAnevSubjectWindowMade);
        made.setString(1, month_text);
        if (std::unique_ptr<sql::ResultSet> rs(made.executeQuery()); rs->next()) {
          return TransactionEnd::kRollback;  // made already
        }
        sql::PreparedStatement& insert_month = c.Statement(sql_text::kAnevInsertSubjectWindowMonth);
        insert_month.setString(1, month_text);
        insert_month.setString(2, made_at);
        insert_month.executeUpdate();  // made already: ALREADY_EXISTS
        sql::PreparedStatement& insert = c.Statement(sql_text::kAnevInsertSubjectWindow);
        insert.setString(1, month_text);
        insert.setString(2, window_start);
        insert.setString(3, month_start);
        insert.executeUpdate();
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
  if (absl::IsAlreadyExists(status)) return absl::OkStatus();
  return status;
}

absl::StatusOr<std::optional<absl::CivilMonth>> MySqlStore::EarliestComplaintMonth() {
  std::optional<absl::CivilMonth> earliest;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kAnevEarliestComplaint);
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    earliest.reset();
    if (!rs->next() || rs->isNull(1)) return absl::OkStatus();
    absl::StatusOr<absl::Time> time = ParseDateTime(rs->getString(1));
    if (!time.ok()) return time.status();
    earliest = AnevMonthOf(*time);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return earliest;
}

}  // namespace dumas
