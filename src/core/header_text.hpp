#pragma once
// Small text helpers for header values, shared by the HTTP and app layers.

#include "core/byte_table.hpp"
#include "core/byte_words.hpp"

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

namespace cortado::text {

/// `s` without leading and trailing `blanks` (by default spaces and tabs, HTTP's OWS).
inline std::string_view trim(std::string_view s, std::string_view blanks = " \t") {
  auto first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

/// ASCII lower case.
inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Calls `visit(item)` on each item of a comma-separated header list, trimmed of `blanks`,
/// until it returns true; says whether one did.
template <class Visit>
bool any_list_item(std::string_view list, Visit visit, std::string_view blanks = " \t") {
  for (;;) {
    auto comma = list.find(',');
    if (visit(trim(list.substr(0, comma), blanks))) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

/// An RFC 9110 token: what a header name may be (Node's checkIsHttpToken).
inline bool is_token(std::string_view s) {
  static constexpr ByteTable token = alnum_and("!#$%&'*+-.^_`|~");
  if (s.empty()) return false;
  for (char c : s)
    if (!token[static_cast<unsigned char>(c)]) return false;
  return true;
}

/// What a header value may hold (Node's checkInvalidHeaderChar): tab, visible ASCII, space and
/// bytes of 0x80 and above. CR, LF and NUL are what a response-splitting attack needs.
inline bool is_field_value(std::string_view s) {
  // Eight bytes at a time: a word with no byte below 0x20 and none equal to 0x7f is all allowed
  // (every Set-Cookie goes through here); one that has either is looked at byte by byte, for tabs.
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    const std::uint64_t word = load_word(s.data() + i);
    if (has_byte_below(word, 0x20) || has_byte(word, 0x7f)) break;
  }
  for (; i < s.size(); ++i) {
    auto u = static_cast<unsigned char>(s[i]);
    if (u != '\t' && (u < 0x20 || u == 0x7f)) return false;
  }
  return true;
}

}  // namespace cortado::text
