// WebSocket routes that need a session (require_session: 401 before the upgrade), and sockets
// closed with 4401 when their session expires in the store without a request touching it.
#include "cortado/app/app.hpp"
#include "cortado/app/response.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/middleware.hpp"
#include "cortado/session/session.hpp"
#include "support/session_cookies.hpp"
#include "support/session_routes.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "support/ws_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

using namespace cortado;
using namespace std::chrono_literals;

namespace {

void guarded(App& app, std::optional<std::chrono::milliseconds> max_age = std::nullopt, bool rolling = false,
             bool save_uninitialized = false) {
  SessionOptions options = test::memory_session_options();
  options.rolling = rolling;
  options.save_uninitialized = save_uninitialized;
  if (max_age) options.cookie.max_age = *max_age;
  app.use(session(options));
  app.get("/login", [](Request& req, Response& res) {
    req.session()["user"] = "ann";
    res.send("in");
  });
  app.get("/visit", [](Request&, Response& res) { res.send("ok"); });
  app.post("/logout", [](Request& req, Response& res) -> Task<> {
    co_await req.session().destroy();
    res.send("out");
  });
  app.ws("/private", [](WebSocket& sock) -> Task<> {
    co_await sock.send("welcome");
    while (co_await sock.receive()) {
    }
  }, {.require_session = true});
  app.ws("/public", [](WebSocket& sock) -> Task<> {
    co_await sock.send("welcome");
    while (co_await sock.receive()) {
    }
  });
}

}  // namespace

TEST(WebSocketGuard, RequireSessionRefusesAnUpgradeWithoutAStoredSession) {
  test::TestServer server([](App& app) { guarded(app, std::nullopt, false, true); });
  // No cookie: the middleware makes a new session (saveUninitialized too), which is not enough.
  EXPECT_EQ(test::WsClient(server.port(), "/private").status(), 401u);
  // A forged cookie.
  EXPECT_EQ(test::WsClient(server.port(), "/private", {{"Cookie", "connect.sid=s%3Aforged.bad"}}).status(), 401u);
  // A session of this store.
  auto cookie = test::cookie_pair(test::get(server.port(), "/login"));
  test::WsClient ok(server.port(), "/private", {{"Cookie", cookie}});
  ASSERT_EQ(ok.status(), 101u);
  EXPECT_EQ(ok.receive(), "welcome");
  // Once destroyed, its cookie opens nothing.
  EXPECT_EQ(test::request(server.port(), "POST", "/logout", {{"Cookie", cookie}}).body, "out");
  EXPECT_EQ(test::WsClient(server.port(), "/private", {{"Cookie", cookie}}).status(), 401u);
  // A route without the option lets anyone in, and the server runs on.
  test::WsClient open(server.port(), "/public");
  EXPECT_EQ(open.status(), 101u);
  EXPECT_EQ(open.receive(), "welcome");
}

TEST(WebSocketGuard, RequireSessionWithoutTheSessionMiddlewareRefusesAll) {
  test::TestServer server([](App& app) {
    app.ws("/private", [](WebSocket&) -> Task<> { co_return; }, {.require_session = true});
  });
  EXPECT_EQ(test::WsClient(server.port(), "/private").status(), 401u);
}

TEST(WebSocketGuard, ExpiredSessionClosesItsSocketWith4401) {
  test::TestServer server([](App& app) { guarded(app, 1500ms); });
  auto cookie = test::cookie_pair(test::get(server.port(), "/login"));
  test::WsClient ws(server.port(), "/private", {{"Cookie", cookie}});
  ASSERT_EQ(ws.status(), 101u);
  EXPECT_EQ(ws.receive(), "welcome");
  // Nothing touches the session: it expires 1.5 s after the socket opened it, and the socket with
  // it (the client waits up to 5 s for the close).
  EXPECT_EQ(ws.receive(), std::nullopt);
  EXPECT_EQ(ws.close_code(), 4401u);
}

TEST(WebSocketGuard, RollingSessionKeepsItsSocketUntilTheExtendedExpiry) {
  test::TestServer server([](App& app) { guarded(app, 1500ms, true); });
  auto cookie = test::cookie_pair(test::get(server.port(), "/login"));
  test::WsClient ws(server.port(), "/private", {{"Cookie", cookie}});
  ASSERT_EQ(ws.status(), 101u);
  EXPECT_EQ(ws.receive(), "welcome");
  std::this_thread::sleep_for(500ms);
  // A request on the session moves its expiry 1.5 s past this moment (rolling).
  const auto touched = std::chrono::steady_clock::now();
  EXPECT_EQ(test::get(server.port(), "/visit", {{"Cookie", cookie}}).body, "ok");
  EXPECT_EQ(ws.receive(), std::nullopt);
  const auto closed = std::chrono::steady_clock::now();
  EXPECT_EQ(ws.close_code(), 4401u);
  // Not closed at the first expiry (1 s before): only once the extended one passed. Clock
  // values compared with a tolerance for the cookie's whole-second-free rounding and scheduling.
  EXPECT_GE(closed - touched, 1500ms - 200ms);
}
