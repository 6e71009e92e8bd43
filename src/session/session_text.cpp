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
  // express-session's default cookie (most sessions', saved on every change) is one constant.
  if (!a.max_age && !a.partitioned && !a.priority && !a.expires && !a.secure && a.http_only.value_or(true) &&
      !a.domain && a.path && *a.path == "/" && !a.same_site) {
    out += R"({"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"})";
    return;
  }
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

namespace {

// A cursor over append_cookie_json's text: each step takes one expected piece or fails.
struct CookieReader {
  std::string_view text;
  std::size_t at = 0;

  bool take(std::string_view piece) {
    if (text.substr(at, piece.size()) != piece) return false;
    at += piece.size();
    return true;
  }
  bool next_is(std::string_view piece) const { return text.substr(at, piece.size()) == piece; }
  std::optional<bool> boolean() {
    if (take("true")) return true;
    if (take("false")) return false;
    return std::nullopt;
  }
  // A string that append_string writes without escapes (plain()); nullopt otherwise.
  std::optional<std::string_view> plain_string() {
    if (!take("\"")) return std::nullopt;
    const std::size_t start = at;
    while (at < text.size() && text[at] != '"') {
      const char c = text[at];
      if (c < 0x20 || c > 0x7e || c == '\\') return std::nullopt;
      ++at;
    }
    if (at == text.size()) return std::nullopt;
    return text.substr(start, at++ - start);
  }
  // An integer of at most 15 digits (exact in a double, as JavaScript wrote it); no fraction or
  // exponent, no leading zero.
  std::optional<std::int64_t> integer() {
    const bool negative = take("-");
    const std::size_t start = at;
    std::int64_t n = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9' && at - start < 16) n = n * 10 + (text[at++] - '0');
    const std::size_t digits = at - start;
    if (digits == 0 || digits > 15 || (digits > 1 && text[start] == '0')) return std::nullopt;
    if (at < text.size() && (text[at] == '.' || text[at] == 'e' || text[at] == 'E')) return std::nullopt;
    return negative ? -n : n;
  }
};

}  // namespace

std::size_t read_leading_cookie(std::string_view text, SessionCookie& cookie) {
  CookieReader r{text};
  CookieAttributes a;
  if (!r.take("{\"cookie\":{\"originalMaxAge\":")) return 0;
  if (!r.take("null")) {
    auto ms = r.integer();
    if (!ms) return 0;
    a.max_age = std::chrono::milliseconds(*ms);
  }
  if (r.take(",\"partitioned\":") && !(a.partitioned = r.boolean())) return 0;
  if (r.take(",\"priority\":")) {
    auto s = r.plain_string();
    if (!s) return 0;
    a.priority = std::string(*s);
  }
  if (!r.take(",\"expires\":")) return 0;
  if (!r.take("null")) {
    auto s = r.plain_string();
    if (!s) return 0;
    a.expires = parse_iso_timestamp(*s);
  }
  if (r.take(",\"secure\":") && !(a.secure = r.boolean())) return 0;
  if (!r.take(",\"httpOnly\":") || !(a.http_only = r.boolean())) return 0;
  if (r.take(",\"domain\":")) {
    auto s = r.plain_string();
    if (!s) return 0;
    a.domain = std::string(*s);
  }
  if (r.take(",\"path\":")) {
    auto s = r.plain_string();
    if (!s) return 0;
    a.path = std::string(*s);
  }
  if (r.take(",\"sameSite\":")) {
    if (auto b = r.boolean()) {
      a.same_site = *b;
    } else if (auto s = r.plain_string()) {
      a.same_site = std::string(*s);
    } else {
      return 0;
    }
  }
  if (!r.take("}") || !(r.next_is(",") || r.next_is("}"))) return 0;
  cookie.attributes = std::move(a);
  return r.at;
}

std::optional<std::chrono::system_clock::time_point> cookie_expiry(const SessionCookie& cookie) {
  const auto& expires = cookie.attributes.expires;
  if (!expires) return std::nullopt;
  return parse_iso_date(iso_date(*expires));  // as the store reads the text back, out-of-range dates included
}

bool SessionContext::stored_text_into(const Session& s, std::string_view data_text, std::string& out) {
  // The cookie goes first in every session the middleware makes or loads from its own writes;
  // elsewhere, and when stringify would order the keys otherwise (JavaScript lists array-index
  // keys first) or a data key is "cookie" itself, the object is built and written as before.
  if (s.cookie_position_ != 0 || data_text.size() < 2 || data_text.front() != '{') return false;
  for (const auto& entry : s.view()) {
    const std::string_view key = entry.key();
    if (key == "cookie" || key_may_move(key)) return false;
  }
  out.clear();
  out.reserve(data_text.size() + 10 + 128);
  out += "{\"cookie\":";
  append_cookie_json(out, s.cookie_);
  if (data_text.size() > 2) out += ',';
  out.append(data_text.substr(1));
  return true;
}

std::optional<std::string> SessionContext::stored_text(const Session& s, std::string_view data_text) {
  std::string out;
  if (!stored_text_into(s, data_text, out)) return std::nullopt;
  return out;
}

}  // namespace cortado::detail
