#include "session/session_text.hpp"

#include "cortado/core/dates.hpp"
#include "cortado/core/json.hpp"
#include "session/session_context.hpp"

#include <algorithm>

namespace cortado::detail {
namespace {

// Printable ASCII but '"' and '\\': written as it is, quoted, by stringify as well.
bool plain(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
}

void append_string(std::string& out, std::string_view s) {
  if (!plain(s)) {
    stringify_to(out, json::value(json::string_view(s)));  // escapes: stringify's own rules
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void append_bool(std::string& out, bool b) { out += b ? "true" : "false"; }

}  // namespace

void append_cookie_json(std::string& out, const SessionCookie& cookie) {
  // Keys in SessionCookie::to_json's order, which is Node's.
  const CookieAttributes& a = cookie.attributes;
  out.reserve(out.size() + 128);  // a default cookie's text is 67 bytes, one with an expiry 100
  out += "{\"originalMaxAge\":";
  if (a.max_age) stringify_to(out, json::value(a.max_age->count()));  // past 2^53: printed as JavaScript does
  else out += "null";
  if (a.partitioned) {
    out += ",\"partitioned\":";
    append_bool(out, *a.partitioned);
  }
  if (a.priority) {
    out += ",\"priority\":";
    append_string(out, *a.priority);
  }
  out += ",\"expires\":";
  if (a.expires) append_string(out, iso_date(*a.expires));
  else out += "null";
  if (a.secure) {
    out += ",\"secure\":";
    append_bool(out, *a.secure);
  }
  out += ",\"httpOnly\":";
  append_bool(out, a.http_only.value_or(true));
  if (a.domain) {
    out += ",\"domain\":";
    append_string(out, *a.domain);
  }
  if (a.path) {
    out += ",\"path\":";
    append_string(out, *a.path);
  }
  if (a.same_site) {
    out += ",\"sameSite\":";
    if (const bool* b = std::get_if<bool>(&*a.same_site)) append_bool(out, *b);
    else append_string(out, std::get<std::string>(*a.same_site));
  }
  out += '}';
}

std::optional<std::chrono::system_clock::time_point> cookie_expiry(const SessionCookie& cookie) {
  const auto& expires = cookie.attributes.expires;
  if (!expires) return std::nullopt;
  return parse_iso_date(iso_date(*expires));  // as the store reads the text back, out-of-range dates included
}

std::optional<std::string> SessionContext::stored_text(const Session& s, std::string_view data_text) {
  // The cookie goes first in every session the middleware makes or loads from its own writes;
  // elsewhere, and when stringify would order the keys otherwise (JavaScript lists array-index
  // keys first) or a data key is "cookie" itself, the object is built and written as before.
  if (s.cookie_position_ != 0 || data_text.size() < 2 || data_text.front() != '{') return std::nullopt;
  for (const auto& entry : s.data_) {
    const std::string_view key = entry.key();
    if (key == "cookie" || (!key.empty() && key.front() >= '0' && key.front() <= '9')) return std::nullopt;
  }
  std::string out;
  out.reserve(data_text.size() + 10 + 128);
  out += "{\"cookie\":";
  append_cookie_json(out, s.cookie_);
  if (data_text.size() > 2) out += ',';
  out.append(data_text.substr(1));
  return out;
}

}  // namespace cortado::detail
