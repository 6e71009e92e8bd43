#include "cortado/core/url.hpp"
#include "core/decode_in_place.hpp"

#include "core/byte_table.hpp"

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace cortado {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool valid_utf8(std::string_view s) {
  // ASCII (nearly every cookie and path) is valid as it is: skipped 8 bytes at a time.
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080u) break;
  }
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
    if (extra == 9 || i + extra >= s.size()) return false;
    std::uint32_t cp = extra == 0 ? c : c & (0x3f >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are rejected as JavaScript does.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
      return false;
    i += extra + 1;
  }
  return true;
}

// What encodeURIComponent leaves as it is: letters, digits and -_.!~*'(), by table.
constexpr text::ByteTable unreserved = text::alnum_and("-_.!~*'()");

void append_percent(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out += '%';
  out += hex[c >> 4];
  out += hex[c & 15];
}

// querystring.unescape: decodeURIComponent, or on failure a byte-wise decode of the valid escapes.
std::string unescape_query(std::string_view s) {
  std::string spaced(s);
  for (char& c : spaced)
    if (c == '+') c = ' ';
  if (auto decoded = decode_uri_component(spaced)) return *decoded;
  // Node decodes the valid escapes byte by byte and reads the bytes as UTF-8.
  std::string out;
  for (std::size_t i = 0; i < spaced.size(); ++i) {
    if (spaced[i] == '%' && i + 2 < spaced.size() && hex_value(spaced[i + 1]) >= 0 &&
        hex_value(spaced[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(spaced[i + 1]) * 16 + hex_value(spaced[i + 2]));
      i += 2;
    } else {
      out += spaced[i];
    }
  }
  return to_well_formed_utf8(out);
}

// Adds `value` under `key`, making an array of repeated keys (querystring and qs alike).
void add_pair(boost::json::object& result, std::string key, std::string value) {
  auto it = result.find(key);
  if (it == result.end()) {
    result.emplace(key, value);
  } else if (it->value().is_array()) {
    it->value().get_array().emplace_back(value);
  } else {
    boost::json::array both{it->value(), boost::json::string(value)};
    it->value() = std::move(both);
  }
}

// qs's decoder: '+' is a space, %-escapes are UTF-8 (or ISO-8859-1 bytes), and a string that
// cannot be decoded is kept as written.
std::string decode_form_component(std::string_view s, bool latin1) {
  std::string spaced(s);
  for (char& c : spaced)
    if (c == '+') c = ' ';
  if (latin1) {
    std::string bytes;
    for (std::size_t i = 0; i < spaced.size(); ++i) {
      if (spaced[i] == '%' && i + 2 < spaced.size() && hex_value(spaced[i + 1]) >= 0 && hex_value(spaced[i + 2]) >= 0) {
        bytes += static_cast<char>(hex_value(spaced[i + 1]) * 16 + hex_value(spaced[i + 2]));
        i += 2;
      } else {
        bytes += spaced[i];
      }
    }
    return latin1_to_utf8(bytes);
  }
  auto decoded = decode_uri_component(spaced);
  return decoded ? *decoded : spaced;
}

}  // namespace

std::string to_well_formed_utf8(std::string_view s) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  // Nearly every input is ASCII: copy it whole instead of byte by byte.
  if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return std::string(s);
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // The WHATWG decoder: each maximal ill-formed subpart becomes one U+FFFD.
    std::size_t need = 0;
    unsigned char low = 0x80, high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2, low = c == 0xe0 ? 0xa0 : 0x80, high = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4) need = 3, low = c == 0xf0 ? 0x90 : 0x80, high = c == 0xf4 ? 0x8f : 0xbf;
    else {
      out += replacement;
      ++i;
      continue;
    }
    std::size_t k = 1;
    for (; k <= need && i + k < s.size(); ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      unsigned char lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xbf;
      if (cc < lo || cc > hi) break;
    }
    if (k == need + 1) {
      out.append(s.substr(i, need + 1));
    } else {
      out += replacement;
    }
    i += k;
  }
  return out;
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

boost::json::object parse_form(std::string_view body, bool latin1, std::size_t parameter_limit) {
  boost::json::object result;
  std::size_t pairs = 0;
  while (!body.empty()) {
    auto amp = body.find('&');
    auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    if (++pairs > parameter_limit) throw std::length_error("too many parameters");
    auto eq = pair.find('=');
    std::string key = decode_form_component(pair.substr(0, eq), latin1);
    if (key.empty() || key == "__proto__") continue;
    add_pair(result, std::move(key),
             eq == std::string_view::npos ? std::string() : decode_form_component(pair.substr(eq + 1), latin1));
  }
  return result;
}

std::optional<std::size_t> decode_uri_component_in_place(char* const begin, const std::size_t size) {
  // Every signed session cookie comes through here ("s%3A", the id, '.' and a MAC with %2B and
  // %2F): its escapes are decoded in place, the runs between them moved down with one memchr and
  // one memmove each, rather than appended a piece at a time.
  if (size == 0) return 0;  // memchr must not see the null data() of an empty view
  const char* const end = begin + size;
  auto* first = static_cast<char*>(std::memchr(begin, '%', size));
  if (!first) return size;
  char* to = first;
  const char* from = first;
  while (from != end) {  // at a '%'
    if (end - from < 3) return std::nullopt;
    const int hi = hex_value(from[1]), lo = hex_value(from[2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    *to++ = static_cast<char>(hi * 16 + lo);
    from += 3;
    const auto* next = static_cast<const char*>(std::memchr(from, '%', static_cast<std::size_t>(end - from)));
    const std::size_t run = static_cast<std::size_t>((next ? next : end) - from);
    std::memmove(to, from, run);
    to += run;
    from += run;
  }
  const auto decoded = static_cast<std::size_t>(to - begin);
  if (!valid_utf8(std::string_view(begin, decoded))) return std::nullopt;
  return decoded;
}

std::optional<std::string> decode_uri_component(std::string_view s) {
  std::string out(s);
  const auto size = decode_uri_component_in_place(out.data(), out.size());
  if (!size) return std::nullopt;
  out.resize(*size);
  return out;
}

std::string encode_uri_component(std::string_view s) {
  // Runs of unreserved characters are appended whole: every signed session cookie comes through
  // here ("s:", the id, '.' and the MAC, where only the ':' and the MAC's '+' and '/' are escaped),
  // and a byte-by-byte append cost more than the rest of its Set-Cookie.
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t run = i;
    while (run < s.size() && unreserved[static_cast<unsigned char>(s[run])]) ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    append_percent(out, static_cast<unsigned char>(s[run]));
    i = run + 1;
  }
  return out;
}

std::string encode_url(std::string_view s) {
  // encodeurl keeps the characters a URL may hold as they are, and valid %XX escapes.
  static constexpr std::string_view allowed = "!#$&'()*+,-./:;=?@[\\]^_|~";
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0)
      out += '%';
    else if (std::isalnum(c) || allowed.find(static_cast<char>(c)) != std::string_view::npos)
      out += static_cast<char>(c);
    else
      append_percent(out, c);
  }
  return out;
}

boost::json::object parse_query(std::string_view query) {
  boost::json::object result;
  std::size_t keys = 0;
  while (!query.empty() && keys < 1000) {  // querystring's maxKeys default
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    ++keys;  // querystring counts empty pairs against maxKeys too
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = unescape_query(pair.substr(0, eq));
    add_pair(result, std::move(key), eq == std::string_view::npos ? std::string() : unescape_query(pair.substr(eq + 1)));
  }
  return result;
}

std::string escape_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace cortado
