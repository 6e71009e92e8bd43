// The app layer over real sockets: routing, middleware, errors, default pages and the response
// helpers. Expected texts are what Express 5.1 (Node 20) sends for the same app.

#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include "cortado/cortado.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>

namespace cortado {
namespace {

using namespace std::chrono_literals;
using test::TestServer;

// The page Express's finalhandler writes around a message.
std::string error_page(std::string_view message) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n"
         "<body>\n<pre>" +
         std::string(message) + "</pre>\n</body>\n</html>\n";
}

json::object params_object(const Request& req) {
  json::object out;
  for (const auto& [name, value] : req.params()) out[name] = value;
  return out;
}

TEST(AppRouting, NamedParamsAreDecoded) {
  TestServer server([](App& app) {
    app.settings().env = "development";
    app.get("/users/:id", [](Request& req, Response& res) { res.send(req.params()["id"]); });
  });
  EXPECT_EQ(test::get(server.port(), "/users/42").body, "42");
  EXPECT_EQ(test::get(server.port(), "/users/a%20b").body, "a b");
  auto bad = test::get(server.port(), "/users/%E0%A4%A");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Failed to decode param &#39;%E0%A4%A&#39;"), std::string::npos) << bad.body;
  EXPECT_EQ(test::get(server.port(), "/users/42/more").status, 404);
}

TEST(AppRouting, OptionalAndSplatParams) {
  TestServer server([](App& app) {
    app.get("/files{/:name}", [](Request& req, Response& res) { res.json(params_object(req)); });
    app.get("/assets/*splat", [](Request& req, Response& res) { res.send(req.params()["splat"]); });
  });
  EXPECT_EQ(test::get(server.port(), "/files").body, "{}");
  EXPECT_EQ(test::get(server.port(), "/files/x%2Fy").body, R"({"name":"x/y"})");
  EXPECT_EQ(test::get(server.port(), "/assets/a/b%20c/d").body, "a/b c/d");
  EXPECT_EQ(test::get(server.port(), "/assets").status, 404);  // a splat needs one segment at least
}

TEST(AppRouting, MatchingIgnoresCaseAndTrailingSlashByDefault) {
  TestServer server([](App& app) { app.get("/About", [](Request&, Response& res) { res.send("about"); }); });
  EXPECT_EQ(test::get(server.port(), "/about").body, "about");
  EXPECT_EQ(test::get(server.port(), "/ABOUT/").body, "about");
}

TEST(AppRouting, StrictAndCaseSensitiveRoutingCanBeSet) {
  TestServer server([](App& app) {
    app.set("case sensitive routing", true);
    app.set("strict routing", true);
    app.get("/About", [](Request&, Response& res) { res.send("about"); });
  });
  EXPECT_EQ(test::get(server.port(), "/About").status, 200);
  EXPECT_EQ(test::get(server.port(), "/about").status, 404);
  EXPECT_EQ(test::get(server.port(), "/About/").status, 404);
}

// settings() is where the flags live: a change there is honoured like app.set()'s, never
// ignored because the router kept a copy.
TEST(AppRouting, RoutingFlagsChangedThroughSettingsAreHonoured) {
  TestServer server([](App& app) {
    app.settings().case_sensitive_routing = true;
    app.settings().strict_routing = true;
    app.get("/About", [](Request&, Response& res) { res.send("about"); });
  });
  EXPECT_EQ(test::get(server.port(), "/About").status, 200);
  EXPECT_EQ(test::get(server.port(), "/about").status, 404);
  EXPECT_EQ(test::get(server.port(), "/About/").status, 404);
}

TEST(AppRouting, RouterMountedAtAPrefix) {
  TestServer server([](App& app) {
    Router api;
    api.use([](Request& req, Response& res, Next next) {
      res.set("X-Router-Path", req.path());
      next();
    });
    api.get("/items/:id", [](Request& req, Response& res) {
      res.json({{"base", req.base_url()},
                {"path", req.path()},
                {"original", req.original_url()},
                {"url", req.url()},
                {"id", req.params()["id"]}});
    });
    app.use("/api", api);
  });
  auto res = test::get(server.port(), "/api/items/7?x=1");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"base":"/api","path":"/items/7","original":"/api/items/7?x=1","url":"/items/7?x=1","id":"7"})");
  EXPECT_EQ(res.header("x-router-path"), "/items/7");
  EXPECT_EQ(test::get(server.port(), "/items/7").status, 404);
  EXPECT_EQ(test::get(server.port(), "/apix/items/7").status, 404);  // a prefix ends at a '/'
}

