// The figures of a monthly analysis-and-evaluation report (Anev) as tables,
// and their canonical serialization, digest and stored form
// (docs/anev-report.md). Plain C++: no gRPC, no protobuf, no SQL.
//
// A report of one month and one scope (the resort, one handling unit, or the
// public variant) is a list of tables. Each table has an id, named columns
// and rows; a row has a key and one integer per column, or a suppressed value
// in the public variant. The digest of a report covers every table through
// the SHA-256 of its rows, so a table's rows may be withheld from a reader
// (the officers' names) while the digest stays verifiable.
#ifndef DUMAS_DOMAIN_ANEV_FIGURES_H_
#define DUMAS_DOMAIN_ANEV_FIGURES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace dumas {

// One row of a table: its key (a resource name such as `units/propam`, an
// enum value name such as `CHANNEL_WEB`, or a label such as `0-20`) and one
// value per column; nullopt is a value suppressed in the public variant.
struct AnevRow {
  std::string key;
  std::vector<std::optional<int64_t>> values;

  friend bool operator==(const AnevRow&, const AnevRow&) = default;
};

struct AnevTable {
  std::string id;
  std::vector<std::string> columns;
  std::vector<AnevRow> rows;

  // The value of (key, column); nullopt when the row or column is absent or
  // the value suppressed.
  std::optional<int64_t> Value(std::string_view key, std::string_view column) const;
  // The row with this key, or nullptr.
  const AnevRow* Row(std::string_view key) const;

  friend bool operator==(const AnevTable&, const AnevTable&) = default;
};

// The scope of a report: the whole resort, one handling unit, or the public
// variant of the resort's report.
inline constexpr std::string_view kAnevScopeResort = "resort";
inline constexpr std::string_view kAnevScopePublic = "public";
// "units/{unit_id}".
std::string AnevUnitScope(std::string_view unit_id);

// The figures of one month and scope, as at one instant.
struct AnevFigures {
  absl::CivilMonth month;
  std::string scope;
  absl::Time as_of;  // the end of the month for a closed month, else the time computed
  std::vector<AnevTable> tables;

  const AnevTable* Table(std::string_view id) const;
  AnevTable* MutableTable(std::string_view id);

  friend bool operator==(const AnevFigures&, const AnevFigures&) = default;
};

// "2026-03".
std::string AnevMonthText(absl::CivilMonth month);
// The month of "YYYY-MM"; nullopt for anything else.
std::optional<absl::CivilMonth> ParseAnevMonth(std::string_view text);

// The rows of a table in canonical form: per row, the key and each value
// (decimal, `*` when suppressed) separated by tabs, ending in a newline.
std::string AnevRowsText(const AnevTable& table);
// SHA-256 of AnevRowsText, as 64 lower-case hex digits.
std::string AnevRowsSha256(const AnevTable& table);

// The canonical serialization of a report (docs/anev-report.md):
//   dumas-anev/v1
//   month <TAB> YYYY-MM
//   scope <TAB> resort | public | units/{id}
//   as_of <TAB> microseconds since 1970-01-01T00:00:00Z
//   table <TAB> id <TAB> column,column,... <TAB> rows SHA-256 (hex)   per table
// each line ending in a newline.
std::string AnevCanonicalText(const AnevFigures& figures);
// SHA-256 of AnevCanonicalText, as 64 lower-case hex digits: the report's
// digest.
std::string AnevDigest(const AnevFigures& figures);

// The stored form: the canonical text, then per table a line
// `rows <TAB> id <TAB> count` and that many rows. ParseAnevStoredForm reads it
// back, checking every table's rows against its digest; INVALID_ARGUMENT for
// anything else (DATA_LOSS when a digest does not match).
std::string AnevStoredForm(const AnevFigures& figures);
absl::StatusOr<AnevFigures> ParseAnevStoredForm(std::string_view stored);

// The digest of a frozen month: SHA-256 (hex) of
//   dumas-anev-month/v1
//   month <TAB> YYYY-MM
//   <scope> <TAB> <report digest>     per scope, in byte order of the scope
// each line ending in a newline. `scopes` are (scope, digest) pairs.
std::string AnevMonthDigest(absl::CivilMonth month,
                            std::vector<std::pair<std::string, std::string>> scopes);

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_ANEV_FIGURES_H_
