// WebSockets sharing the session: the upgrade's session inside the socket, save() seen by HTTP,
// and a logout or regenerate by another request closing the socket with 4401.
#include "cortado/app/app.hpp"
#include "cortado/app/response.hpp"
#include "cortado/core/json.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/middleware.hpp"
#include "cortado/session/session.hpp"
#include "support/session_cookies.hpp"
#include "support/session_routes.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "support/ws_client.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

using namespace cortado;

namespace {

// session-lab's /ws in small: the data on open, {"set"} saves, {"get"} answers.
void session_routes(App& app) {
  app.use(session(test::memory_session_options()));
  app.get("/login", [](Request& req, Response& res) {
    req.session()["user"] = "ann";
    res.send("in");
  });
  app.get("/user", [](Request& req, Response& res) {
    const auto* user = req.session().data().if_contains("user");
    res.send(user ? std::string(user->as_string()) : "none");
  });
  app.post("/logout", [](Request& req, Response& res) -> Task<> {
    co_await req.session().destroy();
    res.send("out");
  });
  app.post("/regenerate", [](Request& req, Response& res) -> Task<> {
    co_await req.session().regenerate(true);
    res.send("new");
  });
  // A log-out whose answer takes a while after the session is gone (a slow store, a busy thread).
  app.post("/logout-slowly", [](Request& req, Response& res) -> Task<> {
    co_await req.session().destroy();
    co_await sleep_for(std::chrono::milliseconds(400));
    res.send("out");
  });
  app.ws("/ws", [](WebSocket& sock) -> Task<> {
    co_await sock.send(boost::json::serialize(sock.session().data()));
    while (auto text = co_await sock.receive()) {
      // What the message asks, taken out before any co_await (nothing points into it across one).
      auto message = boost::json::parse(*text).as_object();
      const bool is_set = message.contains("set");
      const std::string key(message.contains("set") ? message.at("set").as_string() : message.at("get").as_string());
      if (is_set) {
        sock.session()[key] = message.at("v");
        co_await sock.session().save();
        co_await sock.send("\"ok\"");
      } else {
        co_await sock.session().reload();
        const auto* value = sock.session().data().if_contains(key);
        std::string answer = value ? boost::json::serialize(*value) : "null";
        co_await sock.send(std::move(answer));
      }
    }
  });
}

struct LoggedIn {
  explicit LoggedIn(std::uint16_t port) {
    auto res = test::get(port, "/login");
    cookie = test::cookie_pair(res);
  }
  std::string cookie;
};

}  // namespace

TEST(WebSocketSession, SocketSeesTheSessionOfItsUpgrade) {
  test::TestServer server(session_routes);
  LoggedIn login(server.port());
  ASSERT_FALSE(login.cookie.empty());
  test::WsClient ws(server.port(), "/ws", {{"Cookie", login.cookie}});
  ASSERT_EQ(ws.status(), 101);
  auto data = boost::json::parse(ws.receive().value_or("{}")).as_object();
  EXPECT_EQ(data["user"], "ann");
}

TEST(WebSocketSession, SaveInTheSocketIsSeenByHttpAndReloadSeesHttp) {
  test::TestServer server(session_routes);
  LoggedIn login(server.port());
  test::WsClient ws(server.port(), "/ws", {{"Cookie", login.cookie}});
  ASSERT_EQ(ws.status(), 101);
  ws.receive();
  ws.send(R"({"set": "user", "v": "bob"})");
  EXPECT_EQ(ws.receive(), "\"ok\"");
  EXPECT_EQ(test::get(server.port(), "/user", {{"Cookie", login.cookie}}).body, "bob");
  ws.send(R"({"get": "user"})");
  EXPECT_EQ(ws.receive(), "\"bob\"");
  ws.send(R"({"get": "missing"})");
  EXPECT_EQ(ws.receive(), "null");
}

