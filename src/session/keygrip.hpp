#pragma once
// Keygrip 1.1 as cookie-session uses it (through the cookies package): HMAC-SHA1 of the text
// "name=value", base64 with '+' '/' made '-' '_' and the '=' padding dropped.

#include "core/digest.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cortado::detail {

class Keygrip {
 public:
  /// The first key signs; all of them verify, in order. Needs at least one.
  explicit Keygrip(std::span<const std::string> keys);

  /// keygrip.sign(data), with the first key.
  std::string sign(std::string_view data) const;
  /// keygrip.index(data, digest): the position of the key whose signature of `data` is `digest`
  /// (compared in constant time), -1 when none is.
  int index(std::string_view data, std::string_view digest) const;

 private:
  std::vector<HmacSha1> keys_;
};

}  // namespace cortado::detail
