#pragma once
/// The session cookie's settings, as express-session's Cookie keeps them beside the session data.

#include "cortado/core/cookies.hpp"
#include "cortado/core/dates.hpp"
#include "cortado/core/json.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cortado {

/// express-session's Cookie (lib/cookie.js): stored as the session's "cookie" key and turned
/// into the Set-Cookie header. Unset optionals are left out of both, as `undefined` is in Node.
class SessionCookie {
 public:
  /// The clock `expires` is measured on (now_ms()'s).
  using clock = Timestamp::clock;

  /// Its attributes. max_age is express-session's originalMaxAge (the lifetime it was given;
  /// unset is a browser-session cookie, JSON null) and is never sent: the header carries Expires,
  /// and expires unset is JSON null. http_only unset is on, as in express-session.
  CookieAttributes attributes{};

  /// express-session's originalMaxAge in ms (attributes.max_age), nullopt for a browser-session cookie.
  std::optional<std::int64_t> original_max_age() const {
    return attributes.max_age ? std::optional(attributes.max_age->count()) : std::nullopt;
  }

  /// Milliseconds left until `expires` (negative once past), nullopt for a browser-session cookie.
  std::optional<std::int64_t> max_age() const;

  /// Sets expires to now + ms and max_age to ms; nullopt makes a browser-session cookie.
  /// Throws std::out_of_range beyond a century either way.
  void set_max_age(std::optional<std::int64_t> ms);

  /// What assigning `cookie.expires` does in Node: sets expires and makes max_age the
  /// milliseconds left until it (null for nullopt). Assign the field to set expires alone.
  void set_expires(std::optional<Timestamp> when);

  /// Starts the lifetime again from now with max_age (what Session.touch does).
  void reset_max_age();

  /// The stored form; keys in Node's order: originalMaxAge, partitioned, priority, expires,
  /// secure, httpOnly, domain, path, sameSite.
  json::object to_json(json::storage_ptr storage = {}) const;

  /// Reads the stored form; missing or ill-typed keys take the defaults, as `new Cookie(stored)` does.
  static SessionCookie from_json(const json::object& stored);

  /// The Set-Cookie header value that express-session sends: cookie@0.7's serialize(name, value,
  /// cookie.data) — the value URL-encoded, Expires but never Max-Age. Throws std::invalid_argument
  /// where cookie@0.7 throws (bad name, domain, path, priority or sameSite).
  std::string serialize(std::string_view name, std::string_view value) const;
};

}  // namespace cortado
