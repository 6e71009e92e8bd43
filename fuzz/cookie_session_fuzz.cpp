// The cookie sessions' decoders: what cookie_session() makes of a Cookie header that a client
// wrote, in each of its modes, and the pieces it is made of (cookies' lookup, Node's base64,
// cookie-session's JSON copy, Keygrip's check, the sealed opener).
//
// Input: one byte of flags (bits 0-1: the app — signed with two keys (the second retired),
// unsigned, sealed with two keys; bit 2: the route changes the session), then the Cookie
// header's text (CR, LF and NUL are dropped: the server refuses them before any middleware).
//
// Findings besides crashes, leaks and UB: App::handle throwing or never finishing, any error
// reaching the error handler, a response header with CR/LF/NUL, a session cookie whose
// signature is not Keygrip's, and a session written by one request that the next request,
// sending the cookies back, does not read as it was written. Of the pieces: a cookie value
// found outside the header or holding ';', base64 that decodes to more than its text allows,
// decoded data with a key a cookie-session Session owns, or data that does not read back
// from its own encoding.
#include "fuzz_support.hpp"

#include "cortado/app/app.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/session/cookie_session.hpp"
#include "cortado/session/session.hpp"
#include "core/header_text.hpp"
#include "session/cookie_codec.hpp"
#include "session/keygrip.hpp"
#include "session/sealed_cookie.hpp"

#include <boost/asio/io_context.hpp>

#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace cortado;
namespace bh = boost::beast::http;

const std::vector<std::string> keys{"fuzz key", "retired fuzz key"};

// What the /write route left in the session, for the next request to read back.
std::string written;

void answer_error(std::exception_ptr error, Request&, Response& res, Next) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    fuzz::finding(std::string("an error reached the error handler: ") + e.what());
  }
  res.status(500).end();
}

std::unique_ptr<App> make_app(CookieSessionOptions options) {
  auto app = std::make_unique<App>();
  app->use(cookie_session(std::move(options)));
  app->get("/read", [](Request& req, Response& res) { res.json(req.session().data()); });
  app->get("/write", [](Request& req, Response& res) {
    auto& s = req.session();
    const json::value* n = s.data().if_contains("n");
    s["n"] = n && n->is_int64() && n->get_int64() < 1000000 ? n->get_int64() + 1 : 1;
    written = stringify(s.data());
    res.json(s.data());
  });
  app->use(answer_error);
  return app;
}

struct Fixture {
  boost::asio::io_context ioc;
  std::array<std::unique_ptr<App>, 3> apps{
      make_app({.keys = keys}),
      make_app({.sign = false}),
      make_app({.keys = keys, .sealed = true}),
  };
};

http::RawResponse handle(Fixture& f, App& app, std::string_view target, std::string_view cookie) {
  http::RawRequest req;
  req.method(bh::verb::get);
  req.target(target);
  req.version(11);
  req.set(bh::field::host, "fuzz");
  if (!cookie.empty()) req.set(bh::field::cookie, cookie);
  http::Exchange exchange{.remote = {boost::asio::ip::make_address("203.0.113.7"), 40000}, .trailers = {}, .file = {}};
  http::RawResponse res;
  res.version(11);
  try {
    fuzz::run_task(f.ioc, app.handle(req, res, exchange));
  } catch (const std::exception& e) {
    fuzz::finding(std::string("App::handle threw: ") + e.what());
  }
  for (const auto& field : res)
    if (!text::is_field_value(field.value())) fuzz::finding("a response header value with CR, LF or NUL");
  return res;
}

// The Set-Cookie pairs as the Cookie header a browser sends back (cleared ones left out).
std::string cookies_back(const http::RawResponse& res) {
  std::string out;
  for (const auto& field : res) {
    if (field.name() != bh::field::set_cookie) continue;
    std::string_view text(field.value().data(), field.value().size());
    if (text.find("expires=Thu, 01 Jan 1970") != std::string_view::npos) continue;
    out += (out.empty() ? "" : "; ") + std::string(text.substr(0, text.find(';')));
  }
  return out;
}

// Every session cookie a signed app writes has Keygrip's signature beside it.
void check_signatures(const http::RawResponse& res) {
  std::string cookie = cookies_back(res);
  auto value = detail::cookies_get(cookie, "session");
  if (!value || value->empty()) return;
  auto sig = detail::cookies_get(cookie, "session.sig");
  if (!sig) fuzz::finding("a session cookie without its signature");
  if (detail::Keygrip(keys).index("session=" + std::string(*value), *sig) != 0)
    fuzz::finding("a session cookie signed other than by the first key");
}

void check_pieces(std::string_view header) {
  static const detail::Keygrip grip(keys);
  static const detail::Sealer sealer(keys);
  for (std::string_view name : {"session", "session.sig"}) {
    auto value = detail::cookies_get(header, name);
    if (!value) continue;
    if (value->data() < header.data() || value->data() + value->size() > header.data() + header.size())
      fuzz::finding("a cookie value outside the header");
    if (value->find(';') != std::string_view::npos) fuzz::finding("a cookie value holding ';'");
    auto bytes = detail::node_base64_decode(*value);
    if (bytes.size() > value->size() / 4 * 3 + 2) fuzz::finding("base64 decoded to more than its text allows");
    if (auto data = detail::decode_cookie_session(*value)) {
      for (const auto& [key, item] : *data)
        if (key == "isNew" || key == "_ctx" || key == "__proto__" || key == "toString")
          fuzz::finding("decoded data with a key the Session owns");
      auto text = stringify(*data);
      auto again = detail::decode_cookie_session(detail::base64_encode(text));
      if (!again || stringify(*again) != text) fuzz::finding("decoded data that does not read back from its encoding");
    }
    int index = grip.index("session=" + std::string(*value), *value);
    if (index >= 0 && detail::Keygrip(std::span(keys).subspan(index, 1)).sign("session=" + std::string(*value)) != *value)
      fuzz::finding("Keygrip verified a signature its key did not make");
    if (auto opened = sealer.open("session", *value, now_ms())) {
      // Only a value the sealer made opens; what it holds seals and opens again to the same.
      auto resealed = sealer.seal("session", opened->json, opened->expires_at);
      auto reopened = sealer.open("session", resealed, now_ms());
      if (!reopened || reopened->json != opened->json) fuzz::finding("a sealed value that does not open again");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::cerr.setstate(std::ios::badbit);  // the app's own logging, thousands of times a second
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  if (size == 0) return 0;
  const unsigned flags = data[0];
  std::string header;
  for (char c : fuzz::as_text(data + 1, size - 1))
    if (c != '\r' && c != '\n' && c != '\0') header += c;
  check_pieces(header);

  const std::size_t mode = (flags & 3) % 3;
  auto& app = *fixture.apps[mode];
  const bool write = (flags & 4) != 0;
  written.clear();
  auto first = handle(fixture, app, write ? "/write" : "/read", header);
  if (first.result_int() != 200) fuzz::finding("a session route did not answer 200");
  if (mode == 0) check_signatures(first);
  if (write) {
    // What this request wrote, the next one reads, from the cookies it was sent.
    auto back = cookies_back(first);
    if (back.empty()) fuzz::finding("a changed session was not written");
    auto second = handle(fixture, app, "/read", back);
    if (second.body() != written) fuzz::finding("a written session did not read back as it was written");
  }
  return 0;
}
