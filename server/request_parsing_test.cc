#include "server/request_parsing.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

constexpr PageLimits kLimits{.default_size = 50, .max_size = 100};

std::vector<std::string> FieldsOf(const FieldViolations& violations) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : violations.violations()) fields.push_back(v.field);
  return fields;
}

TEST(ParsePageTest, SizesDefaultAndCap) {
  FieldViolations violations;
  EXPECT_EQ(ParsePage("units", 0, "", kLimits, violations)->size, 50);
  EXPECT_EQ(ParsePage("units", 7, "", kLimits, violations)->size, 7);
  EXPECT_EQ(ParsePage("units", 100000, "", kLimits, violations)->size, 100);
  EXPECT_TRUE(violations.empty());
  EXPECT_FALSE(ParsePage("units", -1, "", kLimits, violations).has_value());
  EXPECT_THAT(FieldsOf(violations), ElementsAre("page_size"));
}

TEST(ParsePageTest, TokenRoundTripsWithinItsScope) {
  const std::string token = EncodePageToken("events:K7QM-4R9X-2HTZ", "42");
  FieldViolations violations;
  const std::optional<PageRequest> page =
      ParsePage("events:K7QM-4R9X-2HTZ", 0, token, kLimits, violations);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->after, "42");
  EXPECT_TRUE(violations.empty());
}

TEST(ParsePageTest, RefusesTokensOfOtherScopesAndGarbage) {
  const std::string token = EncodePageToken("complaints:00aa", "1:2");
  for (const std::string& bad : {
           EncodePageToken("complaints:00ab", "1:2"),  // other filters
           EncodePageToken("complaints", "00aa|1:2"),  // a prefix of the scope
           EncodePageToken("complaints:00a", "a|1:2"),
           std::string("not base64!"),
           absl::WebSafeBase64Escape("complaints:00aa"),  // no separator
       }) {
    FieldViolations violations;
    EXPECT_FALSE(ParsePage("complaints:00aa", 0, bad, kLimits, violations).has_value()) << bad;
    EXPECT_THAT(FieldsOf(violations), ElementsAre("page_token"));
    // The fuzz target checks this only for values no fixed text can hold.
    EXPECT_EQ(violations.violations()[0].description.find(bad), std::string::npos);
  }
  FieldViolations violations;
  EXPECT_TRUE(ParsePage("complaints:00aa", 0, token, kLimits, violations).has_value());
}

TEST(CursorTest, IdCursorsAreCanonicalDecimals) {
  EXPECT_EQ(ParseIdCursor(IdCursor(0)), 0);
  EXPECT_EQ(ParseIdCursor(IdCursor(123)), 123);
  EXPECT_EQ(ParseIdCursor(IdCursor(std::numeric_limits<int64_t>::max())),
            std::numeric_limits<int64_t>::max());
  for (const char* bad : {"", " 1", "1 ", "+1", "01", "1e3", "0x10", "9223372036854775808",
                          "1;DROP TABLE complaints", "-0"}) {
    EXPECT_EQ(ParseIdCursor(bad), std::nullopt) << bad;
  }
}

TEST(CursorTest, ComplaintCursorsRoundTrip) {
  const ComplaintCursor cursor{absl::FromUnixMicros(1767225600123456), 77};
  const std::optional<ComplaintCursor> parsed = ParseComplaintCursor(ComplaintCursorText(cursor));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->create_time, cursor.create_time);
  EXPECT_EQ(parsed->id, 77);
  EXPECT_EQ(ParseComplaintCursor("-5:3")->create_time, absl::FromUnixMicros(-5));
  for (const char* bad : {"", ":", "1:", ":1", "1:2:3", "1", "01:2", "1:+2", "1 :2", "a:b"}) {
    EXPECT_FALSE(ParseComplaintCursor(bad).has_value()) << bad;
  }
}

