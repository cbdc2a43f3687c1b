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

// Whether `text` repeats `value`, where that can be told: a value of 8 bytes
// or more holding a byte that no error text of ours does (a control byte, or
// one that never occurs in UTF-8). Any other value may by chance be part of
// a fixed message ("complaints/{reference_number}"), which the fuzzer soon
// finds; the unit tests check that printable values are not repeated.
// Takes std:: and absl:: strings and views alike (Debian's Abseil has a
// string_view of its own).
template <typename Text, typename Value>
bool Repeats(const Text& text_in, const Value& value_in) {
  const std::string_view text(text_in.data(), text_in.size());
  const std::string_view value(value_in.data(), value_in.size());
  if (value.size() < 8) return false;
  bool distinctive = false;
  for (const char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f || b == 0xc0 || b == 0xc1 || b >= 0xf5) distinctive = true;
  }
  return distinctive && text.find(value) != std::string_view::npos;
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
