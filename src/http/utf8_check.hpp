#pragma once
// Incremental UTF-8 validation for WebSocket text messages (RFC 6455 8.1), which arrive in frames
// and reads that may split a character anywhere: the state between pieces is three bytes.

#include <cstdint>
#include <span>

namespace cortado::http {

/// Validates UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF) piece by
/// piece; fails as soon as a byte cannot continue any valid text.
class Utf8Check {
 public:
  /// False once the bytes so far cannot be the start of valid UTF-8.
  bool add(std::span<const unsigned char> bytes);
  /// Whether the text ends on a whole character (call once the message is complete).
  bool complete() const { return needed_ == 0; }
  void reset() { *this = Utf8Check{}; }

 private:
  std::uint8_t needed_ = 0;  // continuation bytes still to come
  std::uint8_t low_ = 0x80;  // the range the next continuation byte must fall in
  std::uint8_t high_ = 0xbf;
};

}  // namespace cortado::http
