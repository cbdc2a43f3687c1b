#include "domain/anev_figures.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "domain/string_view_interop.h"

namespace dumas {
namespace {

constexpr std::string_view kMagic = "dumas-anev/v1";
constexpr std::string_view kMonthMagic = "dumas-anev-month/v1";
constexpr char kSuppressed[] = "*";

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed stored Anev report: ", ToAbsl(what)));
}

// The lines of `text`, each without its newline; the last line must end in one.
absl::StatusOr<std::vector<std::string_view>> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return Malformed("a line without a newline");
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (absl::string_view field : absl::StrSplit(ToAbsl(line), '\t')) {
    fields.emplace_back(field.data(), field.size());
  }
  return fields;
}

}  // namespace

std::optional<int64_t> AnevTable::Value(std::string_view key, std::string_view column) const {
  const AnevRow* row = Row(key);
  if (row == nullptr) return std::nullopt;
  for (size_t i = 0; i < columns.size() && i < row->values.size(); ++i) {
    if (columns[i] == column) return row->values[i];
  }
  return std::nullopt;
}

const AnevRow* AnevTable::Row(std::string_view key) const {
  for (const AnevRow& row : rows) {
    if (row.key == key) return &row;
  }
  return nullptr;
}

std::string AnevUnitScope(std::string_view unit_id) {
  return absl::StrCat("units/", ToAbsl(unit_id));
}

const AnevTable* AnevFigures::Table(std::string_view id) const {
  for (const AnevTable& table : tables) {
    if (table.id == id) return &table;
  }
  return nullptr;
}

AnevTable* AnevFigures::MutableTable(std::string_view id) {
  for (AnevTable& table : tables) {
    if (table.id == id) return &table;
  }
  return nullptr;
}

