#include "http/utf8_check.hpp"

namespace cortado::http {

bool Utf8Check::add(std::span<const unsigned char> bytes) {
  for (unsigned char c : bytes) {
    if (needed_ > 0) {
      if (c < low_ || c > high_) return false;
      --needed_;
      low_ = 0x80;
      high_ = 0xbf;
      continue;
    }
    if (c < 0x80) continue;
    // The second byte's range rules out overlong forms (E0, F0), surrogates (ED) and code
    // points past U+10FFFF (F4) (RFC 3629 section 4).
    if (c >= 0xc2 && c <= 0xdf) {
      needed_ = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      needed_ = 2;
      if (c == 0xe0) low_ = 0xa0;
      if (c == 0xed) high_ = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      needed_ = 3;
      if (c == 0xf0) low_ = 0x90;
      if (c == 0xf4) high_ = 0x8f;
    } else {
      return false;  // a stray continuation byte, C0/C1 (overlong) or F5-FF
    }
  }
  return true;
}

}  // namespace cortado::http
