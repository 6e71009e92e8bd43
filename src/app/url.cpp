#include "cortado/app/url.hpp"

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

#include <cctype>

namespace cortado {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
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

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' ||
         c == '\'' || c == '(' || c == ')';
}

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
  return out;
}

}  // namespace

std::optional<std::string> decode_uri_component(std::string_view s) {
  if (s.find('%') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (!valid_utf8(out)) return std::nullopt;
  return out;
}

std::string encode_uri_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (is_unreserved(c))
      out += static_cast<char>(c);
    else
      append_percent(out, c);
  }
  return out;
}

std::string encode_url(std::string_view s) {
  // encodeurl keeps the characters a URL may hold as they are, and valid %XX escapes.
  static constexpr std::string_view allowed = "!#$&'()*+,-./:;=?@[]_~";
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
    if (pair.empty()) continue;
    ++keys;
    auto eq = pair.find('=');
    std::string key = unescape_query(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : unescape_query(pair.substr(eq + 1));
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
