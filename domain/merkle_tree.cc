#include "domain/merkle_tree.h"

#include <sodium.h>

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"

namespace dumas {
namespace {

// libsodium's SHA-256 is portable code with no CPU dispatch and no random
// state, so it needs no sodium_init().

// The largest power of two strictly below n (n >= 2): RFC 9162's k.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// The number of hashes in the inclusion proof of `index` in a tree of `size`
// leaves (index < size): one per level below the point where the paths to the
// index and to the last leaf part (`inner`), and one per complete subtree to
// the left of the index above it (`border`).
struct ProofShape {
  int inner;
  int border;
};
ProofShape InclusionShape(uint64_t index, uint64_t size) {
  const int inner = std::bit_width(index ^ (size - 1));
  return {inner, std::popcount(index >> inner)};
}

size_t ExpectedInclusionLength(uint64_t index, uint64_t size) {
  const ProofShape shape = InclusionShape(index, size);
  return shape.inner + shape.border;
}

// For 0 < first < second: the proof is the inclusion proof of leaf first - 1
// in the second tree, less the levels inside the largest complete subtree
// that ends at `first`, plus that subtree's hash unless it is the whole first
// tree (first a power of two), where the verifier starts from first_root.
size_t ExpectedConsistencyLength(uint64_t first, uint64_t second) {
  const ProofShape shape = InclusionShape(first - 1, second);
  const int shift = std::countr_zero(first);
  return (std::has_single_bit(first) ? 0 : 1) + (shape.inner - shift) + shape.border;
}

// "Right-shift both fn and sn equally until either LSB(fn) is set or fn is 0."
void ShiftUntilOddOrZero(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash LeafHash(std::string_view leaf_input) {
  static constexpr unsigned char kLeafPrefix = 0x00;
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &kLeafPrefix, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(leaf_input.data()),
                            leaf_input.size());
  Hash out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Hash NodeHash(const Hash& left, const Hash& right) {
  std::array<unsigned char, 1 + 2 * sizeof(Hash)> input;
  input[0] = 0x01;
  std::copy(left.begin(), left.end(), input.begin() + 1);
  std::copy(right.begin(), right.end(), input.begin() + 1 + sizeof(Hash));
  Hash out;
  crypto_hash_sha256(out.data(), input.data(), input.size());
  return out;
}

Hash EmptyRootHash() {
  Hash out;
  crypto_hash_sha256(out.data(), nullptr, 0);
  return out;
}

void MerkleTree::Append(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // The new leaf completes one subtree per level while the level has an even
  // number of hashes: the last two are the children of a new one above.
  for (size_t k = 0; levels_[k].size() % 2 == 0; ++k) {
    if (levels_.size() == k + 1) levels_.emplace_back();
    const std::vector<Hash>& level = levels_[k];
    levels_[k + 1].push_back(NodeHash(level[level.size() - 2], level.back()));
  }
}

void MerkleTree::AppendAll(const std::vector<Hash>& leaf_hashes) {
  if (leaf_hashes.empty()) return;
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].reserve(levels_[0].size() + leaf_hashes.size());
  for (const Hash& h : leaf_hashes) Append(h);
}

Hash MerkleTree::RangeRoot(uint64_t begin, uint64_t end) const {
  // [begin, end) splits into one complete subtree per set bit of its length,
  // the largest first, each aligned on its size (begin is aligned on the
  // largest). The root folds them from the right: MTH = H(S1, H(S2, ... Sm)).
  // Walking the bits from the lowest, the subtree of bit k starts after
  // those of the higher bits: at begin + (n with bits 0..k cleared).
  const uint64_t n = end - begin;
  const auto subtree = [&](int k) -> const Hash& {
    const uint64_t above = n & ~((uint64_t{2} << k) - 1);  // bits 0..k cleared
    return levels_[k][(begin + above) >> k];
  };
  int k = std::countr_zero(n);
  Hash acc = subtree(k);
  for (++k; k < 64 && (n >> k) != 0; ++k) {
    if (((n >> k) & 1) != 0) acc = NodeHash(subtree(k), acc);
  }
  return acc;
}

absl::StatusOr<Hash> MerkleTree::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", tree_size, " is larger than the tree (", size(), " leaves)"));
  }
  if (tree_size == 0) return EmptyRootHash();
  return RangeRoot(0, tree_size);
}

Hash MerkleTree::Root() const { return size() == 0 ? EmptyRootHash() : RangeRoot(0, size()); }