std::string AnevMonthText(absl::CivilMonth month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

std::optional<absl::CivilMonth> ParseAnevMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int year = 0;
  int month = 0;
  for (size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  if (!absl::SimpleAtoi(ToAbsl(text.substr(0, 4)), &year) ||
      !absl::SimpleAtoi(ToAbsl(text.substr(5, 2)), &month) || month < 1 || month > 12) {
    return std::nullopt;
  }
  return absl::CivilMonth(year, month);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string hex(2 * sizeof digest + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();  // the terminating NUL
  return hex;
}

std::string AnevRowsText(const AnevTable& table) {
  std::string text;
  for (const AnevRow& row : table.rows) {
    text.append(row.key);
    for (const std::optional<int64_t>& value : row.values) {
      text.push_back('\t');
      if (value.has_value()) {
        absl::StrAppend(&text, *value);
      } else {
        text.append(kSuppressed);
      }
    }
    text.push_back('\n');
  }
  return text;
}

std::string AnevRowsSha256(const AnevTable& table) { return Sha256Hex(AnevRowsText(table)); }

std::string AnevCanonicalText(const AnevFigures& figures) {
  std::string text = absl::StrCat(ToAbsl(kMagic), "\n", "month\t", AnevMonthText(figures.month),
                                  "\n", "scope\t", figures.scope, "\n", "as_of\t",
                                  absl::ToUnixMicros(figures.as_of), "\n");
  for (const AnevTable& table : figures.tables) {
    absl::StrAppend(&text, "table\t", table.id, "\t", absl::StrJoin(table.columns, ","), "\t",
                    AnevRowsSha256(table), "\n");
  }
  return text;
}

std::string AnevDigest(const AnevFigures& figures) {
  return Sha256Hex(AnevCanonicalText(figures));
}

std::string AnevStoredForm(const AnevFigures& figures) {
  std::string stored = AnevCanonicalText(figures);
  for (const AnevTable& table : figures.tables) {
    absl::StrAppend(&stored, "rows\t", table.id, "\t", table.rows.size(), "\n",
                    AnevRowsText(table));
  }
  return stored;
}

absl::StatusOr<AnevFigures> ParseAnevStoredForm(std::string_view stored) {
  absl::StatusOr<std::vector<std::string_view>> lines = Lines(stored);
  if (!lines.ok()) return lines.status();
  const std::vector<std::string_view>& in = *lines;
  if (in.size() < 4 || in[0] != kMagic) return Malformed("no header");
  AnevFigures figures;
  std::vector<std::string_view> header = Fields(in[1]);
  std::optional<absl::CivilMonth> month;
  if (header.size() != 2 || header[0] != "month" ||
      !(month = ParseAnevMonth(header[1])).has_value()) {
    return Malformed("month");
  }
  figures.month = *month;
  header = Fields(in[2]);
  if (header.size() != 2 || header[0] != "scope" || header[1].empty()) return Malformed("scope");
  figures.scope = std::string(header[1]);
  header = Fields(in[3]);
  int64_t as_of = 0;
  if (header.size() != 2 || header[0] != "as_of" ||
      !absl::SimpleAtoi(ToAbsl(header[1]), &as_of)) {
    return Malformed("as_of");
  }
  figures.as_of = absl::FromUnixMicros(as_of);

  size_t i = 4;
  std::vector<std::string> digests;
  for (; i < in.size() && in[i].substr(0, 6) == "table\t"; ++i) {
    const std::vector<std::string_view> fields = Fields(in[i]);
    if (fields.size() != 4 || fields[1].empty()) return Malformed("a table line");
    AnevTable table;
    table.id = std::string(fields[1]);
    if (!fields[2].empty()) {
      for (absl::string_view column : absl::StrSplit(ToAbsl(fields[2]), ',')) {
        table.columns.emplace_back(column);
      }
    }
    digests.emplace_back(fields[3]);
    figures.tables.push_back(std::move(table));
  }
  for (size_t t = 0; t < figures.tables.size(); ++t) {
    AnevTable& table = figures.tables[t];
    if (i >= in.size()) return Malformed("missing rows");
    const std::vector<std::string_view> fields = Fields(in[i++]);
    int64_t count = 0;
    if (fields.size() != 3 || fields[0] != "rows" || fields[1] != table.id ||
        !absl::SimpleAtoi(ToAbsl(fields[2]), &count) || count < 0 ||
        static_cast<size_t>(count) > in.size() - i) {
      return Malformed("a rows line");
    }
    for (int64_t r = 0; r < count; ++r) {
      const std::vector<std::string_view> cells = Fields(in[i++]);
      if (cells.size() != table.columns.size() + 1) return Malformed("a row's width");
      AnevRow row;
      row.key = std::string(cells[0]);
      for (size_t c = 1; c < cells.size(); ++c) {
        if (cells[c] == kSuppressed) {
          row.values.push_back(std::nullopt);
          continue;
        }
        int64_t value = 0;
        if (!absl::SimpleAtoi(ToAbsl(cells[c]), &value)) return Malformed("a value");
        row.values.push_back(value);
      }
      table.rows.push_back(std::move(row));
    }
    if (AnevRowsSha256(table) != digests[t]) {
      return absl::DataLossError(
          absl::StrCat("stored Anev report: the rows of table ", table.id,
                       " do not match their digest"));
    }
  }
  if (i != in.size()) return Malformed("trailing lines");
  // Serializing again must give the same bytes: nothing was ambiguous.
  if (AnevStoredForm(figures) != stored) return Malformed("not in canonical form");
  return figures;
}

std::string AnevMonthDigest(absl::CivilMonth month,
                            std::vector<std::pair<std::string, std::string>> scopes) {
  std::sort(scopes.begin(), scopes.end());
  std::string text = absl::StrCat(ToAbsl(kMonthMagic), "\n", "month\t", AnevMonthText(month), "\n");
  for (const auto& [scope, digest] : scopes) absl::StrAppend(&text, scope, "\t", digest, "\n");
  return Sha256Hex(text);
}

}  // namespace dumas