TEST(AppRouting, MiddlewareRunsInOrder) {
  TestServer server([](App& app) {
    auto step = [](std::string name) {
      return [name](Request&, Response& res, Next next) {
        res.append("X-Order", name);
        next();
      };
    };
    app.use(step("1"));
    app.use("/admin", step("admin"));
    app.use(step("2"));
    app.get("/x", [](Request&, Response& res) { res.append("X-Order", "route").send("x"); });
    app.get("/admin/x", [](Request&, Response& res) { res.append("X-Order", "route").send("ax"); });
    app.use("/stop", [](Request&, Response& res, Next) { res.send("stopped"); });  // no next()
    app.get("/stop", [](Request&, Response& res) { res.send("unreachable"); });
    app.use(step("after"));
  });
  auto plain = test::get(server.port(), "/x");
  EXPECT_EQ(plain.header_values("x-order"), (std::vector<std::string>{"1", "2", "route"}));
  auto admin = test::get(server.port(), "/admin/x");
  EXPECT_EQ(admin.header_values("x-order"), (std::vector<std::string>{"1", "admin", "2", "route"}));
  auto stop = test::get(server.port(), "/stop");
  EXPECT_EQ(stop.body, "stopped");
  EXPECT_EQ(stop.header_values("x-order"), (std::vector<std::string>{"1", "2"}));
}

TEST(AppRouting, ErrorsReachTheErrorHandlersAfterThem) {
  TestServer server([](App& app) {
    // An error handler before the routes: Express only calls those after the failing layer.
    app.use([](std::exception_ptr, Request&, Response& res, Next next) {
      res.set("X-Early", "called");
      next();
    });
    app.get("/next-error", [](Request&, Response&, Next next) { next(HttpError(418, "teapot")); });
    app.get("/next-error", [](Request&, Response& res) { res.send("skipped"); });
    app.get("/throw", [](Request&, Response&) { throw std::runtime_error("boom"); });
    app.get("/throw-async", [](Request&, Response&) -> Task<> {
      co_await sleep_for(1ms);
      throw std::runtime_error("late boom");
    });
    app.use([](Request&, Response&, Next next) { next(); });  // ordinary middleware: skipped
    app.use([](std::exception_ptr error, Request&, Response& res, Next) {
      try {
        std::rethrow_exception(error);
      } catch (const HttpError& e) {
        res.status(e.status()).send(std::string("handled ") + e.what());
      } catch (const std::exception& e) {
        res.status(500).send(std::string("handled ") + e.what());
      }
    });
  });
  auto next_error = test::get(server.port(), "/next-error");
  EXPECT_EQ(next_error.status, 418);
  EXPECT_EQ(next_error.body, "handled teapot");
  EXPECT_FALSE(next_error.has_header("x-early"));
  auto thrown = test::get(server.port(), "/throw");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.body, "handled boom");
  auto thrown_async = test::get(server.port(), "/throw-async");
  EXPECT_EQ(thrown_async.status, 500);
  EXPECT_EQ(thrown_async.body, "handled late boom");
}

TEST(AppRouting, AnErrorHandlerCanPassTheErrorOn) {
  auto configure = [](std::string env) {
    return [env](App& app) {
      app.settings().env = env;
      app.get("/", [](Request&, Response&, Next next) { next(HttpError(418, "short & stout")); });
      app.use([](std::exception_ptr error, Request&, Response& res, Next next) {
        res.set("X-Seen", "yes");
        next(error);
      });
    };
  };
  {
    TestServer server(configure("production"));
    auto res = test::get(server.port(), "/");
    EXPECT_EQ(res.status, 418);
    // finalhandler in production: the status text only, even for a 4xx.
    EXPECT_EQ(res.body, error_page("I&#39;m a Teapot"));
    // finalhandler keeps the headers already set (it drops only Content-Encoding/-Language/-Range).
    EXPECT_EQ(res.header("x-seen"), "yes");
  }
  {
    TestServer server(configure("development"));
    auto res = test::get(server.port(), "/");
    EXPECT_EQ(res.status, 418);
    EXPECT_NE(res.body.find("short &amp; stout"), std::string::npos) << res.body;
  }
}

TEST(AppRouting, CoroutineMiddlewareActsAfterTheRestOfTheChain) {
  TestServer server([](App& app) {
    app.use([](Request&, Response& res, Next next) -> Task<> {
      co_await next();
      res.set("X-After", "status=" + std::to_string(res.status_code()));
    });
    app.get("/co", [](Request&, Response& res) -> Task<> {
      co_await sleep_for(5ms);
      res.status(201).send("made");
    });
  });
  auto made = test::get(server.port(), "/co");
  EXPECT_EQ(made.status, 201);
  EXPECT_EQ(made.body, "made");
  EXPECT_EQ(made.header("x-after"), "status=201");
  EXPECT_EQ(test::get(server.port(), "/none").header("x-after"), "status=404");
}

