#include "domain/request_id.h"

#include "gtest/gtest.h"

namespace dumas {
namespace {

TEST(RequestIdTest, UuidsAreCanonicalInLowerCase) {
  EXPECT_EQ(CanonicalRequestId("3F2B8C1E-6A47-4D2B-9E15-7C0A4B9D2E61"),
            "3f2b8c1e-6a47-4d2b-9e15-7c0a4b9d2e61");
  EXPECT_EQ(CanonicalRequestId("3f2b8c1e-6a47-4d2b-9e15-7c0a4b9d2e61"),
            "3f2b8c1e-6a47-4d2b-9e15-7c0a4b9d2e61");
  EXPECT_EQ(CanonicalRequestId(""), "");
}

TEST(RequestIdTest, AnythingElseIsRefused) {
  for (const char* id : {"3f2b8c1e6a474d2b9e157c0a4b9d2e61", "3f2b8c1e-6a47-4d2b-9e15-7c0a4b9d2e6",
                         "3f2b8c1e-6a47-4d2b-9e15-7c0a4b9d2e61 ", "{3f2b8c1e-6a47-4d2b-9e15-7c0a4b9d2e}",
                         "3g2b8c1e-6a47-4d2b-9e15-7c0a4b9d2e61", "retry-1"}) {
    EXPECT_FALSE(CanonicalRequestId(id).has_value()) << id;
    EXPECT_FALSE(IsUuid(id)) << id;
  }
}

}  // namespace
}  // namespace dumas
