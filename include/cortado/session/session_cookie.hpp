#pragma once
/// The session cookie's settings, as express-session's Cookie keeps them beside the session data.

#include "cortado/core/dates.hpp"
#include "cortado/core/json.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace cortado {

/// express-session's Cookie (lib/cookie.js): stored as the session's "cookie" key and turned
/// into the Set-Cookie header. Unset optionals are left out of both, as `undefined` is in Node.
class SessionCookie {
 public:
  /// The clock `expires` is measured on (now_ms()'s).
  using clock = Timestamp::clock;

  /// SameSite as Node allows it: `true` (meaning Strict), `false` (left out), or a string
  /// such as "lax", "strict", "none" (any case).
  using same_site_value = std::variant<bool, std::string>;

  /// The max-age it was given, in ms; nullopt is a browser-session cookie (JSON null).
  std::optional<std::int64_t> original_max_age{};
  /// When it ends; nullopt for a browser-session cookie (JSON null, no Expires attribute).
  std::optional<Timestamp> expires{};
  /// The Secure attribute; nullopt leaves the key out of the JSON.
  std::optional<bool> secure{};
  /// The HttpOnly attribute, on by default.
  bool http_only = true;
  /// The Domain attribute.
  std::optional<std::string> domain{};
  /// The Path attribute, "/" by default.
  std::optional<std::string> path = "/";
  /// The SameSite attribute.
  std::optional<same_site_value> same_site{};
  /// The Partitioned attribute (CHIPS).
  std::optional<bool> partitioned{};
  /// The Priority attribute: "low", "medium" or "high" (any case).
  std::optional<std::string> priority{};

  /// Milliseconds left until `expires` (negative once past), nullopt for a browser-session cookie.
  std::optional<std::int64_t> max_age() const;

  /// Sets expires to now + ms and original_max_age to ms; nullopt makes a browser-session cookie.
  /// Throws std::out_of_range beyond a century either way.
  void set_max_age(std::optional<std::int64_t> ms);

  /// What assigning `cookie.expires` does in Node: sets expires and makes original_max_age the
  /// milliseconds left until it (null for nullopt). Assign the field to set expires alone.
  void set_expires(std::optional<Timestamp> when);

  /// Starts the lifetime again from now with original_max_age (what Session.touch does).
  void reset_max_age();

  /// The stored form; keys in Node's order: originalMaxAge, partitioned, priority, expires,
  /// secure, httpOnly, domain, path, sameSite.
  json::object to_json() const;

  /// Reads the stored form; missing or ill-typed keys take the defaults, as `new Cookie(stored)` does.
  static SessionCookie from_json(const json::object& stored);

  /// The Set-Cookie header value that express-session sends: cookie@0.7's serialize(name, value,
  /// cookie.data) — the value URL-encoded, Expires but never Max-Age. Throws std::invalid_argument
  /// where cookie@0.7 throws (bad name, domain, path, priority or sameSite).
  std::string serialize(std::string_view name, std::string_view value) const;
};

}  // namespace cortado
