// metrics() on a real server: requests counted by method, route pattern and status once their
// response is written; open connections; the session store's calls; the /metrics text.

#include "cortado/cortado.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace cortado {
namespace {

double requests(MetricsRegistry& registry, std::string_view method, std::string_view path, std::string_view status) {
  return registry
      .histogram_family("http_request_duration_seconds", "", {"method", "path", "status_code"},
                        default_duration_buckets())
      .histogram({method, path, status})
      .count();
}

TEST(MetricsServer, CountsRequestsByRoutePatternNeverByRawPath) {
  MetricsRegistry registry;
  test::TestServer server([&](App& app) {
    app.use(metrics({.registry = &registry}));
    app.get("/users/:id", [](Request&, Response& res) { res.send("user"); });
    Router api;
    api.get("/items/:n", [](Request&, Response& res) { res.json(1); });
    api.post("/items", [](Request&, Response& res) { res.status(201).json(2); });
    app.use("/api/", api);
    app.get("/boom", [](Request&, Response&) { throw HttpError(503); });
    app.get("/metrics", metrics_endpoint(&registry));
  });
  test::Connection conn(server.port());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(conn.request("GET", "/users/" + std::to_string(i))->status, 200);
  ASSERT_EQ(conn.request("GET", "/api/items/9")->status, 200);
  ASSERT_EQ(conn.request("POST", "/api/items", {}, "x")->status, 201);
  ASSERT_EQ(conn.request("GET", "/boom")->status, 503);
  ASSERT_EQ(conn.request("GET", "/no/such/page")->status, 404);
  ASSERT_EQ(conn.request("HEAD", "/users/1")->status, 200);
  // On one connection each response is counted before the next request is read, so the scrape
  // below sees every request before it.
  auto scraped = conn.request("GET", "/metrics");
  ASSERT_EQ(scraped->status, 200);
  EXPECT_EQ(scraped->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");

  EXPECT_EQ(requests(registry, "GET", "/users/:id", "200"), 3);
  EXPECT_EQ(requests(registry, "GET", "/api/items/:n", "200"), 1);
  EXPECT_EQ(requests(registry, "POST", "/api/items", "201"), 1);
  EXPECT_EQ(requests(registry, "GET", "/boom", "503"), 1);
  EXPECT_EQ(requests(registry, "GET", "none", "404"), 1);
  EXPECT_EQ(requests(registry, "HEAD", "/users/:id", "200"), 1);
  const auto& text = scraped->body;
  EXPECT_NE(text.find("http_request_duration_seconds_count{method=\"GET\",path=\"/users/:id\",status_code=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("/users/1"), std::string::npos);
  EXPECT_EQ(text.find("/no/such"), std::string::npos);
}

TEST(MetricsServer, OpenConnectionsGaugeFollowsTheConnections) {
  auto gauge = metrics_registry().gauge_family("http_open_connections", "").gauge();
  test::TestServer server([&](App& app) { app.get("/", [](Request&, Response& res) { res.send("ok"); }); });
  double before = gauge.value();
  {
    test::Connection a(server.port());
    test::Connection b(server.port());
    ASSERT_TRUE(a.request("GET", "/"));
    ASSERT_TRUE(b.request("GET", "/"));  // both accepted and served: both registered
    EXPECT_EQ(gauge.value() - before, 2);
  }
  server.stop();  // the server's connections are gone once it has stopped
  EXPECT_EQ(gauge.value(), before);
}

TEST(MetricsServer, SessionStoreCallsAreCountedPerStoreAndOperation) {
  auto& durations = metrics_registry().histogram_family(
      "session_store_duration_seconds", "", {"store", "operation"},
      {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5});
  auto loads = durations.histogram({"memory", "load"});
  auto saves = durations.histogram({"memory", "save"});
  auto destroys = durations.histogram({"memory", "destroy"});
  double loads0 = loads.count(), saves0 = saves.count(), destroys0 = destroys.count();
  auto store = stores::memory();
  test::TestServer server([&](App& app) {
    app.use(session({.secret = {"s"}, .resave = false, .save_uninitialized = false, .store = store}));
    app.get("/set", [](Request& req, Response& res) {
      req.session()["n"] = 1;
      res.send("ok");
    });
    app.get("/get", [](Request&, Response& res) { res.send("ok"); });
    app.post("/destroy", [](Request& req, Response& res) -> Task<> {
      co_await req.session().destroy();
      res.send("ok");
    });
    app.get("/metrics", metrics_endpoint());
  });
  test::Connection conn(server.port());
  auto first = conn.request("GET", "/set");  // no cookie: no load, one save
  auto cookie = first->header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  conn.request("GET", "/get", {{"Cookie", cookie}});  // one load, nothing changed
  conn.request("POST", "/destroy", {{"Cookie", cookie}});  // one load, one destroy
  EXPECT_EQ(loads.count() - loads0, 2);
  EXPECT_EQ(saves.count() - saves0, 1);
  EXPECT_EQ(destroys.count() - destroys0, 1);
  // The memory stores' sessions (every one in the process, summed) are read at scrape time.
  auto live = [&conn] {
    auto text = conn.request("GET", "/metrics")->body;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(text, m, std::regex("session_store_sessions\\{store=\"memory\"\\} (\\d+)\n")))
        << text;
    return m.empty() ? -1 : std::stoi(m[1]);
  };
  int before = live();
  conn.request("GET", "/set");
  conn.request("GET", "/set");
  EXPECT_EQ(live() - before, 2);
}

}  // namespace
}  // namespace cortado
