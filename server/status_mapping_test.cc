#include "server/status_mapping.h"

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "domain/field_violations.h"

namespace dumas {
namespace {

TEST(StatusMappingTest, OkIsOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

TEST(StatusMappingTest, CodesMapOneToOne) {
  const struct {
    absl::Status in;
    grpc::StatusCode out;
  } cases[] = {
      {absl::NotFoundError("x"), grpc::StatusCode::NOT_FOUND},
      {absl::AlreadyExistsError("x"), grpc::StatusCode::ALREADY_EXISTS},
      {absl::AbortedError("x"), grpc::StatusCode::ABORTED},
      {absl::UnavailableError("x"), grpc::StatusCode::UNAVAILABLE},
      {absl::UnauthenticatedError("x"), grpc::StatusCode::UNAUTHENTICATED},
      {absl::PermissionDeniedError("x"), grpc::StatusCode::PERMISSION_DENIED},
      {absl::ResourceExhaustedError("x"), grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::FailedPreconditionError("x"), grpc::StatusCode::FAILED_PRECONDITION},
      {absl::InvalidArgumentError("x"), grpc::StatusCode::INVALID_ARGUMENT},
  };
  for (const auto& c : cases) {
    const grpc::Status mapped = ToGrpcStatus(c.in);
    EXPECT_EQ(mapped.error_code(), c.out) << c.in;
    EXPECT_EQ(mapped.error_message(), "x");
    EXPECT_TRUE(mapped.error_details().empty());
  }
}

TEST(StatusMappingTest, InternalMessageIsNotExposed) {
  const grpc::Status mapped = ToGrpcStatus(absl::InternalError("table complaints is corrupt"));
  EXPECT_EQ(mapped.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(mapped.error_message().find("complaints"), std::string::npos);
}

TEST(StatusMappingTest, BadRequestBecomesStatusDetails) {
  FieldViolations violations;
  violations.Add("complaint.complainant.nik", "must be 16 digits");
  violations.Add("complaint.description", "is required");
  const grpc::Status mapped = ToGrpcStatus(violations.ToStatus());
  ASSERT_EQ(mapped.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(mapped.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(0).field(), "complaint.complainant.nik");
  EXPECT_EQ(bad_request.field_violations(1).field(), "complaint.description");
}

}  // namespace
}  // namespace dumas
