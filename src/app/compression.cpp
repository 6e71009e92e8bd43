// compression(): the compression package (1.8) over cortado's buffered bodies. It decides in an
// on-headers hook, as the package does, because only then are the type, length and encoding of
// the answer known; the body is encoded there at once instead of as a stream.

#include "cortado/app/compression.hpp"

#include "app/access.hpp"
#include "app/content_coding.hpp"
#include "app/negotiator.hpp"
#include "core/header_text.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <utility>

namespace cortado {
namespace {

#include "app/compressible_table.inc"

namespace beast_http = boost::beast::http;

// What the package offers, and its order when q values tie (br before gzip, then the header's).
const std::vector<std::string> supported = {"br", "gzip", "deflate", "identity"};
const std::vector<std::string> preferred = {"br", "gzip"};

// Cache-Control: no-transform (RFC 9111 5.2.2.6), as the package's /(?:^|,)\s*?no-transform\s*?(?:,|$)/.
bool forbids_transform(std::string_view cache_control) {
  return text::any_list_item(cache_control, [](std::string_view item) { return item == "no-transform"; },
                             " \t\n\r\v\f");
}

// The length the package compares with the threshold: Content-Length when set, else the body's.
std::size_t body_length(Response& res) {
  auto& raw = detail::AppAccess::raw(res);
  auto stated = res.get("content-length");
  std::size_t n = 0;
  if (!stated.empty() && std::from_chars(stated.data(), stated.data() + stated.size(), n).ec == std::errc{}) return n;
  auto& file = detail::AppAccess::exchange(res).file;
  return file ? static_cast<std::size_t>(file->remaining()) : raw.body().size();
}

// A file body read whole, for encoding; false when it is too long to hold.
bool take_file(Response& res, std::size_t limit) {
  auto& file = detail::AppAccess::exchange(res).file;
  if (!file) return true;
  if (file->remaining() > limit) return false;
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(file->remaining()));
  std::array<char, 65536> buffer;
  while (auto n = file->read_next(buffer)) bytes.append(buffer.data(), n);
  file.reset();
  detail::AppAccess::raw(res).body() = std::move(bytes);
  return true;
}

void compress(const CompressionOptions& options, Request& req, Response& res) {
  if (!(options.filter ? options.filter(req, res) : compressible_response(req, res))) return;
  if (forbids_transform(res.get("cache-control"))) return;
  res.vary("Accept-Encoding");
  if (body_length(res) < options.threshold) return;
  auto current = res.get("content-encoding");
  if (!current.empty() && current != "identity") return;
  if (req.method() == "HEAD") return;
  // A range of the identity body, encoded, would not be the range Content-Range names; the
  // package compresses it anyway, which clients cannot decode into the right bytes.
  auto status = res.status_code();
  if (status == 206 || status == 204 || status == 304) return;

  std::string method;
  auto accept = req.get("accept-encoding");
  auto ranked = negotiation::encodings_0_6(accept, supported, preferred);
  if (!ranked.empty()) method = ranked.front();
  if (accept.empty() && std::find(supported.begin(), supported.end(), options.enforce_encoding) != supported.end())
    method = options.enforce_encoding;
  if (method.empty() || method == "identity") return;

  if (!take_file(res, options.max_file_size)) return;
  auto& raw = detail::AppAccess::raw(res);
  raw.body() = detail::encode_content(method, raw.body(), options.level, options.brotli_quality);
  raw.set(beast_http::field::content_encoding, method);
  // The server states the encoded length (Node's package removes it and sends chunks instead).
  raw.erase(beast_http::field::content_length);
}

}  // namespace

bool compressible(std::string_view content_type) {
  // compressible's /^\s*([^;\s]*)(?:;|\s|$)/: the type before any parameter, lower-cased.
  auto type = text::to_lower(text::trim(content_type, " \t\n\r\v\f"));
  type = type.substr(0, type.find_first_of("; \t\n\r\v\f"));
  if (type.empty()) return false;
  auto it = std::lower_bound(std::begin(compressible_types), std::end(compressible_types), type,
                             [](const auto& entry, const std::string& key) { return entry.first < key; });
  if (it != std::end(compressible_types) && it->first == type) return it->second;
  return type.starts_with("text/") || type.ends_with("+json") || type.ends_with("+text") || type.ends_with("+xml");
}

bool compressible_response(const Request&, const Response& res) { return compressible(res.get("content-type")); }

Middleware compression(CompressionOptions options) {
  if (options.level < -1 || options.level > 9) throw std::invalid_argument("compression: level must be -1 to 9");
  if (options.brotli_quality < 0 || options.brotli_quality > 11)
    throw std::invalid_argument("compression: brotli_quality must be 0 to 11");
  auto shared = std::make_shared<const CompressionOptions>(std::move(options));
  return make_middleware([shared](Request& req, Response& res, Next next) {
    res.on_headers([shared, &req, &res] { compress(*shared, req, res); });
    next();
  });
}

}  // namespace cortado
