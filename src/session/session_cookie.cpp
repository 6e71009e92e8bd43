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
  if (!attributes.expires) return std::nullopt;
  return (*attributes.expires - now_ms()).count();
}

void SessionCookie::set_max_age(std::optional<std::int64_t> ms) {
  if (!ms) {  // a browser-session cookie: no clock to read (every touch of one comes here)
    attributes.max_age.reset();
    attributes.expires.reset();
    return;
  }
  // Past a JavaScript Date's range Node makes an Invalid Date, which its serialize refuses.
  constexpr std::int64_t limit = 8'640'000'000'000'000;
  const Timestamp now = now_ms();
  const std::int64_t now_count = now.time_since_epoch().count();
  if (*ms > limit - now_count || *ms < -limit - now_count) throw std::out_of_range("cookie maxAge is out of range");
  attributes.max_age = milliseconds(*ms);
  attributes.expires = now + milliseconds(*ms);
}

void SessionCookie::set_expires(std::optional<Timestamp> when) {
  attributes.expires = when;
  const auto left = max_age();
  attributes.max_age = left ? std::optional(milliseconds(*left)) : std::nullopt;
}

void SessionCookie::reset_max_age() { set_max_age(original_max_age()); }

json::object SessionCookie::to_json(json::storage_ptr storage) const {
  const CookieAttributes& a = attributes;
  json::object o(std::move(storage));
  o.reserve(9);
  if (a.max_age) {
    o.emplace("originalMaxAge", a.max_age->count());
  } else {
    o.emplace("originalMaxAge", nullptr);
  }
  if (a.partitioned) o.emplace("partitioned", *a.partitioned);
  if (a.priority) o.emplace("priority", *a.priority);
  if (a.expires) {
    o.emplace("expires", iso_date(*a.expires));
  } else {
    o.emplace("expires", nullptr);
  }
  if (a.secure) o.emplace("secure", *a.secure);
  o.emplace("httpOnly", a.http_only.value_or(true));
  if (a.domain) o.emplace("domain", *a.domain);
  if (a.path) o.emplace("path", *a.path);
  if (a.same_site) {
    if (const bool* b = std::get_if<bool>(&*a.same_site)) {
      o.emplace("sameSite", *b);
    } else {
      o.emplace("sameSite", std::get<std::string>(*a.same_site));
    }
  }
  return o;
}

SessionCookie SessionCookie::from_json(const json::object& stored) {
  SessionCookie c;
  CookieAttributes& a = c.attributes;
  // Store.createSession keeps the stored originalMaxAge as it is and turns the expires string back
  // into a Date; an unreadable date becomes an Invalid Date there, which JSON writes as null.
  if (const json::value* v = stored.if_contains("originalMaxAge")) {
    if (auto ms = read_int(*v)) a.max_age = milliseconds(*ms);
  }
  if (const json::value* v = stored.if_contains("expires"); v && v->is_string()) {
    a.expires = parse_iso_timestamp(v->get_string());
  }
  a.secure = read_bool(stored, "secure");
  a.http_only = read_bool(stored, "httpOnly").value_or(true);
  a.domain = read_string(stored, "domain");
  if (stored.contains("path")) a.path = read_string(stored, "path");
  if (const json::value* v = stored.if_contains("sameSite")) {
    if (v->is_bool()) a.same_site = v->get_bool();
    if (v->is_string()) a.same_site = std::string(v->get_string());
  }
  a.partitioned = read_bool(stored, "partitioned");
  a.priority = read_string(stored, "priority");
  return c;
}

std::string SessionCookie::serialize(std::string_view name, std::string_view value) const {
  // express-session passes cookie.data to cookie.serialize: Expires, never Max-Age (max_age holds
  // originalMaxAge), and HttpOnly unless turned off.
  const std::string encoded = encode_uri_component(value);
  if (!attributes.max_age && attributes.http_only) return serialize_cookie(name, encoded, attributes);
  CookieAttributes data = attributes;
  data.max_age.reset();
  data.http_only = attributes.http_only.value_or(true);
  return serialize_cookie(name, encoded, data);
}

}  // namespace cortado
