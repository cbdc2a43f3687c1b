// The Merkle tree of the transparency log (docs/transparency-log.md): RFC 9162
// (Certificate Transparency 2.0) section 2.1, with SHA-256. Builds the tree,
// answers roots, inclusion proofs and consistency proofs for any past size,
// and verifies proofs exactly as the RFC's sections 2.1.3.2 and 2.1.4.2 do.
#ifndef DUMAS_DOMAIN_MERKLE_TREE_H_
#define DUMAS_DOMAIN_MERKLE_TREE_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dumas {

// A SHA-256 hash: a leaf hash, an interior node's hash or a root.
using Hash = std::array<uint8_t, 32>;

// SHA-256(0x00 || leaf_input): the hash of a leaf (RFC 9162 2.1.1).
Hash LeafHash(std::string_view leaf_input);
// SHA-256(0x01 || left || right): the hash of an interior node.
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256 of nothing: the root of the empty tree.
Hash EmptyRootHash();

// An append-only Merkle tree in memory. It keeps every leaf hash and the hash
// of every complete subtree whose leaves start at a multiple of its size (one
// level of such subtrees per power of two: about two hashes, 64 bytes, per
// leaf), so that a root or a proof of any size up to size() costs O(log n)
// lookups and hashes: of the subtrees a proof names, at most one is not
// stored (the one on the right edge of a past size) and takes O(log n)
// hashes to compute. At 1,000,000 leaves a proof takes microseconds.
//
// Not thread-safe: Append and AppendAll need exclusive access; const methods
// may run concurrently with each other. Callers lock.
class MerkleTree {
 public:
  MerkleTree() = default;

  // The number of leaves.
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }

  // Appends a leaf by its hash (LeafHash of the entry), as leaf index size().
  void Append(const Hash& leaf_hash);
  // Appends the leaves in order.
  void AppendAll(const std::vector<Hash>& leaf_hashes);

  // The hash of leaf `index`. Requires index < size().
  const Hash& LeafAt(uint64_t index) const { return levels_[0][index]; }

  // The root of the tree made of the first `tree_size` leaves (RFC 9162 MTH);
  // EmptyRootHash() for 0. OUT_OF_RANGE when tree_size > size().
  absl::StatusOr<Hash> RootAt(uint64_t tree_size) const;
  // The root of the whole tree: RootAt(size()).
  Hash Root() const;

  // The inclusion proof of leaf `leaf_index` in the tree of the first
  // `tree_size` leaves: RFC 9162 2.1.3.1 PATH, the sibling of the leaf first.
  // Empty for a tree of one leaf. INVALID_ARGUMENT unless
  // leaf_index < tree_size; OUT_OF_RANGE when tree_size > size().
  absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t leaf_index, uint64_t tree_size) const;

  // The consistency proof between the trees of the first `first` and the
  // first `second` leaves: RFC 9162 2.1.4.1 PROOF; empty when first equals
  // second. INVALID_ARGUMENT unless 0 < first <= second; OUT_OF_RANGE when
  // second > size().
  absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second) const;

 private:
  // The root of the leaves [begin, end), where begin is a multiple of the
  // largest power of two not above end - begin (as in every subtree the
  // RFC's recursion visits) and end <= size(). Requires begin < end.
  Hash RangeRoot(uint64_t begin, uint64_t end) const;

  // levels_[k][i]: the hash of the complete subtree of leaves
  // [i * 2^k, (i + 1) * 2^k). levels_[0] holds the leaf hashes.
  std::vector<std::vector<Hash>> levels_;
};

// Verifies an inclusion proof as RFC 9162 2.1.3.2 does: that the leaf whose
// hash is `leaf_hash` is leaf `leaf_index` of the tree of `tree_size` leaves
// whose root is `root`. OK when it is. Errors:
//   INVALID_ARGUMENT  leaf_index >= tree_size, or the proof does not have the
//                     number of hashes such a proof has (refused before any
//                     hashing);
//   DATA_LOSS         the proof is well formed but its hashes do not lead to
//                     `root`: the leaf, the proof or the root was altered, or
//                     the root is of another tree.
absl::Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Hash& leaf_hash,
                             const std::vector<Hash>& proof, const Hash& root);

// Verifies a consistency proof as RFC 9162 2.1.4.2 does: that the tree of
// `first` leaves with root `first_root` is a prefix of the tree of `second`
// leaves with root `second_root`. When first equals second the proof must be
// empty and the roots equal (the RFC defines proofs only for first < second;
// this is the convention of CT's and transparency-dev's verifiers). Errors:
//   INVALID_ARGUMENT  first is 0 or greater than second, or the proof does not
//                     have the number of hashes such a proof has;
//   DATA_LOSS         the proof is well formed but does not lead to both
//                     roots: the log rewrote history, or a root or the proof
//                     was altered.
absl::Status VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                               const Hash& second_root, const std::vector<Hash>& proof);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_MERKLE_TREE_H_
