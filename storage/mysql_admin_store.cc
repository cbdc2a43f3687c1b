// MySqlStore, part 3: AdminStore (principals and their tokens, units,
// categories, routing rules, the holiday calendar and its settings) and
// principal creation.
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <sodium.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/certificate_identity.h"
#include "storage/mysql_store.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas {
namespace {

using TransactionEnd = ConnectionPool::TransactionEnd;
using mysql_store_internal::Absl;
using mysql_store_internal::NoParameters;
using mysql_store_internal::QueryRows;
using mysql_store_internal::FormatDate;
using mysql_store_internal::FormatDateTime;
using mysql_store_internal::IsAscii;
using mysql_store_internal::kMaxListLimit;
using mysql_store_internal::ParseDate;
using mysql_store_internal::ParseDateTime;
using mysql_store_internal::ReadPrincipal;
using mysql_store_internal::Sha256;
using mysql_store_internal::Sql;
using mysql_store_internal::TruncateToMicros;
using mysql_store_internal::Utf8Chars;

constexpr int kTokenRandomBytes = 32;
constexpr size_t kMaxIdBytes = 64;        // ids of units and categories (ASCII)
constexpr size_t kMaxNameChars = 200;     // display names
constexpr size_t kMaxPrincipalNameChars = 128;

// An id of reference data: 1-64 printable ASCII characters.
bool ValidId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdBytes && IsAscii(id);
}

bool ValidName(std::string_view name) {
  return !name.empty() && Utf8Chars(name) <= kMaxNameChars;
}

// units.kind of a new unit, from the id's conventional prefix.
const char* UnitKind(std::string_view id) {
  const absl::string_view a = Absl(id);
  if (absl::StartsWith(a, "polsek-")) return "POLSEK";
  if (absl::StartsWith(a, "sat-")) return "SATUAN";
  if (absl::StartsWith(a, "bag-")) return "BAGIAN";
  if (absl::StartsWith(a, "si-")) return "SEKSI";
  if (a == "spkt") return "SPKT";
  return "SATUAN";
}

// The kind stored for a holiday: one given without a kind is a national one.
HolidayKind StoredKind(HolidayKind kind) {
  return kind == HolidayKind::kUnspecified ? HolidayKind::kLiburNasional : kind;
}

// Reads (day, name, kind) from column 1 on.
absl::StatusOr<Holiday> ReadHoliday(const sql::ResultSet& rs) {
  absl::StatusOr<absl::CivilDay> day = ParseDate(rs.getString(1));
  if (!day.ok()) return day.status();
  const int kind = rs.getInt(3);
  if (kind < 1 || kind > kMaxHolidayKind) {
    return absl::InternalError("the database holds a holiday of unknown kind");
  }
  return Holiday{*day, rs.getString(2).asStdString(), static_cast<HolidayKind>(kind)};
}

// The settings row and the loaded years. Throws sql::SQLException.
absl::StatusOr<CalendarSettings> ReadCalendarSettings(PooledConnection& c) {
  CalendarSettings settings;
  {
    std::unique_ptr<sql::ResultSet> rs(
        c.Statement(sql_text::kSelectCalendarSettings).executeQuery());
    if (!rs->next()) {
      return absl::InternalError("calendar_settings has no row; run the migrations");
    }
    settings.skip_cuti_bersama = rs->getBoolean(1);
    absl::StatusOr<absl::Time> updated = ParseDateTime(rs->getString(2));
    if (!updated.ok()) return updated.status();
    settings.update_time = *updated;
  }
  std::unique_ptr<sql::ResultSet> rs(c.Statement(sql_text::kListLoadedYears).executeQuery());
  while (rs->next()) settings.loaded_years.push_back(rs->getInt(1));
  return settings;
}

