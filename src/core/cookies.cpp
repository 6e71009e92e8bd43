#include "cortado/core/cookies.hpp"
#include "core/raw_cookie.hpp"

#include "cortado/core/url.hpp"
#include "core/byte_table.hpp"
#include "core/header_text.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace cortado {
namespace {

// cookie@0.7's cookieValueRegExp: cookie-octets, optionally wrapped in one pair of quotes.
bool valid_value(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  // RFC 6265's cookie-octet, by table: every Set-Cookie's value is checked here.
  static constexpr text::ByteTable octet = text::byte_table(
      [](unsigned char c) { return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\'; });
  for (char c : value)
    if (!octet[static_cast<unsigned char>(c)]) return false;
  return true;
}

// cookie@0.7's domainValueRegExp: dot-separated labels of [A-Za-z0-9-], 1..63 long, no '-' at
// either end of a label, one optional leading dot.
bool valid_domain(std::string_view domain) {
  if (domain.starts_with('.')) domain.remove_prefix(1);
  if (domain.empty()) return false;
  for (;;) {
    auto dot = domain.find('.');
    auto label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    const auto label_byte = [](char c) { return text::is_ascii_alnum(static_cast<unsigned char>(c)) || c == '-'; };
    if (!std::all_of(label.begin(), label.end(), label_byte)) return false;
    if (dot == std::string_view::npos) return true;
    domain.remove_prefix(dot + 1);
  }
}

// cookie@0.7's pathValueRegExp: printable ASCII except ';' and '<' (no header injection).
bool valid_path(std::string_view path) {
  return std::all_of(path.begin(), path.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != ';' && c != '<'; });
}

}  // namespace

namespace {

// cookie.parse's walk: each name=value pair in order, the name and value trimmed and a quoted
// value unquoted, the value not yet decoded. `on_pair` returns true to stop.
template <class OnPair>
void for_each_cookie(std::string_view header, OnPair&& on_pair) {
  if (header.size() < 2) return;  // cookie.parse: too short to hold a pair
  while (!header.empty()) {
    auto semi = header.find(';');
    auto pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    auto name = text::trim(pair.substr(0, eq));
    auto value = text::trim(pair.substr(eq + 1));
    if (!value.empty() && value.front() == '"' && value.back() == '"')
      value = value.size() == 1 ? std::string_view{} : value.substr(1, value.size() - 2);
    if (on_pair(name, value)) return;
  }
}

// decodeURIComponent, or the value as it is where that throws (cookie.parse's tryDecode).
std::string decoded_value(std::string_view value) {
  auto decoded = decode_uri_component(value);
  return decoded ? std::move(*decoded) : std::string(value);
}

}  // namespace

Cookies parse_cookies(std::string_view header) {
  Cookies cookies;
  for_each_cookie(header, [&](std::string_view name, std::string_view value) {
    if (!cookies.contains(name)) cookies.add(std::string(name), decoded_value(value));  // the first occurrence wins
    return false;
  });
  return cookies;
}

std::optional<std::string_view> find_raw_cookie(std::string_view header, std::string_view name) {
  std::optional<std::string_view> found;
  for_each_cookie(header, [&](std::string_view pair_name, std::string_view value) {
    if (pair_name != name) return false;
    found = value;  // the first occurrence, as parse_cookies keeps
    return true;
  });
  return found;
}

std::optional<std::string> find_cookie(std::string_view header, std::string_view name) {
  auto raw = find_raw_cookie(header, name);
  if (!raw) return std::nullopt;
  return decoded_value(*raw);
}

std::string serialize_cookie(std::string_view name, std::string_view value, const CookieAttributes& a) {
  if (!text::is_token(name))  // cookie@0.7's cookieNameRegExp is an RFC 9110 token
    throw std::invalid_argument("cookie name is invalid: " + std::string(name));
  if (!valid_value(value)) throw std::invalid_argument("cookie value is invalid");
  std::string out;
  out.reserve(name.size() + value.size() + 128);
  out.append(name).append("=").append(value);
  if (a.max_age) {
    // cookie.serialize writes Math.floor(maxAge) of the seconds Express hands it.
    const auto ms = a.max_age->count();
    out.append("; Max-Age=").append(std::to_string(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)));
  }
  // cookie@0.7 tests each attribute for truth: an empty string is left out like an absent one.
  if (a.domain && !a.domain->empty()) {
    if (!valid_domain(*a.domain)) throw std::invalid_argument("cookie domain is invalid: " + *a.domain);
    out.append("; Domain=").append(*a.domain);
  }
  if (a.path && !a.path->empty()) {
    if (!valid_path(*a.path)) throw std::invalid_argument("cookie path is invalid");
    out.append("; Path=").append(*a.path);
  }
  if (a.expires) out.append("; Expires=").append(http_date(*a.expires));
  if (a.http_only.value_or(false)) out += "; HttpOnly";
  if (a.secure.value_or(false)) out += "; Secure";
  if (a.partitioned.value_or(false)) out += "; Partitioned";
  if (a.priority && !a.priority->empty()) {
    auto p = text::to_lower(*a.priority);
    if (p == "low") out += "; Priority=Low";
    else if (p == "medium") out += "; Priority=Medium";
    else if (p == "high") out += "; Priority=High";
    else throw std::invalid_argument("cookie priority is invalid: " + *a.priority);
  }
  if (a.same_site) {
    if (const bool* strict = std::get_if<bool>(&*a.same_site)) {
      if (*strict) out += "; SameSite=Strict";
    } else if (const auto& given = std::get<std::string>(*a.same_site); !given.empty()) {
      auto s = text::to_lower(given);
      if (s == "true" || s == "strict") out += "; SameSite=Strict";
      else if (s == "lax") out += "; SameSite=Lax";
      else if (s == "none") out += "; SameSite=None";
      else throw std::invalid_argument("cookie sameSite is invalid: " + given);
    }
  }
  return out;
}

std::string set_cookie_header(std::string_view name, std::string_view value, const CookieAttributes& attrs) {
  const std::string encoded = encode_uri_component(value);
  if (!attrs.max_age) return serialize_cookie(name, encoded, attrs);
  // Express: Expires = now + maxAge beside Max-Age.
  CookieAttributes with_expiry = attrs;
  with_expiry.expires = now_ms() + *attrs.max_age;
  return serialize_cookie(name, encoded, with_expiry);
}

}  // namespace cortado
