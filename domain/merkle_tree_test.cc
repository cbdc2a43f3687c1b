#include "domain/merkle_tree.h"

#include <bit>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

Hash H(const char* hex) {
  const std::string bytes = absl::HexStringToBytes(hex);
  Hash h{};
  EXPECT_EQ(bytes.size(), h.size()) << hex;
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

std::string Hex(const Hash& h) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

// The reference tree of RFC 6962 / RFC 9162 implementations: eight leaves and
// the roots of every prefix. Values from github.com/transparency-dev/merkle,
// testonly/constants.go (LeafInputs, NodeHashes, RootHashes), the vectors
// Certificate Transparency's and Trillian's tests have used since RFC 6962.
const char* const kLeafInputsHex[] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};
const char* const kLeafHashes[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};
// kRoots[n]: the root of the first n leaves.
const char* const kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// Inclusion and consistency proofs in that tree, from
// github.com/transparency-dev/merkle, cmd/proofgen/main.go (inclusionProofs,
// consistencyProofs; its leaf indexes there count from 1, here from 0).
struct InclusionVector {
  uint64_t leaf_index;
  uint64_t tree_size;
  std::vector<const char*> proof;
};
const InclusionVector kInclusionVectors[] = {
    {0, 1, {}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};
struct ConsistencyVector {
  uint64_t first;
  uint64_t second;
  std::vector<const char*> proof;
};
const ConsistencyVector kConsistencyVectors[] = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Hash> Hashes(const std::vector<const char*>& hex) {
  std::vector<Hash> out;
  for (const char* h : hex) out.push_back(H(h));
  return out;
}

MerkleTree ReferenceTree() {
  MerkleTree tree;
  for (const char* input : kLeafInputsHex) tree.Append(LeafHash(absl::HexStringToBytes(input)));
  return tree;
}

// RFC 9162 2.1.1-2.1.4.1 transcribed literally (recursive, O(n) per call), to
// check the tree's stored-subtree shortcuts against.
Hash RfcRoot(const std::vector<Hash>& d, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return EmptyRootHash();
  if (n == 1) return d[begin];
  const size_t k = std::bit_floor(n - 1);
  return NodeHash(RfcRoot(d, begin, begin + k), RfcRoot(d, begin + k, end));
}
std::vector<Hash> RfcPath(size_t m, const std::vector<Hash>& d, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 1) return {};
  const size_t k = std::bit_floor(n - 1);
  std::vector<Hash> path;
  if (m < k) {
    path = RfcPath(m, d, begin, begin + k);
    path.push_back(RfcRoot(d, begin + k, end));
  } else {
    path = RfcPath(m - k, d, begin + k, end);
    path.push_back(RfcRoot(d, begin, begin + k));
  }
  return path;
}
std::vector<Hash> RfcSubproof(size_t m, const std::vector<Hash>& d, size_t begin, size_t end,
                              bool b) {
  const size_t n = end - begin;
  if (m == n) {
    if (b) return {};
    return {RfcRoot(d, begin, end)};
  }
  const size_t k = std::bit_floor(n - 1);
  std::vector<Hash> proof;
  if (m <= k) {
    proof = RfcSubproof(m, d, begin, begin + k, b);
    proof.push_back(RfcRoot(d, begin + k, end));
  } else {
    proof = RfcSubproof(m - k, d, begin + k, end, false);
    proof.push_back(RfcRoot(d, begin, begin + k));
  }
  return proof;
}

std::vector<Hash> NumberedLeaves(uint64_t n) {
  std::vector<Hash> leaves;
  leaves.reserve(n);
  for (uint64_t i = 0; i < n; ++i) leaves.push_back(LeafHash("leaf " + std::to_string(i)));
  return leaves;
}

TEST(MerkleTreeTest, HashesAreRfc9162s) {
  EXPECT_EQ(Hex(EmptyRootHash()), kRoots[0]);
  for (size_t i = 0; i < std::size(kLeafInputsHex); ++i) {
    EXPECT_EQ(Hex(LeafHash(absl::HexStringToBytes(kLeafInputsHex[i]))), kLeafHashes[i]) << i;
  }
  EXPECT_EQ(Hex(NodeHash(H(kLeafHashes[0]), H(kLeafHashes[1]))), kRoots[2]);
}

