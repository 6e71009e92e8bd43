#pragma once
/// Cookie headers, parsed and written with the rules of the `cookie` npm package that Express uses.

#include "cortado/core/dates.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cortado {

/// Request cookies in the order the header lists them (first occurrence of a name wins,
/// values %-decoded), looked up by name.
class Cookies {
 public:
  using value_type = std::pair<std::string, std::string>;
  using const_iterator = std::vector<value_type>::const_iterator;

  const_iterator find(std::string_view name) const {
    for (auto it = items_.begin(); it != items_.end(); ++it)
      if (it->first == name) return it;
    return items_.end();
  }
  bool contains(std::string_view name) const { return find(name) != end(); }
  /// The cookie's value, "" when absent.
  std::string_view operator[](std::string_view name) const {
    auto it = find(name);
    return it == end() ? std::string_view{} : std::string_view(it->second);
  }
  /// The cookie's value; throws std::out_of_range when absent.
  const std::string& at(std::string_view name) const {
    auto it = find(name);
    if (it == end()) throw std::out_of_range("no cookie named " + std::string(name));
    return it->second;
  }
  /// Adds a cookie unless one of that name is there already.
  void add(std::string name, std::string value) {
    if (!contains(name)) items_.emplace_back(std::move(name), std::move(value));
  }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<value_type> items_;
};

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
  std::optional<Timestamp> expires{};
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
