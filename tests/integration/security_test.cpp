// The defences a session layer owes its users, each as a test that fails when the defence goes:
// session fixation, tampered and retired signatures, cookie tossing, response splitting through
// header and cookie values, secure cookies over plain HTTP, and what a production error page
// shows. (Request smuggling is in hostile_requests_test.cpp, static-file traversal in
// static_files_test.cpp, constant-time comparison in tests/security/.)
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "support/session_cookies.hpp"

#include "cortado/cortado.hpp"
#include "cortado/session/signature.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace cortado {
namespace {

using test::TestServer;

using test::cookie_pair;
using test::id_of;

// A session app on a store that the test may share between several servers (secret rotation).
struct SessionServer {
  explicit SessionServer(std::vector<std::string> secrets, std::shared_ptr<Store> shared = nullptr,
                         CookieAttributes cookie = {}, bool trust_proxy = false)
      : store(shared ? shared : std::make_shared<MemoryStore>()) {
    SessionOptions options{.secret = std::move(secrets), .resave = false, .save_uninitialized = false,
                           .store = store, .cookie = std::move(cookie)};
    server.emplace([&](App& app) {
      app.set("trust proxy", trust_proxy);
      app.use(session(options));
      app.get("/views", [](Request& req, Response& res) {
        auto& s = req.session();
        s["views"] = s.value("views", 0) + 1;
        res.json(s["views"]);
      });
      app.post("/login", [](Request& req, Response& res) -> Task<> {
        co_await req.session().regenerate();  // what every login must do (express-session's advice)
        req.session()["user"] = "victim";
        res.json(json::string(req.session_id()));
      });
      app.get("/user", [](Request& req, Response& res) { res.json(req.session().get("user")); });
      app.post("/logout", [](Request& req, Response& res) -> Task<> {
        co_await req.session().destroy();
        res.json("ok");
      });
    });
  }
  std::uint16_t port() { return server->port(); }
  test::Response get(const std::string& path, const std::string& cookie = "", test::HeaderList headers = {}) {
    if (!cookie.empty()) headers.emplace_back("Cookie", cookie);
    return test::get(port(), path, headers);
  }
  test::Response post(const std::string& path, const std::string& cookie = "") {
    return test::request(port(), "POST", path, cookie.empty() ? test::HeaderList{} : test::HeaderList{{"Cookie", cookie}});
  }

