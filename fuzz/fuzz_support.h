// What the fuzz targets share: splitting an input into fields, and checking
// a property so that a failure stops the run with a finding. Each target
// defines LLVMFuzzerTestOneInput; built with -DDUMAS_FUZZ=ON it is a
// libFuzzer binary, otherwise replay_main.cc runs it over its corpus.
#ifndef DUMAS_FUZZ_FUZZ_SUPPORT_H_
#define DUMAS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace dumas::fuzz {

// The input as bytes.
inline std::string_view Bytes(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// The input cut at each `separator` into exactly `n` fields: missing fields
// are empty, and the last one takes the rest (separators included).
inline std::vector<std::string_view> Fields(std::string_view input, size_t n,
                                            char separator = '\0') {
  std::vector<std::string_view> fields;
  while (fields.size() + 1 < n) {
    const size_t end = input.find(separator);
    if (end == std::string_view::npos) break;
    fields.push_back(input.substr(0, end));
    input.remove_prefix(end + 1);
  }
  fields.push_back(input);
  fields.resize(n);
  return fields;
}

// Aborts with `what` when `condition` does not hold: a property of the code
// under test was broken. Never prints the input (a corpus may hold realistic
// personal data); libFuzzer saves it as the crash artifact.
#define DUMAS_FUZZ_CHECK(condition, what)                                           \
  do {                                                                              \
    if (!(condition)) {                                                             \
      std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

}  // namespace dumas::fuzz

#endif  // DUMAS_FUZZ_FUZZ_SUPPORT_H_