TEST(MerkleTreeTest, RootsOfTheReferenceTree) {
  const MerkleTree tree = ReferenceTree();
  ASSERT_EQ(tree.size(), 8u);
  for (uint64_t n = 0; n <= 8; ++n) {
    absl::StatusOr<Hash> root = tree.RootAt(n);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(Hex(*root), kRoots[n]) << n;
  }
  EXPECT_EQ(Hex(tree.Root()), kRoots[8]);
  EXPECT_EQ(Hex(MerkleTree().Root()), kRoots[0]);
  for (uint64_t i = 0; i < 8; ++i) EXPECT_EQ(Hex(tree.LeafAt(i)), kLeafHashes[i]);
}

TEST(MerkleTreeTest, InclusionProofsOfTheReferenceTree) {
  const MerkleTree tree = ReferenceTree();
  for (const InclusionVector& v : kInclusionVectors) {
    SCOPED_TRACE(testing::Message() << v.leaf_index << " in " << v.tree_size);
    absl::StatusOr<std::vector<Hash>> proof = tree.InclusionProof(v.leaf_index, v.tree_size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, Hashes(v.proof));
    EXPECT_TRUE(VerifyInclusion(v.leaf_index, v.tree_size, H(kLeafHashes[v.leaf_index]),
                                Hashes(v.proof), H(kRoots[v.tree_size]))
                    .ok());
  }
}

TEST(MerkleTreeTest, ConsistencyProofsOfTheReferenceTree) {
  const MerkleTree tree = ReferenceTree();
  for (const ConsistencyVector& v : kConsistencyVectors) {
    SCOPED_TRACE(testing::Message() << v.first << " to " << v.second);
    absl::StatusOr<std::vector<Hash>> proof = tree.ConsistencyProof(v.first, v.second);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, Hashes(v.proof));
    EXPECT_TRUE(VerifyConsistency(v.first, v.second, H(kRoots[v.first]), H(kRoots[v.second]),
                                  Hashes(v.proof))
                    .ok());
  }
}

