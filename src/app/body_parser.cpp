#include "cortado/app/body_parser.hpp"

#include "cortado/app/http_error.hpp"
#include "cortado/app/request.hpp"
#include "cortado/core/url.hpp"
#include "core/header_text.hpp"

#include <boost/beast/core/string.hpp>

#include <zlib.h>

#include <cctype>

namespace cortado::body_parser {
namespace {

struct Body {
  std::string text;     // decoded to UTF-8 where the parser reads text
  std::string charset;  // lower-cased, "" when the Content-Type names none
};
using Parse = std::function<json::value(Body& body, const Options&)>;

// The charset parameter of a Content-Type, lower-cased and unquoted.
std::string charset_of(std::string_view content_type) {
  auto type = text::to_lower(content_type);
  auto at = type.find("charset=");
  if (at == std::string::npos) return {};
  auto value = std::string_view(type).substr(at + 8);
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  return std::string(value);
}

// gzip and deflate bodies are inflated, as body-parser does; `limit` bounds the inflated size.
std::string inflate(std::string_view encoded, std::size_t limit) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) throw HttpError(500, "cannot inflate the request body");  // 32: gzip or zlib
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(encoded.data()));
  z.avail_in = static_cast<uInt>(encoded.size());
  int rc = Z_OK;
  char chunk[16384];
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = ::inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(chunk, sizeof chunk - z.avail_out);
    if (out.size() > limit) break;
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // truncated input
  }
  inflateEnd(&z);
  if (out.size() > limit) throw HttpError(413, "request entity too large");
  if (rc != Z_STREAM_END) throw HttpError(400, "invalid compressed request body");
  return out;
}

// One parser: act only on a body of the configured type, decode it, enforce the limit, parse.
Middleware make_parser(Options options, std::string default_type, Parse parse) {
  if (options.type.empty()) options.type = std::move(default_type);
  return make_middleware([options, parse](Request& req, Response&, Next next) {
    using boost::beast::http::field;
    // type-is's hasBody(): every request walks past here, so the fields are found by their codes.
    bool has_body = !req.raw_body().empty() || req.has_header(field::content_length) ||
                    req.has_header(field::transfer_encoding);
    if (!has_body || !req.is(options.type)) {
      next();
      return;
    }
    Body body{req.raw_body(), charset_of(req.get("content-type"))};
    auto encoding = text::to_lower(req.get("content-encoding"));
    if (encoding == "gzip" || encoding == "deflate" || encoding == "x-gzip") {
      body.text = inflate(body.text, options.limit);
    } else if (!encoding.empty() && encoding != "identity") {
      throw HttpError(415, "unsupported content encoding \"" + encoding + "\"");
    }
    if (body.text.size() > options.limit) throw HttpError(413, "request entity too large");
    if (body.text.starts_with("\xEF\xBB\xBF")) body.text.erase(0, 3);  // a byte-order mark is not content
    req.set_body(parse(body, options));
    next();
  });
}

[[noreturn]] void unsupported_charset(const std::string& charset) {
  throw HttpError(415, "unsupported charset \"" + charset + "\"");
}

// Decodes text in the charsets body-parser's text() and urlencoded() accept here.
void decode_text(Body& body) {
  const auto& cs = body.charset;
  if (cs.empty() || cs == "utf-8" || cs == "utf8") {
    body.text = to_well_formed_utf8(body.text);  // see the note in urlencoded()
    return;
  }
  if (cs == "iso-8859-1" || cs == "latin1" || cs == "us-ascii") {
    body.text = latin1_to_utf8(body.text);
    return;
  }
  unsupported_charset(cs);
}

json::value parse_json_body(Body& body, const Options& options) {
  if (!body.charset.empty() && !body.charset.starts_with("utf-")) unsupported_charset(body.charset);
  if (body.text.empty()) return json::object{};
  json::value v;
  try {
    v = parse_json(body.text, options.max_depth);
  } catch (const std::invalid_argument& e) {
    throw HttpError(400, std::string("Invalid JSON in request body: ") + e.what());
  }
  if (options.strict && !v.is_object() && !v.is_array())
    throw HttpError(400, "Invalid JSON in request body: only objects and arrays are accepted");
  return v;
}

}  // namespace

Middleware json(Options options) { return make_parser(std::move(options), "application/json", parse_json_body); }

Middleware urlencoded(Options options) {
  return make_parser(std::move(options), "urlencoded", [](Body& body, const Options&) -> json::value {
    const auto& cs = body.charset;
    bool latin1 = cs == "iso-8859-1" || cs == "latin1";
    if (!cs.empty() && cs != "utf-8" && cs != "utf8" && !latin1) unsupported_charset(cs);
    try {
      // Node decodes the body into a string before qs sees it, so ill-formed UTF-8 becomes U+FFFD
      // (found by fuzz/urlencoded_body_fuzz.cpp: raw bytes came through into req.body() and
      // res.json() then wrote text that is not UTF-8). Latin-1 bytes are all characters.
      return parse_form(latin1 ? body.text : to_well_formed_utf8(body.text), latin1);
    } catch (const std::length_error&) {
      throw HttpError(413, "too many parameters");
    }
  });
}

Middleware text(Options options) {
  return make_parser(std::move(options), "text/plain", [](Body& body, const Options&) -> json::value {
    decode_text(body);
    return json::string(body.text);
  });
}

Middleware raw(Options options) {
  return make_parser(std::move(options), "application/octet-stream",
                     [](Body& body, const Options&) -> json::value { return json::string(body.text); });
}

}  // namespace cortado::body_parser
