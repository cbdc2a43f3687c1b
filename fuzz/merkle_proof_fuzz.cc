// Proof verification of the transparency log (domain/merkle_tree.h), which
// checks proofs that arrive from outside: the proofs the tree makes verify;
// any other proof of the same shape, or of another shape, is refused with
// DATA_LOSS or INVALID_ARGUMENT, never accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/merkle_tree.h"
#include "fuzz/fuzz_support.h"

namespace dumas {
namespace {

// The proof in `bytes`, 32 bytes a hash (a short tail is dropped).
std::vector<Hash> HashesOf(std::string_view bytes) {
  std::vector<Hash> hashes;
  for (size_t i = 0; i + 32 <= bytes.size(); i += 32) {
    Hash& h = hashes.emplace_back();
    for (size_t k = 0; k < 32; ++k) h[k] = static_cast<uint8_t>(bytes[i + k]);
  }
  return hashes;
}

bool IsRefusal(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDataLoss ||
         status.code() == absl::StatusCode::kInvalidArgument;
}

}  // namespace
}  // namespace dumas

// The input: the number of leaves (1-64), a leaf index, a first tree size,
// a byte choosing which hash of the real proofs to alter, then a proof of
// the caller's own (32 bytes a hash) to check against the real roots.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using dumas::Hash;
  if (size < 4) return 0;
  const uint64_t n = data[0] % 64 + 1;
  const uint64_t index = data[1] % n;
  const uint64_t first = data[2] % n + 1;
  const uint8_t alter = data[3];
  const std::string_view rest = dumas::fuzz::Bytes(data + 4, size - 4);

  dumas::MerkleTree tree;
  for (uint64_t i = 0; i < n; ++i) {
    tree.Append(dumas::LeafHash(std::string_view(reinterpret_cast<const char*>(&i), sizeof i)));
  }
  const Hash root = tree.Root();
  const Hash leaf = tree.LeafAt(index);
  const Hash first_root = *tree.RootAt(first);

  const absl::StatusOr<std::vector<Hash>> inclusion = tree.InclusionProof(index, n);
  DUMAS_FUZZ_CHECK(inclusion.ok(), "the tree made no inclusion proof");
  DUMAS_FUZZ_CHECK(dumas::VerifyInclusion(index, n, leaf, *inclusion, root).ok(),
                   "an inclusion proof the tree made does not verify");
  const absl::StatusOr<std::vector<Hash>> consistency = tree.ConsistencyProof(first, n);
  DUMAS_FUZZ_CHECK(consistency.ok(), "the tree made no consistency proof");
  DUMAS_FUZZ_CHECK(dumas::VerifyConsistency(first, n, first_root, root, *consistency).ok(),
                   "a consistency proof the tree made does not verify");

  // One bit of one hash altered: refused.
  if (!inclusion->empty()) {
    std::vector<Hash> altered = *inclusion;
    altered[alter % altered.size()][alter % 32] ^= 1;
    DUMAS_FUZZ_CHECK(dumas::IsRefusal(dumas::VerifyInclusion(index, n, leaf, altered, root)),
                     "an altered inclusion proof verified");
  }
  if (!consistency->empty()) {
    std::vector<Hash> altered = *consistency;
    altered[alter % altered.size()][alter % 32] ^= 1;
    DUMAS_FUZZ_CHECK(dumas::IsRefusal(dumas::VerifyConsistency(first, n, first_root, root, altered)),
                     "an altered consistency proof verified");
  }

  // The caller's proof verifies only if it is the real one.
  const std::vector<Hash> theirs = dumas::HashesOf(rest);
  const absl::Status their_inclusion = dumas::VerifyInclusion(index, n, leaf, theirs, root);
  DUMAS_FUZZ_CHECK(their_inclusion.ok() ? theirs == *inclusion : dumas::IsRefusal(their_inclusion),
                   "a forged inclusion proof verified, or was refused otherwise");
  const absl::Status their_consistency =
      dumas::VerifyConsistency(first, n, first_root, root, theirs);
  DUMAS_FUZZ_CHECK(their_consistency.ok() ? theirs == *consistency
                                          : dumas::IsRefusal(their_consistency),
                   "a forged consistency proof verified, or was refused otherwise");
  // Indices and sizes out of range are refused, not read out of bounds.
  DUMAS_FUZZ_CHECK(dumas::IsRefusal(dumas::VerifyInclusion(n + index, n, leaf, theirs, root)),
                   "an inclusion proof of a leaf beyond the tree verified");
  DUMAS_FUZZ_CHECK(dumas::IsRefusal(dumas::VerifyConsistency(n + 1, n, first_root, root, theirs)),
                   "a consistency proof of a larger first tree verified");
  return 0;
}