  std::shared_ptr<Store> store;
  std::optional<TestServer> server;
};

TEST(Security, AnIdTheStoreDoesNotHoldIsNeverAdopted) {
  SessionServer app({"s3cret"});
  // The strongest form of a chosen id: correctly signed (a leaked or logged-out cookie).
  auto pair = cookie_pair(app.get("/views"));
  const auto old_id = id_of(pair);
  ASSERT_FALSE(old_id.empty());
  EXPECT_EQ(app.post("/logout", pair).status, 200);
  auto after = app.get("/views", pair);
  EXPECT_EQ(after.body, "1");
  EXPECT_NE(id_of(cookie_pair(after)), old_id);
  EXPECT_FALSE(id_of(cookie_pair(after)).empty());
}

TEST(Security, LoginRegeneratesSoAPlantedIdOpensNothing) {
  SessionServer app({"s3cret"});
  // The attacker gets a real session and plants its cookie in the victim's browser.
  auto planted = cookie_pair(app.get("/views"));
  auto login = app.post("/login", planted);
  ASSERT_EQ(login.status, 200);
  auto victim = cookie_pair(login);
  EXPECT_NE(id_of(victim), id_of(planted));
  EXPECT_EQ(app.get("/user", victim).body, R"("victim")");
  EXPECT_EQ(app.get("/user", planted).body, "null");  // the attacker's copy sees no login
}

TEST(Security, TamperedOrTruncatedSignaturesGiveAFreshSessionAndHarmNone) {
  SessionServer app({"s3cret"});
  auto pair = cookie_pair(app.get("/views"));
  const auto id = id_of(pair);
  ASSERT_FALSE(id.empty());
  const auto dot = pair.rfind('.');
  std::string flipped = pair;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  std::string other_id = pair;
  other_id[pair.find("s%3A") + 4] = id[0] == 'A' ? 'B' : 'A';
  for (const std::string& forged : {
           flipped,                                // one character of the MAC changed
           pair.substr(0, pair.size() - 1),        // MAC cut short by one character
           pair.substr(0, dot + 1),                // empty MAC
           pair.substr(0, dot),                    // no MAC at all
           "connect.sid=" + id,                    // not even the "s:" prefix
           other_id,                               // another id under this id's MAC
           pair + pair.substr(dot),                // MAC doubled
       }) {
    auto res = app.get("/views", forged);
    EXPECT_EQ(res.status, 200) << forged;
    EXPECT_EQ(res.body, "1") << forged;
    EXPECT_NE(id_of(cookie_pair(res)), id) << forged;
  }
  EXPECT_EQ(app.get("/views", pair).body, "2");  // the real session is untouched
}

TEST(Security, ARetiredSecretIsRefusedWhileARotatedOneStillVerifies) {
  auto store = std::make_shared<MemoryStore>();
  SessionServer before({"old secret"}, store);
  auto pair = cookie_pair(before.get("/views"));
  // Rotation: the new secret signs, the old one still verifies.
  SessionServer rotating({"new secret", "old secret"}, store);
  EXPECT_EQ(rotating.get("/views", pair).body, "2");
  // Retirement: the old secret is gone, so its cookies open nothing.
  SessionServer retired({"new secret"}, store);
  auto res = retired.get("/views", pair);
  EXPECT_EQ(res.body, "1");
  EXPECT_NE(id_of(cookie_pair(res)), id_of(pair));
}

TEST(Security, ATossedCookieNeverReadsOrChangesTheOtherSession) {
  SessionServer app({"s3cret"});
  auto victim = cookie_pair(app.get("/views"));
  EXPECT_EQ(app.get("/views", victim).body, "2");
  auto attacker = cookie_pair(app.get("/views"));
  // A cookie tossed from a sibling domain with a longer path is sent first. cortado, like
  // express-session (cookie.parse keeps the first), uses that one and only that one.
  EXPECT_EQ(app.get("/views", attacker + "; " + victim).body, "2");
  // A forged one in front gives a fresh session; it does not fall through to the victim's.
  auto forged = app.get("/views", "connect.sid=s%3Aforged.forged; " + victim);
  EXPECT_EQ(forged.body, "1");
  EXPECT_NE(id_of(cookie_pair(forged)), id_of(victim));
  EXPECT_EQ(app.get("/views", victim).body, "3");  // neither request touched the victim's session
}

TEST(Security, SecureCookieIsNeverSentOverPlainHttp) {
  SessionServer plain({"s3cret"}, nullptr, {.secure = true});
  auto res = plain.get("/views");
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(res.has_header("set-cookie"));
  // A client that claims HTTPS is not believed unless the app trusts its proxy.
  EXPECT_FALSE(plain.get("/views", "", {{"X-Forwarded-Proto", "https"}}).has_header("set-cookie"));

  SessionServer proxied({"s3cret"}, nullptr, {.secure = true}, /*trust_proxy=*/true);
  EXPECT_FALSE(proxied.get("/views", "", {{"X-Forwarded-Proto", "http"}}).has_header("set-cookie"));
  auto over_tls = proxied.get("/views", "", {{"X-Forwarded-Proto", "https"}});
  EXPECT_NE(over_tls.header("set-cookie").find("; Secure"), std::string::npos) << over_tls.header("set-cookie");
}

// An app that echoes user input into headers and cookies, as careless apps do.
std::string_view input(const Request& req) { return req.query().at("v").as_string(); }

TestServer echo_server() {
  return TestServer([](App& app) {
    app.get("/header", [](Request& req, Response& res) {
      res.set("X-Echo", input(req));
      res.send("sent");
    });
    app.get("/append", [](Request& req, Response& res) {
      res.append("Link", input(req));
      res.send("sent");
    });
    app.get("/name", [](Request& req, Response& res) {
      res.set(input(req), "1");
      res.send("sent");
    });
    app.get("/type", [](Request& req, Response& res) {
      res.type(input(req));
      res.send("sent");
    });
    app.get("/cookie", [](Request& req, Response& res) {
      res.cookie("echo", input(req));
      res.send("sent");
    });
    app.get("/cookie-name", [](Request& req, Response& res) {
      res.cookie(input(req), "1");
      res.send("sent");
    });
  });
}

std::string injected = "a%0D%0ASet-Cookie:%20evil=1";

TEST(Security, CrLfInAHeaderValueOrNameIsRefused) {
  auto server = echo_server();
  for (const auto& path : std::vector<std::string>{"/header?v=" + injected, "/append?v=" + injected, "/type?v=text/html%0D%0AX-Evil:%201",
                           "/name?v=X-A:%20b%0D%0ASet-Cookie:%20evil", "/header?v=a%0Ab", "/header?v=a%00b"}) {
    test::Connection conn(server.port());
    ASSERT_TRUE(conn.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    auto raw = conn.read_until_close();
    auto head = raw.substr(0, raw.find("\r\n\r\n"));  // the error page may quote the input, escaped
    EXPECT_TRUE(head.starts_with("HTTP/1.1 500 ")) << path << "\n" << raw;
    EXPECT_EQ(head.find("evil"), std::string::npos) << path << "\n" << raw;
    EXPECT_EQ(head.find("X-Evil"), std::string::npos) << path << "\n" << raw;
  }
  // Ordinary values still pass, including tabs and bytes above 0x7f (Node allows both).
  auto ok = test::get(server.port(), "/header?v=a%09b%C3%A9");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("x-echo"), "a\tb\xC3\xA9");
}

TEST(Security, ACookieValueCannotAddAttributesOrHeaders) {
  auto server = echo_server();
  // res.cookie encodes the value (encodeURIComponent), so ';' and CRLF stay inside it.
  auto res = test::get(server.port(), "/cookie?v=x%3B%20Domain%3Devil.example%0D%0AX-Evil%3A%201");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("set-cookie"), "echo=x%3B%20Domain%3Devil.example%0D%0AX-Evil%3A%201; Path=/");
  EXPECT_FALSE(res.has_header("x-evil"));
  // A name is not encoded: one that is not a token is refused outright.
  EXPECT_EQ(test::get(server.port(), "/cookie-name?v=a%3B%20Domain%3Devil.example").status, 500);
  EXPECT_FALSE(test::get(server.port(), "/cookie-name?v=a%3Db").has_header("set-cookie"));
}

TEST(Security, ProductionErrorPagesShowNoMessageTraceOrSecret) {
  const std::string secret = "the session secret 8c1f";
  TestServer server([&](App& app) {
    app.set("env", "production");
    app.use(session({.secret = {secret}, .resave = false, .save_uninitialized = false}));
    app.get("/fail", [&](Request&, Response&) -> Task<> {
      throw std::runtime_error("failed with " + secret + "\n    at handler (app.cpp:12)");
      co_return;
    });
  });
  auto res = test::get(server.port(), "/fail");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("8c1f"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("app.cpp"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("Internal Server Error"), std::string::npos) << res.body;
  for (const auto& [name, value] : res.headers) EXPECT_EQ(value.find("8c1f"), std::string::npos) << name;
}

}  // namespace
}  // namespace cortado
