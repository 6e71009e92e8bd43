#pragma once
// Bytes as lower-case hex, for comparing digests and decoded bytes with Node's `.toString('hex')`.

#include <span>
#include <string>
#include <string_view>

namespace cortado::test {

inline std::string hex(std::span<const unsigned char> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

inline std::string hex(std::string_view bytes) {
  return hex(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

}  // namespace cortado::test
