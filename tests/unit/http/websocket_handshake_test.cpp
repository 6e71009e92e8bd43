// The opening handshake of PlainWebSocket's sockets: the RFC's accept key, the 101 with the
// extra fields, and the refusals Beast's accept made.
#include "http/websocket_handshake.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cortado::http {
namespace {

RawRequest upgrade_request() {
  RawRequest req{beast_http::verb::get, "/ws", 11};
  req.set(beast_http::field::host, "example.com");
  req.set(beast_http::field::connection, "keep-alive, Upgrade");
  req.set(beast_http::field::upgrade, "websocket");
  req.set(beast_http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(beast_http::field::sec_websocket_version, "13");
  return req;
}

TEST(WebSocketHandshake, AcceptKeyIsTheRfcExample) {
  // RFC 6455 1.3.
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, Answers101WithTheExtraFields) {
  Fields extra;
  extra.insert("Set-Cookie", "sid=abc; Path=/");
  extra.insert(beast_http::field::content_length, "0");  // a body's fields stay out of a 101
  bool accepted = false;
  auto text = handshake_response(upgrade_request(), extra, accepted);
  EXPECT_TRUE(accepted);
  EXPECT_EQ(text.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(text.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_NE(text.find("Set-Cookie: sid=abc; Path=/\r\n"), std::string::npos);
  EXPECT_EQ(text.find("Content-Length"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\n\r\n");
}

TEST(WebSocketHandshake, RefusesWhatBeastRefuses) {
  auto refused = [](auto change) {
    auto req = upgrade_request();
    change(req);
    bool accepted = true;
    auto text = handshake_response(req, {}, accepted);
    return accepted ? std::string("accepted") : text.substr(9, 3);
  };
  EXPECT_EQ(refused([](RawRequest&) {}), "accepted");
  EXPECT_EQ(refused([](RawRequest& r) { r.version(10); }), "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.method(beast_http::verb::post); }), "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.erase(beast_http::field::host); }), "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.set(beast_http::field::connection, "keep-alive"); }), "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.set(beast_http::field::upgrade, "h2c"); }), "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.erase(beast_http::field::sec_websocket_key); }), "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.set(beast_http::field::sec_websocket_key, "short=="); }), "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.set(beast_http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ!!"); }),
            "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.erase(beast_http::field::sec_websocket_version); }), "400");
  EXPECT_EQ(refused([](RawRequest& r) { r.set(beast_http::field::sec_websocket_version, "8"); }), "426");
}

}  // namespace
}  // namespace cortado::http