TEST(AppRouting, Default404PageEscapesThePath) {
  TestServer server([](App&) {});
  auto res = test::get(server.port(), "/no/such<script>&\"x\"?q=<b>");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(res.header("content-security-policy"), "default-src 'none'");
  EXPECT_EQ(res.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(res.body, error_page("Cannot GET /no/such%3Cscript%3E&amp;%22x%22"));
}

TEST(AppRouting, Default500PageInDevelopmentShowsTheMessage) {
  TestServer server([](App& app) {
    app.settings().env = "development";
    app.get("/fail", [](Request&, Response&) { throw std::runtime_error("kaput <b>"); });
  });
  auto res = test::get(server.port(), "/fail");
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("kaput &lt;b&gt;"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("<b>"), std::string::npos);
}

TEST(AppRouting, Default500PageInProductionHidesTheMessage) {
  TestServer server([](App& app) {
    app.settings().env = "production";
    app.get("/fail", [](Request&, Response&) { throw std::runtime_error("secret detail"); });
  });
  auto res = test::get(server.port(), "/fail");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body, error_page("Internal Server Error"));
}

TEST(AppRouting, EnvCanBeSetWithAStringLiteral) {
  // app.set("env", "production") as in Express; a literal must not pick the bool overload.
  std::unique_ptr<TestServer> server;
  ASSERT_NO_THROW(server = std::make_unique<TestServer>([](App& app) {
    app.set("env", "production");
    app.get("/fail", [](Request&, Response&) { throw std::runtime_error("secret detail"); });
  }));
  EXPECT_EQ(test::get(server->port(), "/fail").body, error_page("Internal Server Error"));
}

TEST(AppRouting, OptionsIsAnsweredWithAllow) {
  TestServer server([](App& app) {
    app.post("/thing", [](Request&, Response& res) { res.send("p"); });
    app.get("/thing", [](Request&, Response& res) { res.send("g"); });
  });
  auto res = test::request(server.port(), "OPTIONS", "/thing");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(res.body, "GET, HEAD, POST");
  EXPECT_EQ(res.header("content-type"), "text/plain");
  auto none = test::request(server.port(), "OPTIONS", "/nothing");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body, error_page("Cannot OPTIONS /nothing"));
}

TEST(AppRouting, HeadIsServedByTheGetRoute) {
  TestServer server([](App& app) { app.get("/users/:id", [](Request& req, Response& res) { res.send(req.params()["id"]); }); });
  test::Connection conn(server.port());
  auto res = conn.request("HEAD", "/users/abc");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->header("content-length"), "3");
  EXPECT_EQ(res->header("etag"), R"(W/"3-qZk+NkcGgWq6PiVxeFDCbJzQ2J0")");
  EXPECT_TRUE(res->body.empty());
}

TEST(AppRouting, QueryStringIsParsedAsExpressDoes) {
  TestServer server([](App& app) {
    app.get("/q", [](Request& req, Response& res) {
      res.set("X-First-A", req.query("a"));
      res.json(req.query());
    });
  });
  auto res = test::get(server.port(), "/q?a=1&a=2&b=x+y&c=%20z&d");
  EXPECT_EQ(res.body, R"({"a":["1","2"],"b":"x y","c":" z","d":""})");
  EXPECT_EQ(res.header("x-first-a"), "1");
}