// A new bearer token: 256 random bits, URL-safe base64 without padding.
std::string NewToken() {
  unsigned char random[kTokenRandomBytes];
  randombytes_buf(random, sizeof random);
  std::string token(
      sodium_base64_ENCODED_LEN(sizeof random, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(token.data(), token.size(), random, sizeof random,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(random, sizeof random);
  token.resize(token.find('\0'));  // 43 characters
  return token;
}

}  // namespace

absl::StatusOr<std::pair<Principal, std::string>> MySqlStore::CreatePrincipalWithToken(
    const Principal& principal) {
  const std::string& name = principal.name;
  if (name.empty() || Utf8Chars(name) > kMaxPrincipalNameChars) {
    return absl::InvalidArgumentError("name must be 1-128 characters");
  }
  const int role_value = static_cast<int>(principal.role);
  if (role_value < 1 || role_value > kMaxRole) {
    return absl::InvalidArgumentError("role is not a known role");
  }
  if (principal.unit_id.size() > kMaxIdBytes || !IsAscii(principal.unit_id)) {
    return absl::InvalidArgumentError("unit_id names no unit");
  }
  if (principal.role == Role::kUnit && principal.unit_id.empty()) {
    return absl::InvalidArgumentError("a UNIT principal needs a unit_id");
  }
  if (principal.role == Role::kGateway && principal.channels.empty()) {
    return absl::InvalidArgumentError("a GATEWAY principal serves one or more channels");
  }
  if (principal.role != Role::kGateway && !principal.channels.empty()) {
    return absl::InvalidArgumentError("only a GATEWAY principal serves channels");
  }
  if (!principal.certificate_identity.empty()) {
    absl::StatusOr<std::string> canonical =
        CanonicalCertificateIdentity(principal.certificate_identity);
    if (!canonical.ok()) return canonical.status();
    if (*canonical != principal.certificate_identity) {
      return absl::InvalidArgumentError("the certificate identity is not in its canonical form");
    }
  } else if (!principal.token_required) {
    return absl::InvalidArgumentError(
        "a principal without a certificate identity authenticates by its token");
  }
  // A principal that authenticates by certificate alone gets a token nobody
  // ever sees: the column wants one, and it can never be presented.
  std::string token = NewToken();
  const std::string digest = Sha256(token);
  const absl::Time now = TruncateToMicros(absl::Now());

  Principal stored;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kInsertPrincipal);
    s.setString(1, name);
    s.setString(2, std::string(RoleName(principal.role)));
    if (principal.unit_id.empty()) {
      s.setNull(3, sql::DataType::VARCHAR);
    } else {
      s.setString(3, principal.unit_id);
    }
    s.setInt64(4, principal.channels.mask());
    s.setString(5, digest);
    s.setString(6, FormatDateTime(now));
    if (principal.certificate_identity.empty()) {
      s.setNull(7, sql::DataType::VARCHAR);
    } else {
      s.setString(7, principal.certificate_identity);
    }
    s.setBoolean(8, principal.token_required);
    try {
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      if (!rs->next()) return absl::InternalError("the principal insert returned no id");
      stored.id = rs->getInt64(1);
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() == kErDupEntry && DuplicateKeyName(e) == "uq_principals_active_cert") {
        return absl::AlreadyExistsError(
            "an active principal is bound to this certificate identity");
      }
      if (e.getErrorCode() == kErDupEntry) {
        return absl::AlreadyExistsError("an active principal of this name exists");
      }
      if (e.getErrorCode() == kErNoReferencedRow) {
        return absl::InvalidArgumentError("unit_id names no unit");
      }
      throw;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    sodium_memzero(token.data(), token.size());
    return status;
  }
  stored.name = name;
  stored.role = principal.role;
  stored.unit_id = principal.unit_id;
  stored.channels = principal.channels;
  stored.certificate_identity = principal.certificate_identity;
  stored.token_required = principal.token_required;
  stored.create_time = now;
  if (!principal.token_required) {
    sodium_memzero(token.data(), token.size());
    token.clear();
  }
  return std::make_pair(std::move(stored), std::move(token));
}

absl::StatusOr<std::vector<Principal>> MySqlStore::ListPrincipals(int64_t after_id, int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit must be at least 1");
  return QueryRows<Principal>(
      *pool_, sql_text::kListPrincipals,
      [&](sql::PreparedStatement& s) {
        s.setInt64(1, after_id);
        s.setInt(2, std::min(limit, kMaxListLimit));
      },
      ReadPrincipal);
}

