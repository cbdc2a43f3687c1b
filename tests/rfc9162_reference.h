// An independent implementation of RFC 9162's Merkle tree hashing and proof
// verification (sections 2.1.1, 2.1.3.2 and 2.1.4.2), written from the RFC
// for the tests: it shares no code with domain/merkle_tree.h, so that the
// server's proofs are checked against the standard, not against themselves.
// OpenSSL-free: SHA-256 from libsodium.
#ifndef DUMAS_TESTS_RFC9162_REFERENCE_H_
#define DUMAS_TESTS_RFC9162_REFERENCE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace dumas::rfc9162 {

// Hashes as 32-byte strings.
std::string LeafHash(const std::string& leaf_input);  // HASH(0x00 || input)
std::string NodeHash(const std::string& left, const std::string& right);  // HASH(0x01 || l || r)

// MTH(D[n]) of the leaf hashes, by the recursive definition of 2.1.1.
std::string RootFromLeafHashes(const std::vector<std::string>& leaf_hashes);

// 2.1.3.2: whether `inclusion_path` proves that `leaf_hash` is leaf
// `leaf_index` of the tree of `tree_size` leaves with `root_hash`.
bool VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const std::string& leaf_hash,
                     const std::vector<std::string>& inclusion_path,
                     const std::string& root_hash);

// 2.1.4.2: whether `consistency_path` proves that the tree of `first` leaves
// with `first_hash` is a prefix of the tree of `second` leaves with
// `second_hash`. Equal sizes need an empty path and equal hashes.
bool VerifyConsistency(uint64_t first, uint64_t second, const std::string& first_hash,
                       const std::string& second_hash,
                       const std::vector<std::string>& consistency_path);

}  // namespace dumas::rfc9162

#endif  // DUMAS_TESTS_RFC9162_REFERENCE_H_
