// cookie_session() over real sockets: cookie-session's cookies (values and signatures checked
// against what Node's cookie-session 2.1.1 writes for the same data and keys), forged, truncated,
// replayed and rotated cookies, and the sealed variant with its expiry and size limit.
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include "cortado/cortado.hpp"
#include "cortado/session/cookie_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cortado {
namespace {

using namespace std::chrono_literals;

// Node: keys ['key one', 'key two']; {"views":1} is eyJ2aWV3cyI6MX0=, signed
// Keygrip(keys).sign('session=eyJ2aWV3cyI6MX0=').
constexpr const char* views_1 = "session=eyJ2aWV3cyI6MX0=";
constexpr const char* views_1_sig = "session.sig=jJ2ASzq-9cM5wGhEW2luzxXrEhM";
constexpr const char* views_1_sig_by_key_two = "session.sig=1ErURyuOKh-upVb2heIKNwQYXso";

std::string pair_of(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

// The name=value pairs of a response's Set-Cookie headers, joined as a Cookie header.
std::string cookies_of(const test::Response& res) {
  std::string out;
  for (const auto& c : res.header_values("set-cookie")) out += (out.empty() ? "" : "; ") + pair_of(c);
  return out;
}

void add_routes(App& app) {
  app.use(body_parser::json({.strict = false}));
  app.get("/", [](Request&, Response& res) { res.json("ok"); });
  app.get("/views", [](Request& req, Response& res) {
    auto& s = req.session();
    int views = s.get<std::optional<int>>("views").value_or(0) + 1;
    s.set("views", views);
    res.json(views);
  });
  app.get("/data", [](Request& req, Response& res) { res.json(req.session().data()); });
  app.get("/state", [](Request& req, Response& res) {
    auto& s = req.session();
    res.json({{"isNew", s.is_new()}, {"isChanged", s.is_changed()}, {"isPopulated", s.is_populated()}});
  });
  app.post("/set/:key", [](Request& req, Response& res) {
    req.session()[req.params()["key"]] = req.body();
    res.json("ok");
  });
  app.post("/null", [](Request& req, Response& res) {
    req.unset_session();
    res.json("ok");
  });
  app.post("/destroy", [](Request& req, Response& res) -> Task<> {
    co_await req.session().destroy();
    res.json("ok");
  });
  app.post("/regenerate", [](Request& req, Response& res) -> Task<> {
    co_await req.session().regenerate();
    req.session()["fresh"] = true;
    res.json("ok");
  });
  app.post("/reload", [](Request& req, Response& res) -> Task<> {
    req.session()["dropped"] = true;
    co_await req.session().reload();
    res.json(req.session().data());
  });
  app.post("/other-cookie-first", [](Request& req, Response& res) {
    res.cookie("session", "set by the app");
    req.session()["x"] = 1;
    res.json("ok");
  });
  app.use([](std::exception_ptr error, Request&, Response& res, Next) {
    try {
      std::rethrow_exception(error);
    } catch (const HttpError& e) {
      res.status(e.status()).json({{"error", e.what()}});
    } catch (const std::exception& e) {
      res.status(500).json({{"error", e.what()}});
    }
  });
}

struct CookieApp {
  explicit CookieApp(CookieSessionOptions options, bool trust_proxy = false)
      : server([&](App& app) {
          app.set("trust proxy", trust_proxy);
          app.use(cookie_session(options));
          add_routes(app);
        }) {}
  test::TestServer server;
  std::uint16_t port() { return server.port(); }
};

CookieSessionOptions two_keys() { return {.keys = {"key one", "key two"}}; }

TEST(CookieSession, WritesWhatNodeWrites) {
  CookieApp app(two_keys());
  auto res = test::get(app.port(), "/views");
  EXPECT_EQ(res.body, "1");
  EXPECT_EQ(res.header_values("set-cookie"),
            (std::vector<std::string>{std::string(views_1) + "; path=/; httponly", std::string(views_1_sig) + "; path=/; httponly"}));
}

TEST(CookieSession, ReadsWhatNodeWrote) {
  CookieApp app(two_keys());
  auto res = test::get(app.port(), "/views", {{"Cookie", std::string(views_1) + "; " + views_1_sig}});
  EXPECT_EQ(res.body, "2");
  auto data = test::get(app.port(), "/data", {{"Cookie", cookies_of(res)}});
  EXPECT_EQ(data.body, R"({"views":2})");
  EXPECT_FALSE(data.has_header("set-cookie"));  // read, unchanged: nothing written
}

TEST(CookieSession, AnEmptyNewSessionWritesNothing) {
  CookieApp app(two_keys());
  auto res = test::get(app.port(), "/state");
  EXPECT_EQ(res.body, R"({"isNew":true,"isChanged":true,"isPopulated":false})");
  EXPECT_FALSE(res.has_header("set-cookie"));
  auto loaded = test::get(app.port(), "/state", {{"Cookie", std::string(views_1) + "; " + views_1_sig}});
  EXPECT_EQ(loaded.body, R"({"isNew":false,"isChanged":false,"isPopulated":true})");
}

TEST(CookieSession, ForgedAndTruncatedCookiesGiveANewSession) {
  CookieApp app(two_keys());
  const std::string sig_cleared = "session.sig=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly";
  struct Case {
    std::string cookie;
    bool clears_sig;
  };
  const std::vector<Case> cases{
      {"session=eyJ2aWV3cyI6OX0=; " + std::string(views_1_sig), true},         // the data changed ({"views":9})
      {std::string(views_1) + "; session.sig=jJ2ASzq-9cM5wGhEW2luzxXrEhN", true},  // the signature changed
      {std::string(views_1) + "; session.sig=jJ2ASzq-9cM5wGhEW2luzxXrEh", true},   // signature truncated
      {"session=eyJ2aWV3cyI6MX0; " + std::string(views_1_sig), true},          // value truncated
      {std::string(views_1) + "; session.sig=" + "AAAAAAAAAAAAAAAAAAAAAAAAAAA", true},
      {std::string(views_1), false},                                            // no signature: nothing cleared
      {std::string(views_1) + "; session.sig=", false},
  };
  for (const auto& c : cases) {
    auto res = test::get(app.port(), "/views", {{"Cookie", c.cookie}});
    EXPECT_EQ(res.body, "1") << c.cookie;
    auto set = res.header_values("set-cookie");
    // The new session is written; with overwrite its cookies replace the .sig clearing.
    ASSERT_EQ(set.size(), 2u) << c.cookie;
    EXPECT_EQ(set[0], std::string(views_1) + "; path=/; httponly");
    // Read without a change, a forged cookie only clears the signature (cookie-session's get()).
    auto read = test::get(app.port(), "/data", {{"Cookie", c.cookie}});
    EXPECT_EQ(read.body, "{}") << c.cookie;
    if (c.clears_sig)
      EXPECT_EQ(read.header_values("set-cookie"), std::vector<std::string>{sig_cleared}) << c.cookie;
    else
      EXPECT_FALSE(read.has_header("set-cookie")) << c.cookie;
  }
}

TEST(CookieSession, NotReadNotChecked) {
  // cookie-session reads the cookie when req.session is first read: a route that does not use the
  // session answers as if there were none, even to a forged cookie.
  CookieApp app(two_keys());
  auto res = test::get(app.port(), "/", {{"Cookie", std::string(views_1) + "; session.sig=forged"}});
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(res.has_header("set-cookie"));
}

TEST(CookieSession, ReplayedCookieIsAcceptedAsInNode) {
  // cookie-session has no replay defence (its README says so): an older cookie, still signed,
  // brings the older data back. The sealed variant bounds this with its expiry.
  CookieApp app(two_keys());
  auto first = test::get(app.port(), "/views");
  auto second = test::get(app.port(), "/views", {{"Cookie", cookies_of(first)}});
  EXPECT_EQ(second.body, "2");
  auto replayed = test::get(app.port(), "/views", {{"Cookie", cookies_of(first)}});
  EXPECT_EQ(replayed.body, "2");
}

TEST(CookieSession, RetiredKeyVerifiesAndTheSignatureIsWrittenAgain) {
  CookieApp app(two_keys());
  auto res = test::get(app.port(), "/data", {{"Cookie", std::string(views_1) + "; " + views_1_sig_by_key_two}});
  EXPECT_EQ(res.body, R"({"views":1})");
  EXPECT_EQ(res.header_values("set-cookie"), std::vector<std::string>{std::string(views_1_sig) + "; path=/; httponly"});
  // Once the key is dropped, its signatures no longer verify.
  CookieApp rotated({.keys = {"key one"}});
  auto after = test::get(rotated.port(), "/data", {{"Cookie", std::string(views_1) + "; " + views_1_sig_by_key_two}});
  EXPECT_EQ(after.body, "{}");
}

TEST(CookieSession, NullSessionClearsBothCookies) {
  CookieApp app(two_keys());
  const std::string cookie = std::string(views_1) + "; " + views_1_sig;
  for (const char* route : {"/null", "/destroy"}) {
    auto res = test::request(app.port(), "POST", route, {{"Cookie", cookie}});
    auto set = res.header_values("set-cookie");
    ASSERT_EQ(set.size(), 2u) << route;
    EXPECT_EQ(set[0], "session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly") << route;
    // Node signs the empty value too: keygrip.sign('session=').
    EXPECT_TRUE(set[1].starts_with("session.sig=")) << route;
    EXPECT_TRUE(set[1].ends_with("; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly")) << route;
  }
}

TEST(CookieSession, RegenerateEmptiesAndReloadGoesBack) {
  CookieApp app(two_keys());
  const std::string cookie = std::string(views_1) + "; " + views_1_sig;
  auto regenerated = test::request(app.port(), "POST", "/regenerate", {{"Cookie", cookie}});
  auto data = test::get(app.port(), "/data", {{"Cookie", cookies_of(regenerated)}});
  EXPECT_EQ(data.body, R"({"fresh":true})");
  auto reloaded = test::request(app.port(), "POST", "/reload", {{"Cookie", cookie}});
  EXPECT_EQ(reloaded.body, R"({"views":1})");
  EXPECT_FALSE(reloaded.has_header("set-cookie"));
}

TEST(CookieSession, Attributes) {
  CookieApp app({.name = "app",
                 .keys = {"k"},
                 .cookie = {.max_age = 1h,
                            .domain = "example.com",
                            .path = "/",
                            .http_only = false,
                            .partitioned = true,
                            .priority = "High",
                            .same_site = "Lax"}});
  auto res = test::get(app.port(), "/views");
  auto set = res.header_values("set-cookie");
  ASSERT_EQ(set.size(), 2u);
  EXPECT_TRUE(set[0].starts_with("app=eyJ2aWV3cyI6MX0=; path=/; expires=")) << set[0];
  EXPECT_TRUE(set[0].ends_with(" GMT; domain=example.com; priority=high; samesite=lax; partitioned")) << set[0];
  EXPECT_TRUE(set[1].starts_with("app.sig=")) << set[1];
  EXPECT_EQ(set[1].substr(set[1].find(';')), set[0].substr(set[0].find(';')));
}

TEST(CookieSession, SecureFollowsTheRequestUnlessSet) {
  CookieApp automatic(two_keys(), true);
  auto plain = test::get(automatic.port(), "/views");
  EXPECT_EQ(plain.header_values("set-cookie").at(0), std::string(views_1) + "; path=/; httponly");
  auto https = test::get(automatic.port(), "/views", {{"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(https.header_values("set-cookie").at(0), std::string(views_1) + "; path=/; secure; httponly");
  // secure: true over plain HTTP: cookies refuses, cookie-session writes nothing.
  CookieApp secure({.keys = {"key one"}, .cookie = {.secure = true}}, true);
  EXPECT_FALSE(test::get(secure.port(), "/views").has_header("set-cookie"));
  EXPECT_EQ(test::get(secure.port(), "/views", {{"X-Forwarded-Proto", "https"}}).header_values("set-cookie").size(), 2u);
}

TEST(CookieSession, OverwriteReplacesTheAppsCookieOfThatName) {
  CookieApp overwriting(two_keys());
  auto res = test::request(overwriting.port(), "POST", "/other-cookie-first");
  auto set = res.header_values("set-cookie");
  ASSERT_EQ(set.size(), 2u);
  EXPECT_TRUE(set[0].starts_with("session=eyJ4IjoxfQ==;"));
  CookieApp keeping({.keys = {"key one"}, .overwrite = false});
  auto kept = test::request(keeping.port(), "POST", "/other-cookie-first");
  EXPECT_EQ(kept.header_values("set-cookie").size(), 3u);
}

TEST(CookieSession, UnsignedNeedsNoKeys) {
  CookieApp app({.sign = false});
  auto res = test::get(app.port(), "/views");
  EXPECT_EQ(res.header_values("set-cookie"), std::vector<std::string>{std::string(views_1) + "; path=/; httponly"});
  auto next = test::get(app.port(), "/views", {{"Cookie", "session=eyJ2aWV3cyI6NDF9"}});  // {"views":41}, unpadded
  EXPECT_EQ(next.body, "42");
}

TEST(CookieSession, RefusesOptionsItCannotUse) {
  EXPECT_THROW(cookie_session({}), std::invalid_argument);  // signed, no keys
  EXPECT_THROW(cookie_session({.sealed = true}), std::invalid_argument);
  EXPECT_THROW(cookie_session({.name = "a;b", .keys = {"k"}}), std::invalid_argument);
  EXPECT_THROW(cookie_session({.keys = {"k"}, .cookie = {.same_site = "sometimes"}}), std::invalid_argument);
  EXPECT_THROW(cookie_session({.keys = {"k"}, .cookie = {.priority = "urgent"}}), std::invalid_argument);
  EXPECT_NO_THROW(cookie_session({.secret = "one key"}));
}

// --- sealed -------------------------------------------------------------------------------------

CookieSessionOptions sealed(std::vector<std::string> keys = {"sealing key"}) {
  return {.keys = std::move(keys), .sealed = true};
}

TEST(SealedCookieSession, RoundTripWithOneOpaqueCookie) {
  CookieApp app(sealed());
  auto first = test::request(app.port(), "POST", "/set/user", {{"Content-Type", "application/json"}}, R"("ana")");
  auto set = first.header_values("set-cookie");
  ASSERT_EQ(set.size(), 1u);  // no .sig cookie: the value authenticates itself
  EXPECT_TRUE(set[0].starts_with("session=A")) << set[0];  // version 1
  EXPECT_EQ(set[0].find("ana"), std::string::npos);
  auto data = test::get(app.port(), "/data", {{"Cookie", cookies_of(first)}});
  EXPECT_EQ(data.body, R"({"user":"ana"})");
  EXPECT_FALSE(data.has_header("set-cookie"));
}

TEST(SealedCookieSession, TamperedTruncatedOrForeignCookiesGiveANewSession) {
  CookieApp app(sealed());
  auto pair = cookies_of(test::get(app.port(), "/views"));
  auto tampered = pair;
  tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
  for (const auto& cookie : {tampered, pair.substr(0, pair.size() - 3), std::string(views_1) + "; " + views_1_sig,
                             std::string("session=")}) {
    auto res = test::get(app.port(), "/data", {{"Cookie", cookie}});
    EXPECT_EQ(res.body, "{}") << cookie;
    EXPECT_FALSE(res.has_header("set-cookie")) << cookie;
  }
  // Sealed by another key.
  CookieApp other(sealed({"another key"}));
  EXPECT_EQ(test::get(other.port(), "/data", {{"Cookie", pair}}).body, "{}");
}

TEST(SealedCookieSession, ExpiresInsideTheCookie) {
  auto options = sealed();
  options.sealed_lifetime = 300ms;
  CookieApp app(options);
  auto pair = cookies_of(test::get(app.port(), "/views"));
  EXPECT_EQ(test::get(app.port(), "/data", {{"Cookie", pair}}).body, R"({"views":1})");  // replayed in time
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(test::get(app.port(), "/data", {{"Cookie", pair}}).body, "{}");  // replayed too late
}

TEST(SealedCookieSession, RetiredKeyOpensAndTheCookieIsSealedAgain) {
  CookieApp old_app(sealed({"old key"}));
  auto old_pair = cookies_of(test::get(old_app.port(), "/views"));
  CookieApp rotated(sealed({"new key", "old key"}));
  auto res = test::get(rotated.port(), "/data", {{"Cookie", old_pair}});
  EXPECT_EQ(res.body, R"({"views":1})");
  auto resealed = cookies_of(res);
  ASSERT_FALSE(resealed.empty());
  EXPECT_NE(resealed, old_pair);
  CookieApp new_only(sealed({"new key"}));
  EXPECT_EQ(test::get(new_only.port(), "/data", {{"Cookie", resealed}}).body, R"({"views":1})");
  EXPECT_EQ(test::get(new_only.port(), "/data", {{"Cookie", old_pair}}).body, "{}");
}

TEST(SealedCookieSession, SealingAgainForANewKeyKeepsTheExpiry) {
  auto old_options = sealed({"old key"});
  old_options.sealed_lifetime = 400ms;
  CookieApp old_app(old_options);
  auto old_pair = cookies_of(test::get(old_app.port(), "/views"));
  auto rotating_options = sealed({"new key", "old key"});
  rotating_options.sealed_lifetime = 1h;
  CookieApp rotated(rotating_options);
  auto resealed = cookies_of(test::get(rotated.port(), "/data", {{"Cookie", old_pair}}));
  ASSERT_FALSE(resealed.empty());
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(test::get(rotated.port(), "/data", {{"Cookie", resealed}}).body, "{}");
}

TEST(SealedCookieSession, TooLargeIsAnErrorBeforeTheResponse) {
  CookieApp app(sealed());
  auto small = test::request(app.port(), "POST", "/set/note", {{"Content-Type", "application/json"}},
                             "\"" + std::string(2900, 'a') + "\"");
  ASSERT_EQ(small.status, 200);
  ASSERT_EQ(small.header_values("set-cookie").size(), 1u);
  EXPECT_LE(small.header_values("set-cookie")[0].size(), SessionCookieTooLarge::max_cookie_bytes);
  auto large = test::request(app.port(), "POST", "/set/note", {{"Content-Type", "application/json"}},
                             "\"" + std::string(3100, 'a') + "\"");
  EXPECT_EQ(large.status, 500);
  EXPECT_NE(large.body.find("the session does not fit in its cookie: \\\"session\\\" would take "), std::string::npos)
      << large.body;
  EXPECT_NE(large.body.find("browsers keep at most 4096"), std::string::npos) << large.body;
  EXPECT_FALSE(large.has_header("set-cookie"));  // the browser keeps the cookie it had
  // Without an error handler of its own, the app's final handler answers 500 too.
  test::TestServer bare([](App& a) {
    a.use(body_parser::json({.strict = false}));
    a.use(cookie_session({.keys = {"k"}, .sealed = true}));
    a.post("/big", [](Request& req, Response& res) {
      req.session().set("note", std::string(5000, 'b'));
      res.json("ok");
    });
  });
  auto res = test::request(bare.port(), "POST", "/big");
  EXPECT_EQ(res.status, 500);
  EXPECT_FALSE(res.has_header("set-cookie"));
}

TEST(SealedCookieSession, TypedValuesWork) {
  CookieApp app(sealed());
  auto first = test::get(app.port(), "/views");
  auto second = test::get(app.port(), "/views", {{"Cookie", cookies_of(first)}});
  EXPECT_EQ(second.body, "2");
}

}  // namespace
}  // namespace cortado
