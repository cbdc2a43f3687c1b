// Strict UTF-8 decoding for the transparency log's formats (signed notes and
// the canonical entry), which must refuse every byte string that is not
// UTF-8. Internal to dumas_domain's sources.
#ifndef DUMAS_DOMAIN_UTF8_H_
#define DUMAS_DOMAIN_UTF8_H_

#include <cstddef>
#include <string_view>

namespace dumas {

// Calls `visit` with each code point of `text`. False when `text` is not
// UTF-8, overlong forms, surrogates and values above U+10FFFF included.
template <typename Visit>
bool ForEachCodePoint(std::string_view text, Visit visit) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    char32_t code_point;
    char32_t smallest;  // below this the encoding is overlong
    size_t length;
    if (lead < 0x80) {
      code_point = lead;
      smallest = 0;
      length = 1;
    } else if ((lead & 0xE0) == 0xC0) {
      code_point = lead & 0x1F;
      smallest = 0x80;
      length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      code_point = lead & 0x0F;
      smallest = 0x800;
      length = 3;
    } else if ((lead & 0xF8) == 0xF0) {
      code_point = lead & 0x07;
      smallest = 0x10000;
      length = 4;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < smallest || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    visit(code_point);
    i += length;
  }
  return true;
}

// Whether `text` is UTF-8.
inline bool IsUtf8(std::string_view text) {
  return ForEachCodePoint(text, [](char32_t) {});
}

}  // namespace dumas

#endif  // DUMAS_DOMAIN_UTF8_H_
