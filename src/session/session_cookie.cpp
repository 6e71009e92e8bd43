// The session cookie: express-session 1.19's lib/cookie.js, with cookie@0.7.2's serialize.
#include "cortado/session/session_cookie.hpp"

#include "cortado/session/dates.hpp"

#include <stdexcept>

namespace cortado {
namespace {

using std::chrono::milliseconds;

std::chrono::time_point<SessionCookie::clock, milliseconds> now_ms() {
  // JavaScript dates have millisecond resolution; keeping ours there makes max_age() and the
  // stored text agree with what Node would compute.
  return std::chrono::floor<milliseconds>(SessionCookie::clock::now());
}

bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_lower(std::string_view text, std::string_view lowered) {
  if (text.size() != lowered.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (lower(text[i]) != lowered[i]) return false;
  }
  return true;
}

// encodeURIComponent on UTF-8 bytes: its unreserved set is A-Z a-z 0-9 - _ . ! ~ * ' ( ).
void append_uri_component(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (is_alnum(c) || std::string_view("-_.!~*'()").find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 15]);
    }
  }
}

// cookie@0.7's cookieNameRegExp: /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/ (an RFC 6265 token).
bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!is_alnum(c) && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// cookie@0.7's domainValueRegExp: dot-separated labels of [a-z0-9-] (any case), 1..63 long, no
// '-' at either end of a label, and one optional leading dot.
bool valid_domain(std::string_view domain) {
  if (domain.starts_with('.')) domain.remove_prefix(1);
  if (domain.empty()) return false;
  while (true) {
    const auto dot = domain.find('.');
    const std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    domain.remove_prefix(dot + 1);
  }
}

// cookie@0.7's pathValueRegExp: /^[\u0020-\u003A\u003D-\u007E]*$/, i.e. printable ASCII but ';' and '<'.
bool valid_path(std::string_view path) {
  for (const char c : path) {
    if (c < 0x20 || c > 0x7E || c == ';' || c == '<') return false;
  }
  return true;
}

std::optional<std::int64_t> read_int(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double()) return static_cast<std::int64_t>(v.get_double());
  return std::nullopt;
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
  return (std::chrono::floor<milliseconds>(*expires) - now_ms()).count();
}

void SessionCookie::set_max_age(std::optional<std::int64_t> ms) {
  // A time_point counts nanoseconds in an int64, so a century each way is the range kept safe
  // (Node would make an Invalid Date far beyond it, which its serialize then refuses).
  constexpr std::int64_t limit = std::int64_t{100} * 366 * 86'400'000;
  if (ms && (*ms > limit || *ms < -limit)) throw std::out_of_range("cookie maxAge is out of range");
  original_max_age = ms;
  if (ms) {
    expires = now_ms() + milliseconds(*ms);
  } else {
    expires.reset();
  }
}

void SessionCookie::set_expires(std::optional<clock::time_point> when) {
  expires = when ? std::optional<clock::time_point>(std::chrono::floor<milliseconds>(*when)) : std::nullopt;
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
    c.expires = parse_iso_date(v->get_string());
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
  if (!valid_name(name)) throw std::invalid_argument("cookie name is invalid");
  std::string out;
  out.reserve(name.size() + value.size() * 3 + 128);
  out.append(name);
  out.push_back('=');
  append_uri_component(out, value);
  // cookie@0.7 tests each option for truthiness, so empty strings are left out like absent ones.
  if (domain && !domain->empty()) {
    if (!valid_domain(*domain)) throw std::invalid_argument("cookie domain is invalid");
    out += "; Domain=";
    out += *domain;
  }
  if (path && !path->empty()) {
    if (!valid_path(*path)) throw std::invalid_argument("cookie path is invalid");
    out += "; Path=";
    out += *path;
  }
  if (expires) {
    out += "; Expires=";
    out += http_date(*expires);
  }
  if (http_only) out += "; HttpOnly";
  if (secure.value_or(false)) out += "; Secure";
  if (partitioned.value_or(false)) out += "; Partitioned";
  if (priority && !priority->empty()) {
    if (equals_lower(*priority, "low")) {
      out += "; Priority=Low";
    } else if (equals_lower(*priority, "medium")) {
      out += "; Priority=Medium";
    } else if (equals_lower(*priority, "high")) {
      out += "; Priority=High";
    } else {
      throw std::invalid_argument("cookie priority is invalid");
    }
  }
  if (same_site) {
    if (const bool* b = std::get_if<bool>(&*same_site)) {
      if (*b) out += "; SameSite=Strict";
    } else if (const std::string& s = std::get<std::string>(*same_site); !s.empty()) {
      if (equals_lower(s, "lax")) {
        out += "; SameSite=Lax";
      } else if (equals_lower(s, "strict")) {
        out += "; SameSite=Strict";
      } else if (equals_lower(s, "none")) {
        out += "; SameSite=None";
      } else {
        throw std::invalid_argument("cookie sameSite is invalid");
      }
    }
  }
  return out;
}

}  // namespace cortado
