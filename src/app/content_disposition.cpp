#include "cortado/app/content_disposition.hpp"

#include <cstdint>

namespace cortado {
namespace {

bool is_token_char(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         std::string_view("!#$%&'*+.^_`|~-").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

bool is_printable_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

bool has_percent_escape(std::string_view s) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  for (std::size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] == '%' && hex(s[i + 1]) && hex(s[i + 2])) return true;
  return false;
}

/// path.basename (POSIX): the part after the last '/', trailing slashes ignored.
std::string_view basename(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p == "/") return {};
  auto slash = p.find_last_of('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

/// getAscii: each UTF-16 unit outside printable ASCII becomes '?' (a code point past U+FFFF is two).
std::string ascii_fallback(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += (b >= 0x20 && b <= 0x7e) ? static_cast<char>(b) : '?';
      ++i;
      continue;
    }
    std::size_t n = (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
    out += n == 4 ? "??" : "?";
    i += n;
  }
  return out;
}

/// encodeURIComponent, then ' ( ) * escaped too (RFC 8187's attr-char).
std::string encode_extended(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "UTF-8''";
  for (unsigned char c : s) {
    bool keep = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_' ||
                c == '.' || c == '!' || c == '~';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

/// format(): a token as it is, other text quoted with \ before " and \.
void append_param(std::string& out, std::string_view name, std::string_view value) {
  out += "; ";
  out += name;
  out += '=';
  if (is_token(value)) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string content_disposition(std::optional<std::string_view> filename, std::string_view type) {
  std::string out(type);
  if (!filename) return out;
  std::string_view name = basename(*filename);
  if (is_printable_ascii(name) && !has_percent_escape(name)) {
    append_param(out, "filename", name);
    return out;
  }
  append_param(out, "filename", ascii_fallback(name));
  append_param(out, "filename*", encode_extended(name));
  return out;
}

}  // namespace cortado
