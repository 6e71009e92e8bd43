// docs/DEPLOYMENT.md's app, as written there, on a real server: with `trust proxy`, a request that
// nginx forwarded from HTTPS (X-Forwarded-Proto: https) gets the Secure session cookie, a plain one
// gets none, and a cookie signed with the old secret still reads its session.
// (tests/fleet runs the same settings behind a real nginx, on a real Redis Cluster.)

#include "cortado/cortado.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace cortado {
namespace {

TEST(DeploymentDoc, TrustProxySecureCookieAndSecretList) {
  auto store = stores::memory();  // the doc: stores::redis(std::getenv("CORTADO_STORE"))
  std::string old_cookie;
  {
    // The fleet before the rotation: only the old secret.
    test::TestServer before([&](App& app) {
      app.set("trust proxy", true);
      app.use(session({.secret = {"OLD secret"}, .resave = false, .save_uninitialized = false, .store = store,
                       .cookie = {.secure = true}}));
      app.get("/login", [](Request& req, Response& res) {
        req.session()["user"] = "ada";
        res.json("ok");
      });
    });
    auto res = test::get(before.port(), "/login", {{"X-Forwarded-Proto", "https"}});
    ASSERT_EQ(res.status, 200);
    old_cookie = res.header("Set-Cookie");
    ASSERT_NE(old_cookie.find("; Secure"), std::string::npos) << old_cookie;
    old_cookie = old_cookie.substr(0, old_cookie.find(';'));
  }
  test::TestServer server([&](App& app) {
    // --- docs/DEPLOYMENT.md: The app (store and listen left to the test) ---
    app.set("trust proxy", true);  // X-Forwarded-Proto/-For/-Host from nginx (only nginx can reach the port)
    app.use(session({.secret = {"NEW secret", "OLD secret"},  // newest first: see "Rotating the secret"
                     .resave = false, .save_uninitialized = false,
                     .store = store,
                     .cookie = {.secure = true}}));
    // ---
    app.get("/login", [](Request& req, Response& res) {
      req.session()["user"] = "lin";
      res.json("ok");
    });
    app.get("/user", [](Request& req, Response& res) { res.json(req.session().get("user")); });
  });
  auto forwarded = test::get(server.port(), "/login", {{"X-Forwarded-Proto", "https"}});
  EXPECT_NE(forwarded.header("Set-Cookie").find("; Secure"), std::string::npos);
  auto plain = test::get(server.port(), "/login");
  EXPECT_EQ(plain.status, 200);
  EXPECT_FALSE(plain.has_header("Set-Cookie"));  // express-session sends no Secure cookie over plain HTTP
  EXPECT_EQ(test::get(server.port(), "/user", {{"Cookie", old_cookie}}).body, "\"ada\"");
}

}  // namespace
}  // namespace cortado