absl::StatusOr<Principal> MySqlStore::RevokePrincipalById(int64_t id) {
  const std::string now_text = FormatDateTime(absl::Now());
  std::optional<Principal> revoked;
  // Not idempotent: a re-run after an unknown COMMIT outcome would find the
  // principal revoked already and answer NOT_FOUND.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        revoked.reset();
        sql::PreparedStatement& update = c.Statement(sql_text::kRevokePrincipalById);
        update.setString(1, now_text);
        update.setInt64(2, id);
        if (update.executeUpdate() == 0) return TransactionEnd::kRollback;
        sql::PreparedStatement& select = c.Statement(sql_text::kSelectPrincipalById);
        select.setInt64(1, id);
        std::unique_ptr<sql::ResultSet> rs(select.executeQuery());
        if (!rs->next()) return absl::InternalError("a revoked principal vanished");
        absl::StatusOr<Principal> p = ReadPrincipal(*rs);
        if (!p.ok()) return p.status();
        revoked = *std::move(p);
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/false);
  if (!status.ok()) return status;
  if (!revoked.has_value()) return absl::NotFoundError("no active principal has this id");
  return *std::move(revoked);
}

absl::Status MySqlStore::RevokePrincipal(std::string_view name) {
  const std::string now_text = FormatDateTime(absl::Now());
  int updated = 0;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kRevokePrincipal);
    s.setString(1, now_text);
    s.setString(2, Sql(name));
    updated = s.executeUpdate();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (updated == 0) return absl::NotFoundError("no active principal has this name");
  return absl::OkStatus();
}

absl::Status MySqlStore::CreateUnit(const Unit& unit) {
  if (!ValidId(unit.id)) return absl::InvalidArgumentError("unit id must be 1-64 ASCII characters");
  if (!ValidName(unit.display_name)) {
    return absl::InvalidArgumentError("display_name must be 1-200 characters");
  }
  return pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kInsertUnit);
    s.setString(1, unit.id);
    s.setString(2, unit.display_name);
    s.setString(3, UnitKind(unit.id));
    try {
      s.executeUpdate();
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() == kErDupEntry) {
        return absl::AlreadyExistsError("a unit with this id exists");
      }
      throw;
    }
    return absl::OkStatus();
  });
}

absl::Status MySqlStore::CreateCategory(const Category& category) {
  if (!ValidId(category.id)) {
    return absl::InvalidArgumentError("category id must be 1-64 ASCII characters");
  }
  if (!ValidName(category.indonesian_name)) {
    return absl::InvalidArgumentError("indonesian_name must be 1-200 characters");
  }
  if (!ValidName(category.english_name)) {
    return absl::InvalidArgumentError("english_name must be 1-200 characters");
  }
  return pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kInsertCategory);
    s.setString(1, category.id);
    s.setString(2, category.indonesian_name);
    s.setString(3, category.english_name);
    try {
      s.executeUpdate();
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() == kErDupEntry) {
        return absl::AlreadyExistsError("a category with this id exists");
      }
      throw;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<RoutingRule>> MySqlStore::ListRoutingRules() {
  return QueryRows<RoutingRule>(
      *pool_, sql_text::kListRoutingRules, NoParameters,
      [](const sql::ResultSet& rs) -> absl::StatusOr<RoutingRule> {
        return RoutingRule{rs.getString(1).asStdString(), rs.getString(2).asStdString()};
      });
}

