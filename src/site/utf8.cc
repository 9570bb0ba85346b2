// Implementation of utf8.hh: a byte-wise walk over the well-formed sequences table of
// RFC 3629 §4 (the second byte's allowed range depends on the lead byte).
#include "site/utf8.hh"

#include <cstdint>

namespace zs::site {

bool is_valid_utf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  while (p < end) {
    const uint8_t b = *p;
    if (b < 0x80) {
      ++p;
      continue;
    }
    size_t need = 0;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b == 0xE0) {
      need = 2, lo = 0xA0;  // excludes overlong 3-byte forms
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      need = 2;
    } else if (b == 0xED) {
      need = 2, hi = 0x9F;  // excludes surrogates U+D800..U+DFFF
    } else if (b == 0xF0) {
      need = 3, lo = 0x90;  // excludes overlong 4-byte forms
    } else if (b >= 0xF1 && b <= 0xF3) {
      need = 3;
    } else if (b == 0xF4) {
      need = 3, hi = 0x8F;  // excludes code points above U+10FFFF
    } else {
      return false;  // continuation byte as lead, C0/C1 overlong leads, F5..FF
    }
    if (static_cast<size_t>(end - p) <= need) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (size_t k = 2; k <= need; ++k)
      if ((p[k] & 0xC0) != 0x80) return false;
    p += need + 1;
  }
  return true;
}

}  // namespace zs::site
