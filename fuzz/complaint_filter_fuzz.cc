// The filters of ListComplaints (server/request_parsing.h): a filter comes
// back exactly when no violation was added; each violation names a filter
// field and never repeats its value; an accepted filter holds only values
// the store can match (states and channel in range, ids of [a-z0-9-]).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/complaint_validation.h"
#include "domain/field_violations.h"
#include "fuzz/fuzz_support.h"
#include "server/request_parsing.h"

namespace dumas {
namespace {

bool IsFilterField(const std::string& field, size_t states) {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "category", "channel", "handling_unit", "subject_unit", "received_after",
      "received_before"};
  if (fields->contains(field)) return true;
  for (size_t i = 0; i < states; ++i) {
    if (field == absl::StrCat("states[", i, "]")) return true;
  }
  return false;
}

void Check(const ComplaintListQuery& query, absl::CivilDay today) {
  FieldViolations violations;
  const std::optional<ComplaintFilter> filter = ParseComplaintFilter(query, today, violations);
  DUMAS_FUZZ_CHECK(filter.has_value() == violations.empty(),
                   "a filter came back with violations, or none without");
  for (const FieldViolation& v : violations.violations()) {
    DUMAS_FUZZ_CHECK(IsFilterField(v.field, query.states.size()),
                     "a violation names no filter field");
    for (const std::string& value : {query.category, query.handling_unit, query.subject_unit}) {
      DUMAS_FUZZ_CHECK(!fuzz::Repeats(v.description, value),
                       "a violation repeats a filter's value");
    }
  }
  if (!filter.has_value()) return;
  DUMAS_FUZZ_CHECK(filter->states.size() == query.states.size(), "a state filter was dropped");
  for (ComplaintState state : filter->states) {
    const int value = static_cast<int>(state);
    DUMAS_FUZZ_CHECK(value >= 1 && value <= kMaxComplaintState, "a state out of range passed");
  }
  const int channel = static_cast<int>(filter->channel);
  DUMAS_FUZZ_CHECK(channel >= 0 && channel <= kMaxChannel, "a channel out of range passed");
  const auto same_id = [](std::string_view collection, const std::string& name,
                          const std::string& id) {
    return name.empty() ? id.empty() : ResourceId(collection, name) == id;
  };
  DUMAS_FUZZ_CHECK(same_id("categories", query.category, filter->category_id) &&
                       same_id("units", query.handling_unit, filter->handling_unit_id) &&
                       same_id("units", query.subject_unit, filter->subject_unit_id),
                   "a filter id is not the id of the name given");
  DUMAS_FUZZ_CHECK(filter->received_after == query.received_after &&
                       filter->received_before == query.received_before,
                   "a time filter changed");
  DUMAS_FUZZ_CHECK(filter->scope_handling_unit_id.empty() &&
                       filter->scope_exclude_subject_unit_id.empty(),
                   "the parser set the caller's scope, which only the principal decides");
  DUMAS_FUZZ_CHECK(filter->overdue_only == query.overdue && filter->today == today,
                   "overdue filtering changed");
}

int64_t Int64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return static_cast<int64_t>(v);
}

std::optional<absl::Time> TimeOf(uint8_t flags, int bit, const uint8_t* p) {
  if (!(flags & (1 << bit))) return std::nullopt;
  if (flags & (1 << (bit + 1))) return absl::InfinitePast();  // as FromProto gives an invalid one
  return absl::FromUnixMicros(Int64(p));
}

}  // namespace
}  // namespace dumas

// The input: a flags byte (bit 0 overdue, 1-2 received_after given /
// invalid, 3-4 the same for received_before), a channel byte (signed), two
// times of eight bytes, a count of states (low 3 bits) and as many signed
// state bytes, then category, handling unit and subject unit separated by
// NUL bytes.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kFixed = 1 + 1 + 8 + 8 + 1;
  if (size < kFixed) return 0;
  dumas::ComplaintListQuery query;
  const uint8_t flags = data[0];
  query.overdue = (flags & 1) != 0;
  query.channel = static_cast<int8_t>(data[1]);
  query.received_after = dumas::TimeOf(flags, 1, data + 2);
  query.received_before = dumas::TimeOf(flags, 3, data + 10);
  const size_t states = data[18] & 7;
  if (size < kFixed + states) return 0;
  for (size_t i = 0; i < states; ++i) query.states.push_back(static_cast<int8_t>(data[kFixed + i]));
  const std::vector<std::string_view> f = dumas::fuzz::Fields(
      dumas::fuzz::Bytes(data + kFixed + states, size - kFixed - states), 3);
  query.category = f[0];
  query.handling_unit = f[1];
  query.subject_unit = f[2];
  dumas::Check(query, absl::CivilDay(2026, 3, 10));
  return 0;
}
