#include "http/request_checks.hpp"

#include "http/header_text.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <vector>

namespace cortado::http {
namespace {

// Where the blank line that ends the head starts (its '\n' before), npos when not yet there.
std::size_t blank_line(std::string_view text) { return std::min(text.find("\n\r\n"), text.find("\n\n")); }

// Host: exactly one in HTTP/1.1, at most one in 1.0, with a valid value (RFC 9112 3.2).
bool bad_host(const RawRequest& req) {
  auto [first, last] = req.equal_range(beast_http::field::host);
  auto hosts = std::distance(first, last);
  if (hosts > 1 || (hosts == 0 && req.version() >= 11)) return true;
  if (hosts == 0) return false;
  static constexpr std::string_view allowed =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:[]%";
  return first->value().find_first_not_of(allowed) != std::string_view::npos;
}

// One Content-Length, one number: "5, 5" and repeated fields are refused as Node does (RFC 9110
// 8.6 allows either), so that no two readers of the stream can disagree on the length.
bool bad_content_length(const RawRequest& req) {
  auto [first, last] = req.equal_range(beast_http::field::content_length);
  if (first == last) return false;
  return std::distance(first, last) > 1 || first->value().find(',') != std::string_view::npos;
}

// Transfer-Encoding (RFC 9112 6.1, 6.3): chunked once and last, or the length is unknown (400);
// any other coding is one we do not implement (501).
unsigned check_transfer_encoding(const RawRequest& req) {
  std::vector<std::string_view> codings;
  for (auto [it, last] = req.equal_range(beast_http::field::transfer_encoding); it != last; ++it) {
    text::any_list_item(it->value(), [&](std::string_view item) {
      if (!item.empty()) codings.push_back(item);
      return false;
    });
  }
  if (codings.empty()) return 0;
  auto is_chunked = [](std::string_view c) { return boost::beast::iequals(c, "chunked"); };
  if (!is_chunked(codings.back()) || std::count_if(codings.begin(), codings.end(), is_chunked) > 1) return 400;
  return codings.size() > 1 ? 501 : 0;
}

}  // namespace

std::string_view head_so_far(std::string_view buffered) {
  auto end = blank_line(buffered);
  return buffered.substr(0, end == std::string_view::npos ? buffered.size() : end + 1);
}

bool head_complete(std::string_view buffered) { return blank_line(buffered) != std::string_view::npos; }

bool has_obs_fold(std::string_view head) {
  return head.find("\n ") != std::string_view::npos || head.find("\n\t") != std::string_view::npos;
}

unsigned check_head(const RawRequest& req) {
  if (req.method() == beast_http::verb::unknown) return 400;  // as Node's parser
  if (bad_host(req) || bad_content_length(req)) return 400;
  return check_transfer_encoding(req);
}

bool other_major_version(std::string_view head) {
  auto line = head.substr(0, head.find("\r\n"));
  if (line.size() < 9) return false;
  auto version = line.substr(line.size() - 8);
  // Through unsigned char: std::isdigit of a negative char (any byte >= 0x80 here) is undefined.
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  return line[line.size() - 9] == ' ' && version.starts_with("HTTP/") && digit(version[5]) && version[6] == '.' &&
         digit(version[7]) && version[5] != '1';
}

}  // namespace cortado::http
