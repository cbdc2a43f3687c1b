// The golden changes of tests/testdata/log_vectors, which the Python
// verifier's test (tests/python/dumas_log_test.py) checks too: this
// implementation must recompute the same leaves and commitment from them.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "domain/log_entry.h"
#include "dumas/v1/integration_service.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tools/log_verifier/log_verifier.h"

namespace dumas {
namespace {

std::string ReadVector(const std::string& name) {
  std::ifstream in(std::string(DUMAS_LOG_VECTORS_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename Message>
Message Parse(const std::string& name) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(ReadVector(name), &message)) << name;
  return message;
}

std::string Hex(const Hash& h) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

struct Vector {
  const char* file;
  const char* leaf_hash;
};

class LogVectorsTest : public ::testing::TestWithParam<Vector> {};

TEST_P(LogVectorsTest, RecomputesTheGoldenLeaf) {
  const v1::Change change = Parse<v1::Change>(GetParam().file);
  absl::StatusOr<Hash> leaf = LeafOfChange(change);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(Hex(*leaf), GetParam().leaf_hash);
  if (change.has_record()) return;
  absl::StatusOr<LogEntry> entry = EntryOfChange(change);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(Hex(EntryLeafHash(*entry)), GetParam().leaf_hash);
  // Decoding the details and encoding them again gives the same bytes.
  absl::StatusOr<ComplaintDetails> details = DecodeDetails(entry->details);
  ASSERT_TRUE(details.ok()) << details.status();
  EXPECT_EQ(EncodeDetails(*details), entry->details);
}

INSTANTIATE_TEST_SUITE_P(
    Golden, LogVectorsTest,
    ::testing::Values(
        Vector{"received.textproto",
               "b02f4a693b0795b05cade6f15100931ae87f7de42276ec0579a941dec93aee87"},
        Vector{"answered.textproto",
               "11ea854ee9bc344efa88ca6f0d83400cd055181750eee0ce19cd5f5305b76f0b"},
        Vector{"identity_read.textproto",
               "ca803255e5f141391f8ebd5125b24ac48afadd0d7d7acbe3b0ca69b197d4ff18"},
        Vector{"record.textproto",
               "b9efa5734e45b95f7d39cd81e7fe173225391ae66272d007b5422f43af6cb552"}));

TEST(LogVectorsTest, IdentityCommitmentOfTheGoldenRegistration) {
  const v1::Change received = Parse<v1::Change>("received.textproto");
  const v1::Complainant c = Parse<v1::Complainant>("identity.textproto");
  const std::string commitment = IdentityCommitment(
      received.identity_salt(), Identity{c.full_name(), c.nik(), c.phone(), c.email(), c.address()});
  EXPECT_EQ(absl::BytesToHexString(commitment),
            "3276aa99fde3a28f59eeb8d2cc10bbf1d046f95602e125eb961660744682c2fb");
  EXPECT_EQ(commitment, received.details().identity_commitment());
}

}  // namespace
}  // namespace dumas
