// Broadcasting to WebSockets within the process: rooms, a session's sockets, a user's sockets,
// destroy_all closing a user's other sockets, a slow reader dropped at its send queue bound, and
// an idle socket closed. Real sockets, a server with two I/O threads (sends cross threads).
#include "cortado/app/app.hpp"
#include "cortado/app/response.hpp"
#include "cortado/core/json.hpp"
#include "cortado/session/broadcast.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/middleware.hpp"
#include "cortado/session/owners.hpp"
#include "cortado/session/session.hpp"
#include "support/session_cookies.hpp"
#include "support/session_routes.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "support/ws_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

using namespace cortado;
using namespace std::chrono_literals;

namespace {

// A socket says "join:R", "leave:R" or "room:R:TEXT" (to the others in R); the server answers
// "joined"/"left"/"sent" so the test knows it is done. HTTP routes broadcast.
void routes(App& app, http::WebSocketOptions ws_options = {}) {
  app.server_options().threads = 2;
  app.use(session(test::memory_session_options()));
  app.get("/login/:user", [](Request& req, Response& res) {
    req.session()["user"] = req.params()["user"];
    req.session().set_owner(std::string(req.params()["user"]));
    res.send("in");
  });
  app.get("/anon", [](Request& req, Response& res) {
    req.session()["anon"] = true;
    res.send("ok");
  });
  app.get("/say/room/:room/:text", [](Request& req, Response& res) -> Task<> {
    co_await send_to_room(req, std::string(req.params()["room"]), std::string(req.params()["text"]));
    res.send("ok");
  });
  app.get("/say/owner/:owner/:text", [](Request& req, Response& res) -> Task<> {
    co_await send_to_owner(req, std::string(req.params()["owner"]), std::string(req.params()["text"]));
    res.send("ok");
  });
  app.get("/say/mine/:text", [](Request& req, Response& res) -> Task<> {
    co_await send_to_session(req, req.session_id(), std::string(req.params()["text"]));
    res.send("ok");
  });
  app.get("/flood/:count/:size", [](Request& req, Response& res) -> Task<> {
    const int count = std::stoi(std::string(req.params()["count"]));
    const std::string message(std::stoul(std::string(req.params()["size"])), 'x');
    for (int i = 0; i < count; ++i) {
      co_await send_to_session(req, req.session_id(), message);
      co_await sleep_for(1ms);  // lets the socket's thread write between sends
    }
    res.send("ok");
  });
  app.post("/logout-others", [](Request& req, Response& res) -> Task<> {
    auto user = json::value_to<std::string>(req.session().data().at("user"));
    auto count = co_await destroy_all(req, user);
    res.send(std::to_string(count));
  });
  app.ws("/ws", [](WebSocket& sock) -> Task<> {
    // Once the handler runs, the socket is bound to its session and owner: the client waits for
    // this before the test broadcasts.
    co_await sock.send("hello");
    while (auto text = co_await sock.receive()) {
      std::string message = *text;
      if (message.starts_with("join:")) {
        join(sock, message.substr(5));
        co_await sock.send("joined");
      } else if (message.starts_with("leave:")) {
        leave(sock, message.substr(6));
        co_await sock.send("left");
      } else if (message.starts_with("room:")) {
        auto colon = message.find(':', 5);
        co_await send_to_room(sock.request(), message.substr(5, colon - 5), message.substr(colon + 1),
                              {.except = &sock});
        co_await sock.send("sent");
      }
    }
  }, std::move(ws_options));
}

std::string login(std::uint16_t port, const std::string& user) {
  return test::cookie_pair(test::get(port, "/login/" + user));
}

std::unique_ptr<test::WsClient> open(std::uint16_t port, const std::string& cookie) {
  auto ws = std::make_unique<test::WsClient>(port, "/ws", test::WsClient::Headers{{"Cookie", cookie}});
  EXPECT_EQ(ws->status(), 101);
  EXPECT_EQ(ws->receive(), "hello");
  return ws;
}

}  // namespace

