#pragma once
/// Cookie headers, parsed and written with the rules of the `cookie` npm package that Express uses.

#include "cortado/app/dates.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cortado {

/// Request cookies by name (first occurrence wins, values %-decoded).
using Cookies = std::map<std::string, std::string, std::less<>>;

/// `cookie.parse`: pairs split on ';', names and values trimmed, quotes removed, the first
/// occurrence of a name kept, values decoded with decodeURIComponent when that succeeds.
Cookies parse_cookies(std::string_view header);

/// The attributes of a Set-Cookie, as res.cookie() takes them.
struct CookieOptions {
  /// Relative lifetime; writes Max-Age (seconds) and the matching Expires.
  std::optional<std::chrono::milliseconds> max_age{};
  std::optional<std::chrono::system_clock::time_point> expires{};
  std::string domain{};
  /// Default "/", as Express sets it.
  std::string path = "/";
  bool http_only = false;
  bool secure = false;
  bool partitioned = false;
  /// "low", "medium" or "high" (any case); empty = absent.
  std::string priority{};
  /// "strict", "lax" or "none" (any case), or "true" (= Strict); empty = absent.
  std::string same_site{};
  /// Value written as is, without encodeURIComponent (for values already encoded).
  bool raw = false;
};

/// Attributes as cookie.serialize receives them: Max-Age already in whole seconds.
struct CookieAttributes {
  std::optional<std::int64_t> max_age_seconds{};
  std::optional<std::chrono::system_clock::time_point> expires{};
  std::string_view domain;
  std::string_view path;
  bool http_only = false;
  bool secure = false;
  bool partitioned = false;
  std::string_view priority;
  std::string_view same_site;
};

/// cookie@0.7's `serialize`: "name=value; Max-Age=..; Domain=..; Path=..; Expires=..; HttpOnly;
/// Secure; Partitioned; Priority=..; SameSite=..". Empty attributes are left out. Throws
/// std::invalid_argument where cookie@0.7 throws: a name that is not a token, a value, domain or
/// path outside its allowed characters (no CRLF, no ';'), an unknown priority or sameSite.
std::string serialize_cookie(std::string_view name, std::string_view encoded_value, const CookieAttributes& attrs);

/// res.cookie()'s Set-Cookie text: encodes the value and turns max_age into Expires + Max-Age.
std::string set_cookie_header(std::string_view name, std::string_view value, const CookieOptions& options);

}  // namespace cortado