TEST(MerkleTreeTest, BadIndexesAndSizesAreRefused) {
  const MerkleTree tree = ReferenceTree();
  EXPECT_EQ(tree.RootAt(9).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(tree.InclusionProof(0, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.InclusionProof(8, 8).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.InclusionProof(3, 9).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(tree.ConsistencyProof(0, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(0, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(5, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(4, 9).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(MerkleTree().InclusionProof(0, 1).status().code(), absl::StatusCode::kOutOfRange);

  const Hash leaf = H(kLeafHashes[0]);
  const Hash root = H(kRoots[1]);
  EXPECT_EQ(VerifyInclusion(1, 1, leaf, {}, root).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(0, 0, leaf, {}, root).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(0, 1, root, root, {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(0, 0, root, root, {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(2, 1, root, root, {}).code(), absl::StatusCode::kInvalidArgument);
  // Equal sizes: an empty proof and equal roots, nothing else.
  EXPECT_TRUE(VerifyConsistency(1, 1, root, root, {}).ok());
  EXPECT_EQ(VerifyConsistency(1, 1, root, H(kRoots[2]), {}).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyConsistency(1, 1, root, root, {root}).code(), absl::StatusCode::kInvalidArgument);
  // A single leaf is its own root, with an empty proof.
  EXPECT_TRUE(VerifyInclusion(0, 1, leaf, {}, root).ok());
  EXPECT_EQ(VerifyInclusion(0, 1, H(kLeafHashes[1]), {}, root).code(), absl::StatusCode::kDataLoss);
}

TEST(MerkleTreeTest, WrongLengthProofsAreRefused) {
  const MerkleTree tree = ReferenceTree();
  std::vector<Hash> inclusion = *tree.InclusionProof(5, 8);
  const Hash leaf = tree.LeafAt(5);
  const Hash root = tree.Root();
  std::vector<Hash> longer = inclusion;
  longer.push_back(root);
  std::vector<Hash> shorter(inclusion.begin(), inclusion.end() - 1);
  std::vector<Hash> preceded = inclusion;
  preceded.insert(preceded.begin(), leaf);
  for (const auto& bad : {longer, shorter, preceded, std::vector<Hash>{}}) {
    EXPECT_EQ(VerifyInclusion(5, 8, leaf, bad, root).code(), absl::StatusCode::kInvalidArgument);
  }
  std::vector<Hash> consistency = *tree.ConsistencyProof(6, 8);
  const Hash root6 = *tree.RootAt(6);
  longer = consistency;
  longer.push_back(root);
  shorter.assign(consistency.begin(), consistency.end() - 1);
  for (const auto& bad : {longer, shorter, std::vector<Hash>{}}) {
    EXPECT_EQ(VerifyConsistency(6, 8, root6, root, bad).code(), absl::StatusCode::kInvalidArgument);
  }
}

// Every root and proof of every size up to 64 equals the RFC's recursive
// definition, verifies, and stops verifying when any part of it is altered.
TEST(MerkleTreeTest, AllProofsUpTo64LeavesMatchTheRfcAndVerify) {
  constexpr uint64_t kMax = 64;
  const std::vector<Hash> leaves = NumberedLeaves(kMax);
  MerkleTree tree;
  tree.AppendAll(leaves);
  std::vector<Hash> roots(kMax + 1);
  for (uint64_t n = 0; n <= kMax; ++n) {
    roots[n] = *tree.RootAt(n);
    ASSERT_EQ(roots[n], RfcRoot(leaves, 0, n)) << n;
  }
  // inclusion[n][i], consistency[second][first].
  std::vector<std::vector<std::vector<Hash>>> inclusion(kMax + 1);
  std::vector<std::vector<std::vector<Hash>>> consistency(kMax + 1);
  for (uint64_t n = 1; n <= kMax; ++n) {
    inclusion[n].resize(n);
    consistency[n].resize(n + 1);
    for (uint64_t i = 0; i < n; ++i) {
      absl::StatusOr<std::vector<Hash>> proof = tree.InclusionProof(i, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, RfcPath(i, leaves, 0, n)) << "leaf " << i << " in " << n;
      inclusion[n][i] = *std::move(proof);
    }
    for (uint64_t m = 1; m <= n; ++m) {
      absl::StatusOr<std::vector<Hash>> proof = tree.ConsistencyProof(m, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, m == n ? std::vector<Hash>{} : RfcSubproof(m, leaves, 0, n, true))
          << m << " to " << n;
      consistency[n][m] = *std::move(proof);
    }
  }
  // Sizes near a size, as transparency-dev/merkle's mutated probes choose
  // them: one more or less, double, half, and the lowest bit flipped.
  const auto near = [&](uint64_t n) {
    std::vector<uint64_t> sizes;
    for (uint64_t s : {n - 1, n + 1, n * 2, n / 2, n ^ 1}) {
      if (s >= 1 && s <= kMax && s != n) sizes.push_back(s);
    }
    return sizes;
  };
  const Hash other_leaf = LeafHash("another leaf");

  for (uint64_t n = 1; n <= kMax; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      SCOPED_TRACE(testing::Message() << "leaf " << i << " in " << n);
      const std::vector<Hash>& proof = inclusion[n][i];
      ASSERT_TRUE(VerifyInclusion(i, n, leaves[i], proof, roots[n]).ok());

      EXPECT_EQ(VerifyInclusion(i, n, other_leaf, proof, roots[n]).code(),
                absl::StatusCode::kDataLoss);
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], proof, roots[n - 1]).ok());
      for (size_t j = 0; j < proof.size(); ++j) {
        std::vector<Hash> tampered = proof;
        tampered[j][j % 32] ^= 0x01;
        EXPECT_EQ(VerifyInclusion(i, n, leaves[i], tampered, roots[n]).code(),
                  absl::StatusCode::kDataLoss)
            << "hash " << j;
      }
      // The proof proves no other leaf of this tree; in a tree of another
      // size, checked against that tree's root, only when it is also that
      // tree's proof.
      for (uint64_t i2 = 0; i2 < n; ++i2) {
        if (i2 == i) continue;
        EXPECT_FALSE(VerifyInclusion(i2, n, leaves[i], proof, roots[n]).ok()) << "as leaf " << i2;
      }
      for (uint64_t n2 : near(n)) {
        if (i >= n2) continue;
        EXPECT_EQ(VerifyInclusion(i, n2, leaves[i], proof, roots[n2]).ok(),
                  inclusion[n2][i] == proof)
            << "in " << n2;
      }
    }
  }

  for (uint64_t second = 1; second <= kMax; ++second) {
    for (uint64_t first = 1; first <= second; ++first) {
      SCOPED_TRACE(testing::Message() << first << " to " << second);
      const std::vector<Hash>& proof = consistency[second][first];
      ASSERT_TRUE(VerifyConsistency(first, second, roots[first], roots[second], proof).ok());

      if (first != second) {
        EXPECT_EQ(VerifyConsistency(first, second, roots[second], roots[first], proof).code(),
                  absl::StatusCode::kDataLoss);
      }
      EXPECT_FALSE(VerifyConsistency(first, second, roots[first - 1], roots[second], proof).ok());
      EXPECT_FALSE(VerifyConsistency(first, second, roots[first], roots[second - 1], proof).ok());
      for (size_t j = 0; j < proof.size(); ++j) {
        std::vector<Hash> tampered = proof;
        tampered[j][31 - j % 32] ^= 0x80;
        EXPECT_EQ(VerifyConsistency(first, second, roots[first], roots[second], tampered).code(),
                  absl::StatusCode::kDataLoss)
            << "hash " << j;
      }
      // Other sizes, with their own roots: only their own proof proves them.
      std::vector<std::pair<uint64_t, uint64_t>> others;
      for (uint64_t f : near(first)) others.emplace_back(f, second);
      for (uint64_t s : near(second)) others.emplace_back(first, s);
      for (const auto& [f, s] : others) {
        if (f > s) continue;
        EXPECT_EQ(VerifyConsistency(f, s, roots[f], roots[s], proof).ok(),
                  consistency[s][f] == proof)
            << "as " << f << " to " << s;
      }
    }
  }
}

TEST(MerkleTreeTest, PastRootsStayAsTheyWere) {
  const std::vector<Hash> leaves = NumberedLeaves(200);
  MerkleTree grown;
  for (uint64_t n = 0; n < leaves.size(); ++n) {
    grown.Append(leaves[n]);
    // Every earlier size, against a tree built with exactly that many leaves
    // (checked for a spread of sizes to keep this quadratic test short).
    for (uint64_t k : {uint64_t{0}, n / 3, n / 2, n, n + 1}) {
      MerkleTree exact;
      exact.AppendAll(std::vector<Hash>(leaves.begin(), leaves.begin() + k));
      ASSERT_EQ(*grown.RootAt(k), exact.Root()) << k << " of " << n + 1;
    }
  }
}

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

TEST(MerkleTreeTest, AMillionLeaves) {
  constexpr uint64_t kLeaves = 1'000'000;
  using Clock = std::chrono::steady_clock;

  Clock::time_point start = Clock::now();
  std::vector<Hash> leaves;
  leaves.reserve(kLeaves);
  for (uint64_t i = 0; i < kLeaves; ++i) {
    std::string input(64, 'x');  // about the size of a small entry
    std::memcpy(input.data(), &i, sizeof(i));
    leaves.push_back(LeafHash(input));
  }
  const uint64_t hash_us = MicrosSince(start);

  start = Clock::now();
  MerkleTree tree;
  tree.AppendAll(leaves);
  const uint64_t build_us = MicrosSince(start);
  ASSERT_EQ(tree.size(), kLeaves);

  start = Clock::now();
  const Hash root = tree.Root();
  const uint64_t root_us = MicrosSince(start);

  // Proofs of leaves spread over the tree, against the whole tree and
  // against older sizes, and consistency proofs from older sizes.
  constexpr int kProofs = 200;
  uint64_t inclusion_us = 0;
  uint64_t consistency_us = 0;
  uint64_t state = 12345;
  const auto next = [&](uint64_t bound) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    return (state >> 11) % bound;
  };
  for (int p = 0; p < kProofs; ++p) {
    const uint64_t size = p % 2 == 0 ? kLeaves : 1 + next(kLeaves);
    const uint64_t index = next(size);
    start = Clock::now();
    absl::StatusOr<std::vector<Hash>> inclusion = tree.InclusionProof(index, size);
    inclusion_us += MicrosSince(start);
    ASSERT_TRUE(inclusion.ok()) << inclusion.status();
    const Hash size_root = size == kLeaves ? root : *tree.RootAt(size);
    ASSERT_TRUE(VerifyInclusion(index, size, leaves[index], *inclusion, size_root).ok())
        << index << " in " << size;

    const uint64_t first = 1 + next(size);
    start = Clock::now();
    absl::StatusOr<std::vector<Hash>> consistency = tree.ConsistencyProof(first, size);
    consistency_us += MicrosSince(start);
    ASSERT_TRUE(consistency.ok()) << consistency.status();
    ASSERT_TRUE(VerifyConsistency(first, size, *tree.RootAt(first), size_root, *consistency).ok())
        << first << " to " << size;
  }
  std::printf(
      "1,000,000 leaves: leaf hashing %.2f s (%.0f leaves/s), tree build %.2f s, root %llu us, "
      "inclusion proof %.1f us, consistency proof %.1f us (mean of %d)\n",
      hash_us / 1e6, kLeaves / (hash_us / 1e6), build_us / 1e6,
      static_cast<unsigned long long>(root_us), static_cast<double>(inclusion_us) / kProofs,
      static_cast<double>(consistency_us) / kProofs, kProofs);
  // Microseconds, not milliseconds, even on a loaded machine.
  EXPECT_LT(inclusion_us / kProofs, 1000u);
  EXPECT_LT(consistency_us / kProofs, 1000u);
}

}  // namespace
}  // namespace dumas