TEST(WebSocketBroadcast, RoomReachesItsMembersOnly) {
  test::TestServer server([](App& app) { routes(app); });
  auto cookie = login(server.port(), "ann");
  auto a = open(server.port(), cookie);
  auto b = open(server.port(), cookie);
  auto outsider = open(server.port(), cookie);
  a->send("join:lobby");
  EXPECT_EQ(a->receive(), "joined");
  b->send("join:lobby");
  EXPECT_EQ(b->receive(), "joined");
  b->send("join:lobby");  // twice is once
  EXPECT_EQ(b->receive(), "joined");
  outsider->send("join:other");
  EXPECT_EQ(outsider->receive(), "joined");

  EXPECT_EQ(test::get(server.port(), "/say/room/lobby/hello").body, "ok");
  EXPECT_EQ(a->receive(), "hello");
  EXPECT_EQ(b->receive(), "hello");
  EXPECT_EQ(test::get(server.port(), "/say/room/other/next").body, "ok");
  EXPECT_EQ(outsider->receive(), "next");  // "hello" never came to it

  b->send("leave:lobby");
  EXPECT_EQ(b->receive(), "left");
  EXPECT_EQ(test::get(server.port(), "/say/room/lobby/again").body, "ok");
  EXPECT_EQ(a->receive(), "again");
  EXPECT_EQ(test::get(server.port(), "/say/room/other/then").body, "ok");
  b->send("join:other");
  EXPECT_EQ(b->receive(), "joined");  // not "again"
}

TEST(WebSocketBroadcast, ExceptLeavesTheSenderOut) {
  test::TestServer server([](App& app) { routes(app); });
  auto cookie = login(server.port(), "ann");
  auto a = open(server.port(), cookie);
  auto b = open(server.port(), cookie);
  a->send("join:chat");
  EXPECT_EQ(a->receive(), "joined");
  b->send("join:chat");
  EXPECT_EQ(b->receive(), "joined");
  a->send("room:chat:hi all");
  EXPECT_EQ(b->receive(), "hi all");
  EXPECT_EQ(a->receive(), "sent");  // its own "hi all" did not come first
}

TEST(WebSocketBroadcast, SessionAndOwnerAudiences) {
  test::TestServer server([](App& app) { routes(app); });
  auto ann_laptop = login(server.port(), "ann");
  auto ann_phone = login(server.port(), "ann");
  auto bob = login(server.port(), "bob");
  auto anon = test::cookie_pair(test::get(server.port(), "/anon"));
  ASSERT_NE(ann_laptop, ann_phone);
  auto laptop1 = open(server.port(), ann_laptop);
  auto laptop2 = open(server.port(), ann_laptop);
  auto phone = open(server.port(), ann_phone);
  auto bob_ws = open(server.port(), bob);
  auto anon_ws = open(server.port(), anon);

  EXPECT_EQ(test::get(server.port(), "/say/mine/cart", {{"Cookie", ann_laptop}}).body, "ok");
  EXPECT_EQ(laptop1->receive(), "cart");
  EXPECT_EQ(laptop2->receive(), "cart");

  EXPECT_EQ(test::get(server.port(), "/say/owner/ann/badge").body, "ok");
  EXPECT_EQ(laptop1->receive(), "badge");
  EXPECT_EQ(laptop2->receive(), "badge");
  EXPECT_EQ(phone->receive(), "badge");  // not "cart"

  EXPECT_EQ(test::get(server.port(), "/say/owner/bob/yours").body, "ok");
  EXPECT_EQ(bob_ws->receive(), "yours");  // neither "cart" nor "badge"
  EXPECT_EQ(test::get(server.port(), "/say/mine/solo", {{"Cookie", anon}}).body, "ok");
  EXPECT_EQ(anon_ws->receive(), "solo");
}

