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
#include <variant>
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
/// parse_cookies(header)'s value for `name`, without parsing the other pairs; nullopt when absent.
std::optional<std::string> find_cookie(std::string_view header, std::string_view name);

/// SameSite as Node takes it: `true` (Strict), `false` (left out), or "strict", "lax", "none"
/// (any case; "true" is Strict too).
using SameSite = std::variant<bool, std::string>;

/// The attributes of a Set-Cookie: what res.cookie(), res.clear_cookie(), the session cookie and
/// serialize_cookie take. Unset (and empty) ones are left out of the header.
struct CookieAttributes {
  /// Lifetime. res.cookie() writes it as Max-Age (whole seconds, floored) and the matching Expires;
  /// the session cookie keeps it as its originalMaxAge and writes Expires only.
  std::optional<std::chrono::milliseconds> max_age{};
  /// A fixed end (Expires).
  std::optional<Timestamp> expires{};
  /// The Domain attribute.
  std::optional<std::string> domain{};
  /// The Path attribute; "/" unless set, as Express and express-session default it.
  std::optional<std::string> path = "/";
  /// HttpOnly; unset takes the writer's default: off for res.cookie(), on for the session cookie.
  std::optional<bool> http_only{};
  /// Secure: the browser sends it back over HTTPS only.
  std::optional<bool> secure{};
  /// Partitioned (CHIPS).
  std::optional<bool> partitioned{};
  /// "low", "medium" or "high" (any case).
  std::optional<std::string> priority{};
  /// The SameSite attribute.
  std::optional<SameSite> same_site{};

  friend bool operator==(const CookieAttributes&, const CookieAttributes&) = default;
};

/// cookie@0.7's `serialize`: "name=value; Max-Age=..; Domain=..; Path=..; Expires=..; HttpOnly;
/// Secure; Partitioned; Priority=..; SameSite=..", with Max-Age as floor(max_age / 1s). Throws
/// std::invalid_argument where cookie@0.7 throws: a name that is not a token, a value, domain or
/// path outside its allowed characters (no CRLF, no ';'), an unknown priority or sameSite.
std::string serialize_cookie(std::string_view name, std::string_view encoded_value, const CookieAttributes& attrs);

/// res.cookie()'s Set-Cookie text: encodes the value and turns max_age into Expires + Max-Age.
std::string set_cookie_header(std::string_view name, std::string_view value, const CookieAttributes& attrs);

}  // namespace cortado
