// WebSockets: app.ws() over real sockets with Beast's client (tests/support/ws_client.hpp).
#include "cortado/app/app.hpp"
#include "cortado/app/response.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "support/ws_client.hpp"

#include <atomic>
#include <gtest/gtest.h>

#include <string>
#include <thread>

using namespace cortado;
using namespace std::chrono_literals;

namespace {

std::string own_origin(std::uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

void echo_routes(App& app) {
  app.ws("/echo", [](WebSocket& sock) -> Task<> {
    while (auto text = co_await sock.receive()) {
      if (sock.binary()) co_await sock.send_binary(*text);
      else co_await sock.send(*text);
    }
  });
}

}  // namespace

TEST(WebSocket, EchoesTextAndBinary) {
  test::TestServer server(echo_routes);
  test::WsClient ws(server.port(), "/echo", {{"Origin", own_origin(server.port())}});
  ASSERT_EQ(ws.status(), 101);
  ws.send("hello");
  EXPECT_EQ(ws.receive(), "hello");
  ws.send(std::string("\x00\xff\x01", 3), true);
  EXPECT_EQ(ws.receive(), std::string("\x00\xff\x01", 3));
  EXPECT_TRUE(ws.beast().got_binary());
  ws.beast().close(boost::beast::websocket::close_code::normal);
}

TEST(WebSocket, ReassemblesFragmentedMessages) {
  test::TestServer server(echo_routes);
  test::WsClient ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.beast().write_some(false, boost::asio::buffer(std::string("frag")));
  ws.beast().ping({});  // a control frame between the fragments (RFC 6455 5.4)
  ws.beast().write_some(false, boost::asio::buffer(std::string("men")));
  ws.beast().write_some(true, boost::asio::buffer(std::string("ted")));
  EXPECT_EQ(ws.receive(), "fragmented");
}

TEST(WebSocket, AnswersPingWithPong) {
  test::TestServer server(echo_routes);
  test::WsClient ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  std::string pong;
  ws.beast().control_callback([&](boost::beast::websocket::frame_type kind, boost::beast::string_view payload) {
    if (kind == boost::beast::websocket::frame_type::pong) pong = std::string(payload);
  });
  ws.beast().ping("are you there");
  ws.send("after");
  EXPECT_EQ(ws.receive(), "after");  // the pong came before the echo
  EXPECT_EQ(pong, "are you there");
}

TEST(WebSocket, CompletesTheCloseHandshakeAndServesOnAfterIt) {
  test::TestServer server(echo_routes);
  {
    test::WsClient ws(server.port(), "/echo");
    ASSERT_EQ(ws.status(), 101);
    ws.beast().close({boost::beast::websocket::close_code::normal, "bye"});
    EXPECT_FALSE(ws.beast().is_open());
  }
  test::WsClient again(server.port(), "/echo");
  ASSERT_EQ(again.status(), 101);
  again.send("still here");
  EXPECT_EQ(again.receive(), "still here");
}

TEST(WebSocket, HandlerCloseSendsItsCode) {
  test::TestServer server([](App& app) {
    app.ws("/bye", [](WebSocket& sock) -> Task<> { co_await sock.close(4000, "done"); });
  });
  test::WsClient ws(server.port(), "/bye");
  ASSERT_EQ(ws.status(), 101);
  EXPECT_EQ(ws.receive(), std::nullopt);
  EXPECT_EQ(ws.close_code(), 4000u);
  EXPECT_EQ(ws.close_reason(), "done");
}

TEST(WebSocket, InvalidUtf8InATextFrameClosesWith1007) {
  test::TestServer server(echo_routes);
  test::WsClient ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.send("\xc3\x28", false);  // Beast's client does not check what it sends
  EXPECT_EQ(ws.receive(), std::nullopt);
  EXPECT_EQ(ws.close_code(), 1007u);
}

TEST(WebSocket, OversizeMessageClosesWith1009) {
  test::TestServer server([](App& app) {
    http::WebSocketOptions options;
    options.max_message = 1024;
    app.ws(
        "/small", [](WebSocket& sock) -> Task<> {
          while (auto text = co_await sock.receive()) co_await sock.send(*text);
        },
        options);
  });
  test::WsClient ws(server.port(), "/small");
  ASSERT_EQ(ws.status(), 101);
  ws.send(std::string(1024, 'a'));
  EXPECT_EQ(ws.receive(), std::string(1024, 'a'));
  ws.send(std::string(1025, 'a'));
  EXPECT_EQ(ws.receive(), std::nullopt);
  EXPECT_EQ(ws.close_code(), 1009u);
}

TEST(WebSocket, DefaultLimitIs64KiB) {
  test::TestServer server(echo_routes);
  test::WsClient ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.send(std::string(64 * 1024 + 1, 'a'));
  EXPECT_EQ(ws.receive(), std::nullopt);
  EXPECT_EQ(ws.close_code(), 1009u);
}

TEST(WebSocket, RefusesACrossOriginUpgradeWith403) {
  test::TestServer server(echo_routes);
  test::WsClient evil(server.port(), "/echo", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(evil.status(), 403);
  EXPECT_FALSE(evil.beast().is_open());
  test::WsClient same(server.port(), "/echo", {{"Origin", own_origin(server.port())}});
  EXPECT_EQ(same.status(), 101);
}

TEST(WebSocket, AllowListReplacesTheOwnHost) {
  test::TestServer server([](App& app) {
    http::WebSocketOptions options;
    options.allowed_origins = {"https://app.example"};
    app.ws("/ws", [](WebSocket&) -> Task<> { co_return; }, options);
  });
  EXPECT_EQ(test::WsClient(server.port(), "/ws", {{"Origin", "https://app.example"}}).status(), 101);
  EXPECT_EQ(test::WsClient(server.port(), "/ws", {{"Origin", own_origin(server.port())}}).status(), 403);
}

TEST(WebSocket, PlainGetOnAWebSocketRouteIs426) {
  test::TestServer server(echo_routes);
  auto res = test::get(server.port(), "/echo");
  EXPECT_EQ(res.status, 426);
  EXPECT_EQ(res.header("upgrade"), "websocket");
}

TEST(WebSocket, UpgradeGoesThroughTheMiddleware) {
  test::TestServer server([](App& app) {
    app.use([](Request& req, Response& res, Next next) -> Task<> {
      if (req.get("authorization") != "Bearer ok") {
        res.status(401).end("no");
        co_return;
      }
      res.set("X-Seen", "yes");
      co_await next();
    });
    echo_routes(app);
  });
  EXPECT_EQ(test::WsClient(server.port(), "/echo").status(), 401);
  test::WsClient ws(server.port(), "/echo", {{"Authorization", "Bearer ok"}});
  ASSERT_EQ(ws.status(), 101);
  EXPECT_EQ(ws.response()["x-seen"], "yes");
}

// The walk through the middleware ends when the socket opens; the handler runs after it, with the
// request (params, headers, what the middleware left) kept.
TEST(WebSocket, TheMiddlewareWalkEndsBeforeTheHandlerRuns) {
  auto walked = std::make_shared<std::atomic<bool>>(false);
  test::TestServer server([walked](App& app) {
    app.use([walked](Request& req, Response&, Next next) -> Task<> {
      req.slot<std::string>() = "left by the middleware";
      co_await next();
      *walked = true;
    });
    app.ws("/rooms/:room", [walked](WebSocket& sock) -> Task<> {
      co_await sock.send(std::string(*walked ? "after" : "inside") + " " + std::string(sock.request().params()["room"]) + " " +
                         sock.request().slot<std::string>() + " " + std::string(sock.request().get("x-tag")));
    });
  });
  test::WsClient ws(server.port(), "/rooms/blue", {{"X-Tag", "t1"}});
  ASSERT_EQ(ws.status(), 101);
  EXPECT_EQ(ws.receive(), "after blue left by the middleware t1");
}

TEST(WebSocket, ShutdownClosesSocketsWith1001) {
  test::TestServer server(echo_routes);
  test::WsClient ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.send("x");
  ASSERT_EQ(ws.receive(), "x");
  std::thread stopper([&] { server.stop(); });
  EXPECT_EQ(ws.receive(), std::nullopt);
  EXPECT_EQ(ws.close_code(), 1001u);
  stopper.join();
}

TEST(WebSocket, SendsFirstThenEchoes) {
  test::TestServer server([](App& app) {
    app.ws("/hi", [](WebSocket& sock) -> Task<> {
      co_await sock.send("a greeting that is longer than fifteen");
      while (auto text = co_await sock.receive()) {
        auto copy = *text;
        co_await sock.send("ok");
      }
    });
  });
  test::WsClient ws(server.port(), "/hi");
  ASSERT_EQ(ws.status(), 101);
  EXPECT_EQ(ws.receive(), "a greeting that is longer than fifteen");
  ws.send("x");
  EXPECT_EQ(ws.receive(), "ok");
  ws.send("y");
  EXPECT_EQ(ws.receive(), "ok");
}
