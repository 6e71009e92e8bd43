#include "http/request_checks.hpp"

#include "core/byte_table.hpp"
#include "core/header_text.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

namespace cortado::http {
namespace {

// Where the blank line that ends the head starts (its '\n' before), npos when not yet there.
// One pass that stops at the first blank line: the buffer may hold many pipelined requests after it.
std::size_t blank_line(std::string_view text) {
  for (auto at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) {
    const std::string_view rest = text.substr(at + 1);
    if (rest.starts_with('\n') || rest.starts_with("\r\n")) return at;
  }
  return std::string_view::npos;
}

// The bytes RFC 3986 allows in a Host (reg-name or IP literal, with port), as a table: it is
// checked on every request, and find_first_not_of would search the list once per byte.
constexpr text::ByteTable host_bytes = text::alnum_and("-._~!$&'()*+,;=:[]%");

// The framing fields of a head, gathered in one pass over every field, each looked at by name:
// fields::equal_range gives a span of the list that holds only the named fields when Beast has
// kept them together, which is a detail of its insert(), not a promise.
struct Framing {
  std::size_t hosts = 0;
  std::string_view host;
  std::size_t lengths = 0;
  std::string_view length;
  std::size_t codings = 0;
  std::size_t chunked = 0;
  bool last_is_chunked = false;
};

Framing framing_of(const RawRequest& req) {
  Framing f;
  for (const auto& field : req) {
    switch (field.name()) {
      case beast_http::field::host:
        if (f.hosts++ == 0) f.host = field.value();
        break;
      case beast_http::field::content_length:
        if (f.lengths++ == 0) f.length = field.value();
        break;
      case beast_http::field::transfer_encoding:
        text::any_list_item(field.value(), [&](std::string_view item) {
          if (item.empty()) return false;
          ++f.codings;
          f.last_is_chunked = boost::beast::iequals(item, "chunked");
          if (f.last_is_chunked) ++f.chunked;
          return false;
        });
        break;
      default:
        break;
    }
  }
  return f;
}

// Host: exactly one in HTTP/1.1, at most one in 1.0, with a valid value (RFC 9112 3.2).
bool bad_host(const Framing& f, unsigned version) {
  if (f.hosts > 1 || (f.hosts == 0 && version >= 11)) return true;
  if (f.hosts == 0) return false;
  return !std::all_of(f.host.begin(), f.host.end(), [](char c) { return host_bytes[static_cast<unsigned char>(c)]; });
}

// One Content-Length, one number: "5, 5" and repeated fields are refused as Node does (RFC 9110
// 8.6 allows either), so that no two readers of the stream can disagree on the length.
bool bad_content_length(const Framing& f) {
  return f.lengths > 1 || (f.lengths == 1 && f.length.find(',') != std::string_view::npos);
}

// Transfer-Encoding (RFC 9112 6.1, 6.3): chunked once and last, or the length is unknown (400);
// any other coding is one we do not implement (501).
unsigned check_transfer_encoding(const Framing& f) {
  if (f.codings == 0) return 0;
  if (!f.last_is_chunked || f.chunked > 1) return 400;
  return f.codings > 1 ? 501 : 0;
}

}  // namespace

std::string_view head_so_far(std::string_view buffered) {
  auto end = blank_line(buffered);
  return buffered.substr(0, end == std::string_view::npos ? buffered.size() : end + 1);
}

bool head_complete(std::string_view buffered) { return blank_line(buffered) != std::string_view::npos; }

HeadScan scan_head(std::string_view buffered) {
  HeadScan scan;
  for (auto at = buffered.find('\n'); at != std::string_view::npos; at = buffered.find('\n', at + 1)) {
    const std::string_view rest = buffered.substr(at + 1);
    if (rest.starts_with('\n') || rest.starts_with("\r\n")) {
      scan.complete = true;
      break;
    }
    if (rest.starts_with(' ') || rest.starts_with('\t')) {
      scan.folded = true;  // refused whole: whether the head is complete no longer matters
      break;
    }
  }
  return scan;
}

bool has_obs_fold(std::string_view head) {
  return head.find("\n ") != std::string_view::npos || head.find("\n\t") != std::string_view::npos;
}

unsigned check_head(const RawRequest& req) {
  if (req.method() == beast_http::verb::unknown) return 400;  // as Node's parser
  auto framing = framing_of(req);
  if (bad_host(framing, req.version()) || bad_content_length(framing)) return 400;
  return check_transfer_encoding(framing);
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

unsigned status_for_overlong_chunk_text(std::string_view unparsed) {
  // Beast leaves the CRLF that ends the previous chunk's data in front of the next size line.
  if (unparsed.starts_with("\r\n")) unparsed.remove_prefix(2);
  auto eol = unparsed.find("\r\n");
  if (eol == std::string_view::npos) return 413;  // the size line itself (extensions) is too long
  auto size = unparsed.substr(0, std::min(eol, unparsed.find(';')));
  bool last_chunk = !size.empty() && size.find_first_not_of('0') == std::string_view::npos;
  return last_chunk ? 431 : 413;
}

void separate_trailers(Fields& req, Fields head, Fields& trailers) {
  trailers.clear();
  // Of each name, the fields past the head's own count of it came in the trailer section.
  std::map<std::string, std::size_t, std::less<>> seen;
  for (const auto& field : req) {
    auto name = text::to_lower(field.name_string());
    auto& count = seen[name];
    if (++count > head.count(field.name_string())) trailers.insert(field.name_string(), field.value());
  }
  req = std::move(head);
}

std::size_t section_size(const Fields& fields) {
  std::size_t size = 0;
  for (const auto& field : fields) size += field.name_string().size() + 2 + field.value().size() + 2;
  return size;
}

bool framing_forces_close(const RawRequest& req) {
  return req.version() < 11 && req.find(beast_http::field::transfer_encoding) != req.end();
}

}  // namespace cortado::http