absl::StatusOr<std::vector<Hash>> MerkleTree::InclusionProof(uint64_t leaf_index,
                                                             uint64_t tree_size) const {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is not within a tree of ", tree_size, " leaves"));
  }
  if (tree_size > size()) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", tree_size, " is larger than the tree (", size(), " leaves)"));
  }
  // PATH(m, D[begin:end]) from the top: each step records the sibling of the
  // half holding the leaf, so the path comes out root-first and is reversed.
  // Only the first right sibling can be an incomplete subtree; after it every
  // range is complete and costs one lookup.
  std::vector<Hash> path;
  path.reserve(ExpectedInclusionLength(leaf_index, tree_size));
  uint64_t begin = 0;
  uint64_t end = tree_size;
  while (end - begin > 1) {
    const uint64_t k = SplitPoint(end - begin);
    if (leaf_index - begin < k) {
      path.push_back(RangeRoot(begin + k, end));
      end = begin + k;
    } else {
      path.push_back(RangeRoot(begin, begin + k));
      begin += k;
    }
  }
  std::reverse(path.begin(), path.end());
  return path;
}

absl::StatusOr<std::vector<Hash>> MerkleTree::ConsistencyProof(uint64_t first,
                                                               uint64_t second) const {
  if (first == 0 || first > second) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a consistency proof needs 0 < first <= second; got first ", first, ", second ", second));
  }
  if (second > size()) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", second, " is larger than the tree (", size(), " leaves)"));
  }
  std::vector<Hash> proof;
  if (first == second) return proof;
  // SUBPROOF(m, D[begin:end], b) from the top, as InclusionProof walks PATH;
  // `whole` is the RFC's b: the subtree is still the whole first tree.
  proof.reserve(ExpectedConsistencyLength(first, second));
  uint64_t begin = 0;
  uint64_t end = second;
  bool whole = true;
  while (true) {
    const uint64_t m = first - begin;
    if (m == end - begin) {
      if (!whole) proof.push_back(RangeRoot(begin, end));
      break;
    }
    const uint64_t k = SplitPoint(end - begin);
    if (m <= k) {
      proof.push_back(RangeRoot(begin + k, end));
      end = begin + k;
    } else {
      proof.push_back(RangeRoot(begin, begin + k));
      begin += k;
      whole = false;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Hash& leaf_hash,
                             const std::vector<Hash>& proof, const Hash& root) {
  // RFC 9162 2.1.3.2, step 1.
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is not within a tree of ", tree_size, " leaves"));
  }
  // The RFC's loop also fails a proof of the wrong length, but as it fails a
  // wrong hash; refusing it first tells a malformed proof from a false one.
  const size_t want = ExpectedInclusionLength(leaf_index, tree_size);
  if (proof.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("an inclusion proof of leaf ", leaf_index,
                                                   " in a tree of ", tree_size, " leaves has ",
                                                   want, " hashes, not ", proof.size()));
  }
  // Steps 2-5.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return absl::DataLossError("inclusion proof is longer than its path");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      ShiftUntilOddOrZero(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0 || r != root) {
    return absl::DataLossError(absl::StrCat("inclusion proof of leaf ", leaf_index,
                                            " does not lead to the root of the tree of ", tree_size,
                                            " leaves"));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                               const Hash& second_root, const std::vector<Hash>& proof) {
  if (first == 0 || first > second) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a consistency proof needs 0 < first <= second; got first ", first, ", second ", second));
  }
  if (first == second) {
    if (!proof.empty()) {
      return absl::InvalidArgumentError(
          "a consistency proof between equal tree sizes must be empty");
    }
    if (first_root != second_root) {
      return absl::DataLossError(
          absl::StrCat("two different roots for the same tree size ", first));
    }
    return absl::OkStatus();
  }
  // Step 1 (an empty proof fails) is part of the length check.
  const size_t want = ExpectedConsistencyLength(first, second);
  if (proof.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("a consistency proof from ", first, " to ",
                                                   second, " leaves has ", want, " hashes, not ",
                                                   proof.size()));
  }
  // Step 2: when first is a power of two, first_root is prepended to the path.
  const bool prepend = std::has_single_bit(first);
  const auto path_at = [&](size_t i) -> const Hash& {
    return prepend ? (i == 0 ? first_root : proof[i - 1]) : proof[i];
  };
  const size_t path_size = proof.size() + (prepend ? 1 : 0);
  // Steps 3-5.
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path_at(0);
  Hash sr = path_at(0);
  // Step 6.
  for (size_t i = 1; i < path_size; ++i) {
    const Hash& c = path_at(i);
    if (sn == 0) return absl::DataLossError("consistency proof is longer than its path");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftUntilOddOrZero(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0 || fr != first_root || sr != second_root) {
    return absl::DataLossError(absl::StrCat("consistency proof from ", first, " to ", second,
                                            " leaves does not lead to both roots"));
  }
  return absl::OkStatus();
}

}  // namespace dumas