absl::Status MySqlStore::SetRoutingRule(const RoutingRule& rule) {
  if (!ValidId(rule.category_id)) return absl::InvalidArgumentError("category_id names no category");
  if (!ValidId(rule.unit_id)) return absl::InvalidArgumentError("unit_id names no unit");
  const std::string now_text = FormatDateTime(absl::Now());
  return pool_->Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& s = c.Statement(sql_text::kUpsertRoutingRule);
    s.setString(1, rule.category_id);
    s.setString(2, rule.unit_id);
    s.setString(3, now_text);
    try {
      s.executeUpdate();
    } catch (const sql::SQLException& e) {
      const std::string_view constraint = ForeignKeyConstraintName(e);
      if (constraint == "fk_routing_rules_category") {
        return absl::InvalidArgumentError("category_id names no category");
      }
      if (constraint == "fk_routing_rules_unit") {
        return absl::InvalidArgumentError("unit_id names no unit");
      }
      throw;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Holiday>> MySqlStore::ListHolidays(int year) {
  if (year < 1000 || year > 9998) return absl::InvalidArgumentError("year is out of range");
  std::vector<Holiday> holidays;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    holidays.clear();
    sql::PreparedStatement& s = c.Statement(sql_text::kListHolidaysBetween);
    s.setString(1, FormatDate(absl::CivilDay(year, 1, 1)));
    s.setString(2, FormatDate(absl::CivilDay(year + 1, 1, 1)));
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) {
      absl::StatusOr<Holiday> holiday = ReadHoliday(*rs);
      if (!holiday.ok()) return holiday.status();
      holidays.push_back(*std::move(holiday));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return holidays;
}

absl::Status MySqlStore::SetHolidays(int year, const std::vector<Holiday>& holidays) {
  if (year < 1000 || year > 9998) return absl::InvalidArgumentError("year is out of range");
  absl::flat_hash_set<absl::CivilDay> days;
  for (const Holiday& holiday : holidays) {
    if (holiday.day.year() != year) {
      return absl::InvalidArgumentError("a holiday lies outside the year");
    }
    if (!days.insert(holiday.day).second) {
      return absl::InvalidArgumentError("a day is listed twice");
    }
    if (!ValidName(holiday.name)) {
      return absl::InvalidArgumentError("a holiday's name must be 1-200 characters");
    }
    const int kind = static_cast<int>(holiday.kind);
    if (kind < 0 || kind > kMaxHolidayKind) {
      return absl::InvalidArgumentError("a holiday's kind is not a HolidayKind");
    }
  }
  const std::string now_text = FormatDateTime(absl::Now());
  // Re-running the whole transaction after an unknown COMMIT outcome leaves
  // the same calendar: idempotent.
  return pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        sql::PreparedStatement& remove = c.Statement(sql_text::kDeleteHolidaysBetween);
        remove.setString(1, FormatDate(absl::CivilDay(year, 1, 1)));
        remove.setString(2, FormatDate(absl::CivilDay(year + 1, 1, 1)));
        remove.executeUpdate();
        for (const Holiday& holiday : holidays) {
          sql::PreparedStatement& insert = c.Statement(sql_text::kInsertHoliday);
          insert.setString(1, FormatDate(holiday.day));
          insert.setString(2, holiday.name);
          insert.setInt(3, static_cast<int>(StoredKind(holiday.kind)));
          insert.executeUpdate();
        }
        sql::PreparedStatement& loaded = c.Statement(sql_text::kMarkYearLoaded);
        loaded.setInt(1, year);
        loaded.setString(2, now_text);
        loaded.executeUpdate();
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
}

absl::StatusOr<CalendarSettings> MySqlStore::GetCalendarSettings() {
  CalendarSettings settings;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    absl::StatusOr<CalendarSettings> read = ReadCalendarSettings(c);
    if (!read.ok()) return read.status();
    settings = *std::move(read);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return settings;
}

absl::StatusOr<CalendarSettings> MySqlStore::SetSkipCutiBersama(bool skip_cuti_bersama) {
  const std::string now_text = FormatDateTime(TruncateToMicros(absl::Now()));
  CalendarSettings settings;
  // Setting the same value again leaves the same settings: idempotent.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        sql::PreparedStatement& update = c.Statement(sql_text::kUpdateSkipCutiBersama);
        update.setBoolean(1, skip_cuti_bersama);
        update.setString(2, now_text);
        update.executeUpdate();
        absl::StatusOr<CalendarSettings> read = ReadCalendarSettings(c);
        if (!read.ok()) return read.status();
        settings = *std::move(read);
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
  if (!status.ok()) return status;
  return settings;
}

absl::StatusOr<StoredCalendar> MySqlStore::LoadCalendar() {
  StoredCalendar calendar;
  absl::Status status = pool_->Run([&](PooledConnection& c) -> absl::Status {
    calendar = StoredCalendar{};
    {
      std::unique_ptr<sql::ResultSet> rs(c.Statement(sql_text::kListAllHolidays).executeQuery());
      while (rs->next()) {
        absl::StatusOr<Holiday> holiday = ReadHoliday(*rs);
        if (!holiday.ok()) return holiday.status();
        calendar.holidays.push_back(*std::move(holiday));
      }
    }
    absl::StatusOr<CalendarSettings> settings = ReadCalendarSettings(c);
    if (!settings.ok()) return settings.status();
    calendar.settings = *std::move(settings);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return calendar;
}

}  // namespace dumas
