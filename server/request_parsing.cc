#include "server/request_parsing.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "domain/complaint.h"
#include "domain/complaint_validation.h"
#include "domain/reference_number.h"
#include "domain/string_view_interop.h"

namespace dumas {
namespace {

// `text` as a decimal int64 in the one spelling StrCat writes: no sign but a
// '-' of a negative number, no leading zeros, no spaces.
std::optional<int64_t> CanonicalInt64(absl::string_view text) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || absl::StrCat(value) != text) return std::nullopt;
  return value;
}

}  // namespace

std::optional<PageRequest> ParsePage(absl::string_view scope, int32_t page_size,
                                     absl::string_view page_token, PageLimits limits,
                                     FieldViolations& violations) {
  PageRequest page;
  bool valid = true;
  if (page_size < 0) {
    violations.Add("page_size", "must not be negative");
    valid = false;
  } else {
    page.size = page_size == 0 ? limits.default_size : std::min<int>(page_size, limits.max_size);
  }
  if (!page_token.empty()) {
    std::string decoded;
    const std::string prefix = absl::StrCat(scope, "|");
    if (!absl::WebSafeBase64Unescape(page_token, &decoded) ||
        !absl::StartsWith(decoded, prefix)) {
      violations.Add("page_token", "is not a page token returned by this method for these filters");
      valid = false;
    } else {
      page.after = decoded.substr(prefix.size());
    }
  }
  if (!valid) return std::nullopt;
  return page;
}

std::string EncodePageToken(absl::string_view scope, absl::string_view cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat(scope, "|", cursor));
}

std::optional<int64_t> ParseIdCursor(absl::string_view cursor) { return CanonicalInt64(cursor); }

std::string IdCursor(int64_t id) { return absl::StrCat(id); }

std::optional<ComplaintCursor> ParseComplaintCursor(absl::string_view cursor) {
  const size_t colon = cursor.find(':');
  if (colon == absl::string_view::npos) return std::nullopt;
  const std::optional<int64_t> micros = CanonicalInt64(cursor.substr(0, colon));
  const std::optional<int64_t> id = CanonicalInt64(cursor.substr(colon + 1));
  if (!micros.has_value() || !id.has_value()) return std::nullopt;
  return ComplaintCursor{absl::FromUnixMicros(*micros), *id};
}

std::string ComplaintCursorText(const ComplaintCursor& cursor) {
  return absl::StrCat(absl::ToUnixMicros(cursor.create_time), ":", cursor.id);
}

absl::StatusOr<std::string> ComplaintReference(absl::string_view field, absl::string_view name) {
  constexpr absl::string_view kPrefix = "complaints/";
  if (name.empty()) return InvalidField(std::string(field), "is required");
  std::optional<std::string> reference;
  if (absl::StartsWith(name, kPrefix)) {
    reference = ReferenceNumber::Canonicalize(ToStd(name.substr(kPrefix.size())));
  }
  if (!reference.has_value()) {
    return InvalidField(std::string(field),
                        "must be complaints/{reference_number}, such as "
                        "complaints/K7QM-4R9X-2HTZ");
  }
  return *std::move(reference);
}

std::optional<int64_t> NumberedResourceId(absl::string_view collection, absl::string_view name) {
  if (!absl::ConsumePrefix(&name, collection) || !absl::ConsumePrefix(&name, "/")) {
    return std::nullopt;
  }
  const std::optional<int64_t> id = CanonicalInt64(name);
  if (!id.has_value() || *id <= 0) return std::nullopt;
  return id;
}

std::optional<ComplaintFilter> ParseComplaintFilter(const ComplaintListQuery& query,
                                                    absl::CivilDay today,
                                                    FieldViolations& violations) {
  const size_t violations_before = violations.violations().size();
  ComplaintFilter filter;
  for (size_t i = 0; i < query.states.size(); ++i) {
    const int state = query.states[i];
    if (state <= 0 || state > kMaxComplaintState) {
      violations.Add(absl::StrCat("states[", i, "]"),
                     "must be a ComplaintState other than UNSPECIFIED");
    } else {
      filter.states.push_back(static_cast<ComplaintState>(state));
    }
  }
  if (!query.category.empty()) {
    if (const std::optional<std::string> id = ResourceId("categories", query.category)) {
      filter.category_id = *id;
    } else {
      violations.Add("category", "must be categories/{category_id}");
    }
  }
  if (query.channel < 0 || query.channel > kMaxChannel) {
    violations.Add("channel", "is not a Channel value");
  } else {
    filter.channel = static_cast<Channel>(query.channel);
  }
  const auto unit_filter = [&](const char* field, const std::string& value, std::string& into) {
    if (value.empty()) return;
    if (const std::optional<std::string> id = ResourceId("units", value)) {
      into = *id;
    } else {
      violations.Add(field, "must be units/{unit_id}");
    }
  };
  unit_filter("handling_unit", query.handling_unit, filter.handling_unit_id);
  unit_filter("subject_unit", query.subject_unit, filter.subject_unit_id);
  const auto time_filter = [&](const char* field, const std::optional<absl::Time>& value,
                               std::optional<absl::Time>& into) {
    if (!value.has_value()) return;
    if (*value == absl::InfinitePast()) {
      violations.Add(field, "is not a valid timestamp");
    } else {
      into = *value;
    }
  };
  time_filter("received_after", query.received_after, filter.received_after);
  time_filter("received_before", query.received_before, filter.received_before);
  filter.overdue_only = query.overdue;
  filter.today = today;
  if (violations.violations().size() != violations_before) return std::nullopt;
  return filter;
}

}  // namespace dumas
