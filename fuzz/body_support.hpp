#pragma once
// The body parser targets' harness: one POST through an App whose only middleware is the parser
// under test, mounted three ways (strict or not, small limit), with every Content-Type charset
// and Content-Encoding the parsers look at.
//
// Input: one byte of variant, then the body. Variant bits 0-2 pick the charset, bits 3-4 the
// Content-Encoding, bit 5 has the harness compress the body itself (so the inflate path parses
// fuzzed text, not only whatever compressed bytes the fuzzer happens to make), bits 6-7 the mount.
#include "fuzz_support.hpp"

#include "cortado/app/app.hpp"
#include "cortado/app/body_parser.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/core/json.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <zlib.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace fuzz {

/// The body as zlib (deflate) or gzip wraps it.
inline std::string compress(std::string_view text, bool gzip) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip ? 31 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    finding("deflateInit2 failed");
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) finding("deflate did not finish");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/// The error handler of the harness apps: HttpError is how the parsers refuse a body; any other
/// exception is a finding.
inline void answer_error(std::exception_ptr error, cortado::Request&, cortado::Response& res, cortado::Next) {
  try {
    std::rethrow_exception(error);
  } catch (const cortado::HttpError& e) {
    if (e.status() < 400 || e.status() > 499) finding("a body parser refused a body with a 5xx");
    res.status(e.status()).end();
  } catch (const std::exception& e) {
    finding(e.what());
  }
}

/// An app with `make(options)` mounted at /strict (defaults), /loose (strict off) and /small
/// (a 64-byte limit), answering with req.body() as JSON.
template <class MakeParser>
std::unique_ptr<cortado::App> make_body_app(MakeParser make) {
  auto app = std::make_unique<cortado::App>();
  app->use("/strict", make(cortado::body_parser::Options{}));
  app->use("/loose", make(cortado::body_parser::Options{.strict = false}));
  app->use("/small", make(cortado::body_parser::Options{.limit = 64}));
  app->use([](cortado::Request& req, cortado::Response& res) { res.json(req.body()); });
  app->use(answer_error);
  return app;
}

/// The request the input describes, for a parser of `media_type`.
inline cortado::http::RawRequest body_request(std::uint8_t variant, std::string_view body,
                                              std::string_view media_type) {
  namespace bh = boost::beast::http;
  static constexpr std::array<std::string_view, 8> charsets{
      "", "; charset=utf-8", "; charset=\"UTF-8\"", "; charset=iso-8859-1",
      "; charset=utf-16", "; charset=latin1", ";charset=utf8 ; q=1", "; charset=koi8-r"};
  static constexpr std::array<std::string_view, 4> encodings{"", "identity", "gzip", "deflate"};
  static constexpr std::array<std::string_view, 4> mounts{"/strict", "/loose", "/small", "/strict/x"};
  auto encoding = encodings[(variant >> 3) & 3];
  bool compress_here = (variant & 32) != 0 && (encoding == "gzip" || encoding == "deflate");
  cortado::http::RawRequest req{bh::verb::post, mounts[variant >> 6], 11};
  req.set(bh::field::host, "fuzz");
  req.set(bh::field::content_type, std::string(media_type) + std::string(charsets[variant & 7]));
  if (!encoding.empty()) req.set(bh::field::content_encoding, encoding);
  req.body() = compress_here ? compress(body, encoding == "gzip") : std::string(body);
  req.prepare_payload();
  return req;
}

/// Runs the request through `app`; returns the response.
inline cortado::http::RawResponse run_body(cortado::App& app, cortado::http::RawRequest& req) {
  static boost::asio::io_context ioc;
  cortado::http::RawResponse res;
  cortado::http::Exchange exchange;
  run_task(ioc, app.handle(req, res, exchange));
  return res;
}

/// A body answered 200 was parsed: the JSON the app sent back must read back to the same text.
inline void check_answer(const cortado::http::RawResponse& res) {
  if (res.result_int() != 200) return;
  auto value = cortado::parse_json(res.body());
  if (cortado::stringify(value) != res.body()) finding("the parsed body does not read back to the same JSON");
}

}  // namespace fuzz
