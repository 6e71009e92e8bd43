// The session cookie: express-session 1.19's lib/cookie.js, with cookie@0.7.2's serialize.
#include "cortado/session/session_cookie.hpp"

#include "cortado/core/cookies.hpp"
#include "cortado/core/dates.hpp"
#include "cortado/core/url.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace cortado {
namespace {

using std::chrono::milliseconds;

// A stored number as whole milliseconds. Past int64 (a foreign or hand-edited store) it saturates:
// casting such a double is undefined behaviour (found by fuzz/session_load_fuzz.cpp), and a large
// uint64 would wrap to a negative age. set_max_age() then refuses either extreme, as Node's Date
// does with a maxAge that large.
std::optional<std::int64_t> read_int(const json::value& v) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(std::min(v.get_uint64(), static_cast<std::uint64_t>(max)));
  if (!v.is_double() || std::isnan(v.get_double())) return std::nullopt;
  double d = v.get_double();
  if (d >= 9223372036854775808.0) return max;  // 2^63
  if (d < -9223372036854775808.0) return min;
  return static_cast<std::int64_t>(d);
}

std::optional<bool> read_bool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_bool()) return v->get_bool();
  return std::nullopt;
}

std::optional<std::string> read_string(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_string()) return std::string(v->get_string());
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> SessionCookie::max_age() const {
  if (!expires) return std::nullopt;
  return (*expires - now_ms()).count();
}

void SessionCookie::set_max_age(std::optional<std::int64_t> ms) {
  // Past a JavaScript Date's range Node makes an Invalid Date, which its serialize refuses.
  constexpr std::int64_t limit = 8'640'000'000'000'000;
  const Timestamp now = now_ms();
  const std::int64_t now_count = now.time_since_epoch().count();
  if (ms && (*ms > limit - now_count || *ms < -limit - now_count)) {
    throw std::out_of_range("cookie maxAge is out of range");
  }
  original_max_age = ms;
  if (ms) {
    expires = now + milliseconds(*ms);
  } else {
    expires.reset();
  }
}

void SessionCookie::set_expires(std::optional<Timestamp> when) {
  expires = when;
  original_max_age = max_age();
}

void SessionCookie::reset_max_age() { set_max_age(original_max_age); }

json::object SessionCookie::to_json() const {
  json::object o;
  o.reserve(9);
  if (original_max_age) {
    o.emplace("originalMaxAge", *original_max_age);
  } else {
    o.emplace("originalMaxAge", nullptr);
  }
  if (partitioned) o.emplace("partitioned", *partitioned);
  if (priority) o.emplace("priority", *priority);
  if (expires) {
    o.emplace("expires", iso_date(*expires));
  } else {
    o.emplace("expires", nullptr);
  }
  if (secure) o.emplace("secure", *secure);
  o.emplace("httpOnly", http_only);
  if (domain) o.emplace("domain", *domain);
  if (path) o.emplace("path", *path);
  if (same_site) {
    if (const bool* b = std::get_if<bool>(&*same_site)) {
      o.emplace("sameSite", *b);
    } else {
      o.emplace("sameSite", std::get<std::string>(*same_site));
    }
  }
  return o;
}

SessionCookie SessionCookie::from_json(const json::object& stored) {
  SessionCookie c;
  // Store.createSession keeps the stored originalMaxAge as it is and turns the expires string back
  // into a Date; an unreadable date becomes an Invalid Date there, which JSON writes as null.
  if (const json::value* v = stored.if_contains("originalMaxAge")) c.original_max_age = read_int(*v);
  if (const json::value* v = stored.if_contains("expires"); v && v->is_string()) {
    c.expires = parse_iso_timestamp(v->get_string());
  }
  c.secure = read_bool(stored, "secure");
  if (auto b = read_bool(stored, "httpOnly")) c.http_only = *b;
  c.domain = read_string(stored, "domain");
  if (stored.contains("path")) c.path = read_string(stored, "path");
  if (const json::value* v = stored.if_contains("sameSite")) {
    if (v->is_bool()) c.same_site = v->get_bool();
    if (v->is_string()) c.same_site = std::string(v->get_string());
  }
  c.partitioned = read_bool(stored, "partitioned");
  c.priority = read_string(stored, "priority");
  return c;
}

std::string SessionCookie::serialize(std::string_view name, std::string_view value) const {
  // express-session passes cookie.data to cookie.serialize: Expires, never Max-Age.
  std::string same_site_text;
  if (same_site) {
    if (const bool* b = std::get_if<bool>(&*same_site))
      same_site_text = *b ? "strict" : "";
    else
      same_site_text = std::get<std::string>(*same_site);
  }
  CookieAttributes attrs{.max_age_seconds = std::nullopt,
                         .expires = expires,
                         .domain = domain ? std::string_view(*domain) : std::string_view{},
                         .path = path ? std::string_view(*path) : std::string_view{},
                         .http_only = http_only,
                         .secure = secure.value_or(false),
                         .partitioned = partitioned.value_or(false),
                         .priority = priority ? std::string_view(*priority) : std::string_view{},
                         .same_site = same_site_text};
  return serialize_cookie(name, encode_uri_component(value), attrs);
}

}  // namespace cortado