TEST(WebSocketBroadcast, DestroyAllClosesTheOwnersOtherSockets) {
  test::TestServer server([](App& app) { routes(app); });
  auto laptop = login(server.port(), "ann");
  auto phone = login(server.port(), "ann");
  auto bob = login(server.port(), "bob");
  auto laptop_ws = open(server.port(), laptop);
  auto phone_ws = open(server.port(), phone);
  auto bob_ws = open(server.port(), bob);
  EXPECT_EQ(test::request(server.port(), "POST", "/logout-others", {{"Cookie", laptop}}).body, "1");
  EXPECT_EQ(phone_ws->receive(), std::nullopt);
  EXPECT_EQ(phone_ws->close_code(), 4401u);
  // The laptop's own socket and bob's stay open.
  EXPECT_EQ(test::get(server.port(), "/say/owner/ann/still").body, "ok");
  EXPECT_EQ(laptop_ws->receive(), "still");
  EXPECT_EQ(test::get(server.port(), "/say/owner/bob/here").body, "ok");
  EXPECT_EQ(bob_ws->receive(), "here");
}

TEST(WebSocketBroadcast, SlowReaderIsDroppedAtItsSendQueueBound) {
  test::TestServer server([](App& app) { routes(app, {.max_send_queue = 256 * 1024}); });
  auto cookie = login(server.port(), "ann");
  auto reader = open(server.port(), cookie);
  // 200 × 64 KiB = 12.5 MiB: more than the server's socket buffer (4 MiB at most here), the
  // reader's and the 256 KiB bound together, so the queue must pass the bound.
  EXPECT_EQ(test::get(server.port(), "/flood/200/65536", {{"Cookie", cookie}}).body, "ok");
  int received = 0;
  while (reader->receive()) ++received;
  EXPECT_LT(received, 200);
  EXPECT_EQ(reader->close_code(), 0u);  // dropped: no close handshake with a reader that slow
  // The server runs on, and other sockets of the session still get broadcasts.
  auto other = open(server.port(), cookie);
  EXPECT_EQ(test::get(server.port(), "/say/mine/fine", {{"Cookie", cookie}}).body, "ok");
  EXPECT_EQ(other->receive(), "fine");
}

TEST(WebSocketBroadcast, IdleSocketIsClosed) {
  auto closed = std::make_shared<std::atomic<bool>>(false);
  test::TestServer server([closed](App& app) {
    app.ws("/idle", [closed](WebSocket& sock) -> Task<> {
      while (co_await sock.receive()) {
      }
      closed->store(true);
    }, {.idle_timeout = 300ms});
  });
  // The client neither sends nor reads, so it never answers the server's pings.
  test::WsClient ws(server.port(), "/idle");
  ASSERT_EQ(ws.status(), 101);
  // Waits with a generous bound (not a timing assertion: only that it happens at all).
  for (int i = 0; i < 200 && !closed->load(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(closed->load());
  EXPECT_EQ(ws.receive(), std::nullopt);
}

// README: broadcasting.
TEST(WebSocketBroadcast, ReadmeExample) {
  test::TestServer server([](App& app) {
    app.use(session({.secret = {"keyboard cat"}, .resave = false, .save_uninitialized = true}));
    app.ws("/chat", [](WebSocket& sock) -> Task<> {
      join(sock, "lobby");
      co_await sock.send("welcome");
      while (auto text = co_await sock.receive())
        co_await send_to_room(sock.request(), "lobby", *text, {.except = &sock});  // to the others
    });
    app.post("/cart", [](Request& req, Response& res) -> Task<> {
      co_await send_to_session(req, req.session_id(), R"({"cart":3})");  // this session's tabs
      res.json(3);
    });
  });
  test::WsClient a(server.port(), "/chat");
  test::WsClient b(server.port(), "/chat");
  ASSERT_EQ(a.status(), 101);
  ASSERT_EQ(b.status(), 101);
  EXPECT_EQ(a.receive(), "welcome");
  EXPECT_EQ(b.receive(), "welcome");
  a.send("hi");
  EXPECT_EQ(b.receive(), "hi");
}
