#include "domain/field_violations.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(FieldViolationsTest, EmptyIsOk) {
  FieldViolations violations;
  EXPECT_TRUE(violations.empty());
  EXPECT_TRUE(violations.ToStatus().ok());
  EXPECT_FALSE(FieldViolationsOf(absl::OkStatus()).has_value());
}

TEST(FieldViolationsTest, ListsEveryFieldInMessageAndPayload) {
  FieldViolations violations;
  violations.Add("complaint.description", "must be 10 to 10000 characters long");
  violations.Add("complaint.complainant.nik", "NIK must be exactly 16 digits");
  EXPECT_FALSE(violations.empty());
  ASSERT_EQ(violations.violations().size(), 2u);

  const absl::Status status = violations.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "invalid fields: complaint.description, complaint.complainant.nik");
  // Descriptions travel in the payload only.
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("16 digits")));

  EXPECT_THAT(FieldViolationsOf(status),
              testing::Optional(ElementsAre(
                  FieldViolation{"complaint.description", "must be 10 to 10000 characters long"},
                  FieldViolation{"complaint.complainant.nik", "NIK must be exactly 16 digits"})));
}

TEST(FieldViolationsTest, NamesARepeatedFieldOnceInTheMessage) {
  FieldViolations violations;
  violations.Add("a.b", "first reason");
  violations.Add("a.c", "reason");
  violations.Add("a.b", "second reason");
  const absl::Status status = violations.ToStatus();
  EXPECT_EQ(status.message(), "invalid fields: a.b, a.c");
  std::optional<std::vector<FieldViolation>> decoded = FieldViolationsOf(status);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->size(), 3u);
}

TEST(FieldViolationsTest, InvalidFieldNamesOneField) {
  const absl::Status status = InvalidField("reference_number", "must be 12 symbols");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "invalid field: reference_number");
  EXPECT_THAT(FieldViolationsOf(status),
              testing::Optional(
                  ElementsAre(FieldViolation{"reference_number", "must be 12 symbols"})));
}

TEST(FieldViolationsTest, EncodingRoundTripsAnyBytesAndRejectsTruncation) {
  const std::vector<FieldViolation> violations = {
      {"", ""}, {"a", std::string("\0\xff\x01", 3)}, {std::string(70000, 'x'), "long field"}};
  const std::string bytes = EncodeFieldViolations(violations);
  EXPECT_THAT(DecodeFieldViolations(bytes), testing::Optional(violations));
  for (size_t cut : {size_t{1}, size_t{3}, size_t{9}, bytes.size() - 1}) {
    EXPECT_FALSE(DecodeFieldViolations(std::string_view(bytes).substr(0, cut)).has_value())
        << cut;
  }
}

}  // namespace
}  // namespace dumas