TEST(AppRouting, RedirectSetsLocationStatusAndBody) {
  TestServer server([](App& app) {
    app.get("/go", [](Request&, Response& res) { res.redirect("/target?a=b c"); });
    app.get("/go301", [](Request&, Response& res) { res.redirect(301, "http://example.com/<x>"); });
  });
  auto plain = test::get(server.port(), "/go");
  EXPECT_EQ(plain.status, 302);
  EXPECT_EQ(plain.header("location"), "/target?a=b%20c");
  EXPECT_EQ(plain.header("vary"), "Accept");
  EXPECT_EQ(plain.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(plain.body, "Found. Redirecting to /target?a=b%20c");
  auto html = test::get(server.port(), "/go", {{"Accept", "text/html"}});
  EXPECT_EQ(html.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(html.body,
            "<!DOCTYPE html><head><title>Found</title></head><body><p>Found. Redirecting to /target?a=b%20c</p></body>");
  auto moved = test::get(server.port(), "/go301", {{"Accept", "text/plain"}});
  EXPECT_EQ(moved.status, 301);
  EXPECT_EQ(moved.header("location"), "http://example.com/%3Cx%3E");
  EXPECT_EQ(moved.body, "Moved Permanently. Redirecting to http://example.com/%3Cx%3E");
}

TEST(AppRouting, CookiesAreWrittenAsExpressWritesThem) {
  TestServer server([](App& app) {
    app.get("/cookie", [](Request&, Response& res) {
      res.cookie("name", "tobi ok", {.path = "/admin", .http_only = true, .secure = true, .same_site = "lax"});
      res.cookie("b", "x");
      res.clear_cookie("old");
      res.cookie("m", "1", {.max_age = std::chrono::milliseconds(60'000)});
      res.send("c");
    });
  });
  auto res = test::get(server.port(), "/cookie");
  auto cookies = res.header_values("set-cookie");
  ASSERT_EQ(cookies.size(), 4u);
  EXPECT_EQ(cookies[0], "name=tobi%20ok; Path=/admin; HttpOnly; Secure; SameSite=Lax");
  EXPECT_EQ(cookies[1], "b=x; Path=/");
  EXPECT_EQ(cookies[2], "old=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  static const std::regex max_age(R"(m=1; Max-Age=60; Path=/; Expires=\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT)");
  EXPECT_TRUE(std::regex_match(cookies[3], max_age)) << cookies[3];
}

TEST(AppRouting, RequestCookiesAreParsed) {
  TestServer server([](App& app) {
    app.get("/", [](Request& req, Response& res) {
      res.send(std::string(req.cookies()["a"]) + "|" + std::string(req.cookies()["b"]));
    });
  });
  EXPECT_EQ(test::get(server.port(), "/", {{"Cookie", "a=1; b=x%20y; a=2"}}).body, "1|x y");
}

// The body parsers behind routes that echo what they parsed (null when nothing was parsed).
void body_routes(App& app) {
  app.settings().env = "production";
  app.post("/json", body_parser::json({.limit = 100}), [](Request& req, Response& res) { res.json(req.body()); });
  app.post("/form", body_parser::urlencoded({.limit = 100}), [](Request& req, Response& res) { res.json(req.body()); });
  app.post("/text", body_parser::text(), [](Request& req, Response& res) { res.json(req.body()); });
}

TEST(AppRouting, JsonBodyParser) {
  TestServer server(body_routes);
  auto ok = test::request(server.port(), "POST", "/json", {{"Content-Type", "application/json"}}, R"({"a":[1,"b"]})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, R"({"a":[1,"b"]})");
  auto malformed = test::request(server.port(), "POST", "/json", {{"Content-Type", "application/json"}}, R"({"a":1,)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body, error_page("Bad Request"));
  std::string big = "[" + std::string(59 * 2, ',') + "1]";
  for (std::size_t i = 1; i < big.size() - 2; i += 2) big[i] = '1';  // [1,1,...,1] of 121 bytes
  auto too_big = test::request(server.port(), "POST", "/json", {{"Content-Type", "application/json"}}, big);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.body, error_page("Payload Too Large"));
  // Another media type passes through untouched.
  auto other = test::request(server.port(), "POST", "/json", {{"Content-Type", "text/plain"}}, R"({"a":1})");
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, "null");
}

TEST(AppRouting, UrlencodedAndTextBodyParsers) {
  TestServer server(body_routes);
  auto form = test::request(server.port(), "POST", "/form", {{"Content-Type", "application/x-www-form-urlencoded"}},
                            "a=1&a=2&b=x+y%21");
  EXPECT_EQ(form.body, R"({"a":["1","2"],"b":"x y!"})");
  auto big_form = test::request(server.port(), "POST", "/form", {{"Content-Type", "application/x-www-form-urlencoded"}},
                                std::string("a=").append(200, 'x'));
  EXPECT_EQ(big_form.status, 413);
  auto text = test::request(server.port(), "POST", "/text", {{"Content-Type", "text/plain"}}, "hello");
  EXPECT_EQ(text.body, R"("hello")");
}

TEST(AppRouting, IpAndProtocolIgnoreForwardedHeadersUnlessTrusted) {
  const test::HeaderList forwarded = {{"X-Forwarded-For", "203.0.113.9, 10.0.0.1"}, {"X-Forwarded-Proto", "https"}};
  auto who = [](Request& req, Response& res) {
    res.json({{"ip", req.ip()}, {"protocol", req.protocol()}, {"secure", req.secure()}});
  };
  {
    TestServer server([&](App& app) { app.get("/who", who); });
    EXPECT_EQ(test::get(server.port(), "/who", forwarded).body, R"({"ip":"127.0.0.1","protocol":"http","secure":false})");
  }
  {
    TestServer server([&](App& app) {
      app.set("trust proxy", true);
      app.get("/who", who);
    });
    EXPECT_EQ(test::get(server.port(), "/who", forwarded).body,
              R"({"ip":"203.0.113.9","protocol":"https","secure":true})");
    EXPECT_EQ(test::get(server.port(), "/who").body, R"({"ip":"127.0.0.1","protocol":"http","secure":false})");
  }
}

}  // namespace
}  // namespace cortado
