#include "tests/rfc9162_reference.h"

#include <sodium.h>

namespace dumas::rfc9162 {
namespace {

std::string Sha256(const std::string& data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

// The largest power of two smaller than n (n > 1).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

std::string Mth(const std::vector<std::string>& leaves, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return Sha256("");
  if (n == 1) return leaves[begin];
  const size_t k = SplitPoint(n);
  return NodeHash(Mth(leaves, begin, begin + k), Mth(leaves, begin + k, end));
}

bool Lsb(uint64_t x) { return (x & 1) != 0; }

}  // namespace

std::string LeafHash(const std::string& leaf_input) {
  return Sha256(std::string(1, '\x00') + leaf_input);
}

std::string NodeHash(const std::string& left, const std::string& right) {
  return Sha256(std::string(1, '\x01') + left + right);
}

std::string RootFromLeafHashes(const std::vector<std::string>& leaf_hashes) {
  return Mth(leaf_hashes, 0, leaf_hashes.size());
}

bool VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const std::string& leaf_hash,
                     const std::vector<std::string>& inclusion_path,
                     const std::string& root_hash) {
  // 1. Compare leaf_index against tree_size.
  if (leaf_index >= tree_size) return false;
  // 2. fn = leaf_index, sn = tree_size - 1.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  // 3. r = hash.
  std::string r = leaf_hash;
  // 4. For each value p in the inclusion_path array:
  for (const std::string& p : inclusion_path) {
    // a. If sn is 0, then stop the iteration and fail.
    if (sn == 0) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn:
    if (Lsb(fn) || fn == sn) {
      r = NodeHash(p, r);
      // If LSB(fn) is not set, right-shift both until LSB(fn) is set or fn is 0.
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    // c. Right-shift both fn and sn one time.
    fn >>= 1;
    sn >>= 1;
  }
  // 5. sn is 0 and r is root_hash.
  return sn == 0 && r == root_hash;
}

bool VerifyConsistency(uint64_t first, uint64_t second, const std::string& first_hash,
                       const std::string& second_hash,
                       const std::vector<std::string>& consistency_path) {
  if (first == 0 || first > second) return false;
  if (first == second) return consistency_path.empty() && first_hash == second_hash;
  // 1. An empty path fails.
  if (consistency_path.empty()) return false;
  // 2. If first is an exact power of 2, prepend first_hash.
  std::vector<std::string> path;
  if ((first & (first - 1)) == 0) path.push_back(first_hash);
  path.insert(path.end(), consistency_path.begin(), consistency_path.end());
  // 3. fn = first - 1, sn = second - 1.
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  // 4. If LSB(fn) is set, right-shift both until LSB(fn) is not set.
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  // 5. fr = sr = the first value of the path.
  std::string fr = path[0];
  std::string sr = path[0];
  // 6. For each subsequent value c:
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    // a. If sn is 0, fail.
    if (sn == 0) return false;
    // b.
    if (Lsb(fn) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    // c. Right-shift both one time.
    fn >>= 1;
    sn >>= 1;
  }
  // 7. fr is first_hash, sr is second_hash, and sn is 0.
  return fr == first_hash && sr == second_hash && sn == 0;
}

}  // namespace dumas::rfc9162
