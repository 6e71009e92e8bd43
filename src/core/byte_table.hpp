#pragma once
// A yes/no answer for each of the 256 byte values, built at compile time. Text checked on every
// request (header names and values, cookie octets, URI escapes, JSON escapes, Host) is scanned
// with one table load per byte instead of a chain of comparisons or a search of a character list.

#include <array>
#include <cstddef>
#include <string_view>

namespace cortado::text {

using ByteTable = std::array<bool, 256>;

/// ASCII letters and digits: the part most such tables share.
constexpr bool is_ascii_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/// The table of the bytes for which `holds(byte)` is true.
template <class Predicate>
constexpr ByteTable byte_table(Predicate holds) {
  ByteTable table{};
  for (std::size_t c = 0; c < table.size(); ++c) table[c] = holds(static_cast<unsigned char>(c));
  return table;
}

/// The table of ASCII letters, digits and the bytes of `others`.
constexpr ByteTable alnum_and(std::string_view others) {
  return byte_table([others](unsigned char c) {
    return is_ascii_alnum(c) || others.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

}  // namespace cortado::text