TEST(ResourceNameTest, ComplaintReference) {
  EXPECT_EQ(*ComplaintReference("name", "complaints/k7qm 4r9x 2htz"), "K7QM-4R9X-2HTZ");
  for (const char* bad : {"", "complaints/", "K7QM-4R9X-2HTZ", "complaints/K7QM-4R9X-2HTA",
                          "complaint/K7QM-4R9X-2HTZ", "complaints/K7QM-4R9X-2HTZ'--"}) {
    const absl::StatusOr<std::string> reference = ComplaintReference("parent", bad);
    EXPECT_EQ(reference.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    const std::optional<std::vector<FieldViolation>> violations =
        FieldViolationsOf(reference.status());
    ASSERT_TRUE(violations.has_value());
    EXPECT_THAT(*violations, ElementsAre(Field(&FieldViolation::field, "parent")));
    if (std::string(bad).size() > 14) {  // not the example the message gives
      EXPECT_EQ(reference.status().message().find(bad), absl::string_view::npos) << bad;
      EXPECT_EQ((*violations)[0].description.find(bad), std::string::npos) << bad;
    }
  }
}

TEST(ResourceNameTest, NumberedResourceId) {
  EXPECT_EQ(NumberedResourceId("principals", "principals/12"), 12);
  for (const char* bad : {"principals/0", "principals/-1", "principals/012", "principals/",
                          "principals/1 ", "principals12", "notifications/1",
                          "principals/99999999999999999999"}) {
    EXPECT_EQ(NumberedResourceId("principals", bad), std::nullopt) << bad;
  }
}

TEST(ParseComplaintFilterTest, AcceptsValidFilters) {
  ComplaintListQuery query;
  query.states = {1, 5};
  query.category = "categories/korupsi";
  query.channel = 3;
  query.handling_unit = "units/propam";
  query.subject_unit = "units/sat-lantas";
  query.received_after = absl::FromUnixSeconds(1767225600);
  query.overdue = true;
  FieldViolations violations;
  const std::optional<ComplaintFilter> filter =
      ParseComplaintFilter(query, absl::CivilDay(2026, 3, 1), violations);
  ASSERT_TRUE(filter.has_value());
  EXPECT_TRUE(violations.empty());
  EXPECT_THAT(filter->states,
              ElementsAre(ComplaintState::kReceived, ComplaintState::kAssigned));
  EXPECT_EQ(filter->category_id, "korupsi");
  EXPECT_EQ(filter->channel, Channel::kEmail);
  EXPECT_EQ(filter->handling_unit_id, "propam");
  EXPECT_EQ(filter->subject_unit_id, "sat-lantas");
  EXPECT_EQ(filter->received_after, absl::FromUnixSeconds(1767225600));
  EXPECT_EQ(filter->received_before, std::nullopt);
  EXPECT_TRUE(filter->overdue_only);
  EXPECT_EQ(filter->today, absl::CivilDay(2026, 3, 1));
  EXPECT_THAT(filter->scope_handling_unit_id, IsEmpty());
}

TEST(ParseComplaintFilterTest, NamesEveryInvalidField) {
  ComplaintListQuery query;
  query.states = {2, 0, 11};
  query.category = "categories/' OR '1'='1";
  query.channel = 9;
  query.handling_unit = "units/Propam";
  query.subject_unit = "propam";
  query.received_after = absl::InfinitePast();
  query.received_before = absl::InfinitePast();
  FieldViolations violations;
  EXPECT_FALSE(ParseComplaintFilter(query, absl::CivilDay(2026, 3, 1), violations).has_value());
  EXPECT_THAT(FieldsOf(violations),
              ElementsAre("states[1]", "states[2]", "category", "channel", "handling_unit",
                          "subject_unit", "received_after", "received_before"));
  for (const FieldViolation& v : violations.violations()) {
    EXPECT_EQ(v.description.find("OR"), std::string::npos) << v.description;
  }
}

}  // namespace
}  // namespace dumas
