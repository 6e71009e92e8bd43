#include "app/freshness.hpp"

#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdio>
#include <ctime>

namespace cortado {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view strip_weak(std::string_view tag) { return tag.starts_with("W/") ? tag.substr(2) : tag; }

std::optional<std::time_t> parse_http_date(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  if (!strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
  return timegm(&tm);
}

}  // namespace

std::string weak_etag(std::string_view body) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  unsigned char b64[32];
  EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
  char length[20];
  std::snprintf(length, sizeof length, "%zx", body.size());
  std::string tag = "W/\"";
  tag += length;
  tag += '-';
  tag.append(reinterpret_cast<const char*>(b64), 27);
  tag += '"';
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
  auto none_match = req.get("if-none-match");
  auto modified_since = req.get("if-modified-since");
  if (none_match.empty() && modified_since.empty()) return false;
  // An explicit end-to-end reload asks for the full response.
  if (req.get("cache-control").find("no-cache") != std::string_view::npos) return false;
  if (!none_match.empty() && trim(none_match) != "*") {
    auto etag = strip_weak(res.get("etag"));
    if (etag.empty()) return false;
    bool matched = false;
    while (!none_match.empty() && !matched) {
      auto comma = none_match.find(',');
      matched = strip_weak(trim(none_match.substr(0, comma))) == etag;
      none_match = comma == std::string_view::npos ? std::string_view{} : none_match.substr(comma + 1);
    }
    if (!matched) return false;
  }
  if (!modified_since.empty()) {
    auto last_modified = res.get("last-modified");
    auto since = parse_http_date(modified_since);
    auto modified = parse_http_date(last_modified);
    if (!since || !modified || *modified > *since) return false;
  }
  return true;
}

}  // namespace cortado
