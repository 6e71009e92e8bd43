#include "app/freshness.hpp"

#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "core/digest.hpp"
#include "core/header_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace cortado {
namespace {

std::string_view strip_weak(std::string_view tag) { return tag.starts_with("W/") ? tag.substr(2) : tag; }

// Cache-Control holds a whole "no-cache" directive (not "no-cache-please").
bool has_no_cache(std::string_view header) {
  return text::any_list_item(header, [](std::string_view item) { return item == "no-cache"; });
}

}  // namespace

std::optional<std::time_t> parse_http_date(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string s(text);
  // IMF-fixdate, RFC 850 and asctime: the three forms HTTP allows.
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    std::tm tm{};
    const char* end = strptime(s.c_str(), format, &tm);
    if (end && *end == '\0') return timegm(&tm);
  }
  return std::nullopt;
}

void append_weak_etag(std::string& tag, std::string_view body) {
  // The last small body this thread tagged, and its tag: an app that sends the same short
  // response again and again (a health check, a fixed JSON) pays a comparison instead of a SHA-1
  // (a tenth of a hello request's instructions). Found only when every byte is equal, so the tag
  // is the one computed below; a body over 1 KiB is neither looked up nor kept.
  struct LastTag {
    std::string body;
    std::string tag;
  };
  constexpr std::size_t remembered_size = 1024;
  thread_local LastTag last;
  const bool small = body.size() <= remembered_size;
  if (small && !last.tag.empty() && body == last.body) {
    tag += last.tag;
    return;
  }
  const std::size_t start = tag.size();
  const auto digest = detail::sha1(body);
  char length[20];
  const auto end = std::to_chars(length, length + sizeof length, body.size(), 16).ptr;
  tag.reserve(tag.size() + 3 + sizeof length + 1 + 27 + 1);
  tag += "W/\"";
  tag.append(length, end);
  tag += '-';
  detail::append_base64(tag, digest, false, false);  // the etag package cuts the base64 to 27 characters
  tag += '"';
  if (small) {
    last.body.assign(body);
    last.tag.assign(tag, start);
  }
}

std::string weak_etag(std::string_view body) {
  std::string tag;
  append_weak_etag(tag, body);
  return tag;
}

std::string file_etag(std::uint64_t size, std::uint64_t mtime_ms) {
  char text[64];
  std::snprintf(text, sizeof text, "W/\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime_ms));
  return text;
}

bool is_fresh(const Request& req, const Response& res) {
  if (req.method() != "GET" && req.method() != "HEAD") return false;
  unsigned code = res.status_code();
  if (!((code >= 200 && code < 300) || code == 304)) return false;
  // Most requests carry neither validator: one pass over the fields' codes says so, cheaper than
  // two lookups by name (each a search comparing names case-insensitively).
  using field = boost::beast::http::field;
  const auto& fields = req.raw();
  if (std::none_of(fields.begin(), fields.end(),
                   [](const auto& f) { return f.name() == field::if_none_match || f.name() == field::if_modified_since; }))
    return false;
  auto none_match = req.get("if-none-match");
  auto modified_since = req.get("if-modified-since");
  if (none_match.empty() && modified_since.empty()) return false;
  // An explicit end-to-end reload asks for the full response (a whole no-cache directive).
  if (has_no_cache(req.get("cache-control"))) return false;
  if (!none_match.empty()) {
    // The fresh package: If-None-Match decides alone when present.
    if (none_match == "*") return true;
    auto etag = res.get("etag");
    if (etag.empty()) return false;
    // The fresh package trims spaces only: a tab-separated tag does not match.
    return text::any_list_item(
        none_match,
        [&](std::string_view item) { return item == etag || item == strip_weak(etag) || strip_weak(item) == etag; },
        " ");
  }
  auto since = parse_http_date(modified_since);
  auto modified = parse_http_date(res.get("last-modified"));
  return since && modified && *modified <= *since;
}

}  // namespace cortado
