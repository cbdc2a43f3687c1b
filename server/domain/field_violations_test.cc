#include "server/domain/field_violations.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/domain/string_view_interop.h"

namespace dumas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status) {
  auto payload = status.GetPayload(ToAbsl(kBadRequestPayloadUrl));
  if (!payload.has_value()) return std::nullopt;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return std::nullopt;
  return bad_request;
}

TEST(FieldViolationsTest, EmptyIsOk) {
  FieldViolations violations;
  EXPECT_TRUE(violations.empty());
  EXPECT_TRUE(violations.ToStatus().ok());
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

  std::optional<google::rpc::BadRequest> bad_request = BadRequestOf(status);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 2);
  EXPECT_EQ(bad_request->field_violations(0).field(), "complaint.description");
  EXPECT_EQ(bad_request->field_violations(0).description(), "must be 10 to 10000 characters long");
  EXPECT_EQ(bad_request->field_violations(1).field(), "complaint.complainant.nik");
  EXPECT_EQ(bad_request->field_violations(1).description(), "NIK must be exactly 16 digits");
}

TEST(FieldViolationsTest, NamesARepeatedFieldOnceInTheMessage) {
  FieldViolations violations;
  violations.Add("a.b", "first reason");
  violations.Add("a.c", "reason");
  violations.Add("a.b", "second reason");
  const absl::Status status = violations.ToStatus();
  EXPECT_EQ(status.message(), "invalid fields: a.b, a.c");
  std::optional<google::rpc::BadRequest> bad_request = BadRequestOf(status);
  ASSERT_TRUE(bad_request.has_value());
  EXPECT_EQ(bad_request->field_violations_size(), 3);
}

TEST(FieldViolationsTest, InvalidFieldNamesOneField) {
  const absl::Status status = InvalidField("reference_number", "must be 12 symbols");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "invalid field: reference_number");
  std::optional<google::rpc::BadRequest> bad_request = BadRequestOf(status);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), "reference_number");
  EXPECT_EQ(bad_request->field_violations(0).description(), "must be 12 symbols");
}

}  // namespace
}  // namespace dumas