TEST(WebSocketSession, LogoutOnTheSameSessionClosesTheSocketWith4401) {
  test::TestServer server(session_routes);
  LoggedIn login(server.port());
  LoggedIn other(server.port());
  test::WsClient ws(server.port(), "/ws", {{"Cookie", login.cookie}});
  test::WsClient bystander(server.port(), "/ws", {{"Cookie", other.cookie}});
  ASSERT_EQ(ws.status(), 101);
  ASSERT_EQ(bystander.status(), 101);
  ws.receive();
  bystander.receive();
  EXPECT_EQ(test::request(server.port(), "POST", "/logout", {{"Cookie", login.cookie}}).body, "out");
  EXPECT_EQ(ws.receive(), std::nullopt);  // within the client's 5 s read deadline
  EXPECT_EQ(ws.close_code(), 4401u);
  // The session stays gone: the socket's end does not write its snapshot back.
  EXPECT_EQ(test::get(server.port(), "/user", {{"Cookie", login.cookie}}).body, "none");
  // Another session's socket is untouched.
  bystander.send(R"({"get": "user"})");
  EXPECT_EQ(bystander.receive(), "\"ann\"");
}

TEST(WebSocketSession, RegenerateElsewhereClosesTheSocketWith4401) {
  test::TestServer server(session_routes);
  LoggedIn login(server.port());
  test::WsClient ws(server.port(), "/ws", {{"Cookie", login.cookie}});
  ASSERT_EQ(ws.status(), 101);
  ws.receive();
  EXPECT_EQ(test::request(server.port(), "POST", "/regenerate", {{"Cookie", login.cookie}}).body, "new");
  EXPECT_EQ(ws.receive(), std::nullopt);
  EXPECT_EQ(ws.close_code(), 4401u);
}

// The socket closes once the log-out's answer is written, not while it is being made: a page
// that reloads on 4401 then sends the cookie that answer sets. Closed before, another tab of the
// browser reloaded with the ended session's cookie, was given a new session, and its cookie could
// replace the log-out's (the demo's browser test lost the theme its log-out keeps).
TEST(WebSocketSession, LogoutClosesTheSocketAfterItsAnswer) {
  using Clock = std::chrono::steady_clock;
  test::TestServer server(session_routes);
  LoggedIn login(server.port());
  test::WsClient ws(server.port(), "/ws", {{"Cookie", login.cookie}});
  ASSERT_EQ(ws.status(), 101);
  ws.receive();
  Clock::time_point answered;
  std::string body;
  std::thread logout([&] {
    body = test::request(server.port(), "POST", "/logout-slowly", {{"Cookie", login.cookie}}).body;
    answered = Clock::now();
  });
  EXPECT_EQ(ws.receive(), std::nullopt);
  const Clock::time_point closed = Clock::now();
  logout.join();
  EXPECT_EQ(body, "out");
  EXPECT_EQ(ws.close_code(), 4401u);
  // Closed before the answer, the close would come some 400 ms ahead of it; the margin is the
  // two client threads' wake-ups.
  EXPECT_GT(closed, answered - std::chrono::milliseconds(150));
}

// The README's example, as written there.
TEST(WebSocketSession, ReadmeExample) {
  test::TestServer server([](App& app) {
    app.use(session({.secret = {"keyboard cat"}}));
    app.ws("/live", [](WebSocket& sock) -> Task<> {
      co_await sock.send(stringify(sock.session().data()));  // the session as loaded for the upgrade
      while (auto text = co_await sock.receive()) {           // nullopt once closed
        sock.session()["last"] = *text;
        co_await sock.session().save();  // the store's rules, as for HTTP
        co_await sock.send("ok");
      }
    });  // returning closes with 1000
  });
  test::WsClient ws(server.port(), "/live");
  ASSERT_EQ(ws.status(), 101);
  EXPECT_NE(ws.receive(), std::nullopt);
  ws.send("hi");
  EXPECT_EQ(ws.receive(), "ok");
}
