// The session middleware over real sockets: cookies, signatures, forged ids, store failures,
// and what cortado adds to express-session (merge_changes, touch_after, regenerate keeping data).
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "support/session_cookies.hpp"

#include "cortado/core/url.hpp"
#include "cortado/cortado.hpp"
#include "cortado/session/signature.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <regex>
#include <thread>
#include <utility>

namespace cortado {
namespace {

using namespace std::chrono_literals;

// A real MemoryStore that counts the calls reaching it and can be made to fail, as a store
// whose server went away does.
class ObservedStore : public Store {
 public:
  std::atomic<int> sets{0}, touches{0}, gets{0};
  std::atomic<bool> down{false};

  Task<std::optional<json::object>> get(std::string sid) override {
    check();
    ++gets;
    co_return co_await inner_.get(std::move(sid));
  }
  Task<> set(std::string sid, json::object session) override {
    check();
    ++sets;
    co_await inner_.set(std::move(sid), std::move(session));
  }
  Task<> destroy(std::string sid) override {
    check();
    co_await inner_.destroy(std::move(sid));
  }
  Task<> touch(std::string sid, json::object session) override {
    check();
    ++touches;
    {
      const std::lock_guard lock(mutex_);
      last_touched_ = json::object(session, json::storage_ptr());  // the request's memory goes with it
    }
    co_await inner_.touch(std::move(sid), std::move(session));
  }
  bool touch_reads_cookie_only() const override { return cookie_only; }
  std::atomic<bool> cookie_only{false};
  json::object last_touched() {
    const std::lock_guard lock(mutex_);
    return last_touched_;
  }
  Task<std::vector<std::pair<std::string, json::object>>> all() override { co_return co_await inner_.all(); }
  Task<std::size_t> length() override { co_return co_await inner_.length(); }
  Task<> clear() override { co_await inner_.clear(); }
  std::string describe() const override { return "observed memory"; }

 private:
  void check() const {
    if (down) throw std::runtime_error("session store unavailable: connection refused");
  }
  MemoryStore inner_{MemoryStoreOptions{.prune_interval = std::chrono::milliseconds(0)}};
  std::mutex mutex_;
  json::object last_touched_;
};

using test::cookie_pair;
using test::id_of;

struct SessionApp {
  explicit SessionApp(SessionOptions options = {}) : store(std::make_shared<ObservedStore>()) {
    options.secret = options.secret.empty() ? std::vector<std::string>{"s3cret"} : options.secret;
    options.resave = options.resave.value_or(false);
    options.save_uninitialized = options.save_uninitialized.value_or(false);
    options.store = store;
    server.emplace([&](App& app) {
      app.use(body_parser::json({.strict = false}));
      app.use(session(options));
      app.get("/", [](Request&, Response& res) { res.send("ok"); });
      app.get("/views", [](Request& req, Response& res) {
        auto& s = req.session();
        s["views"] = s.value("views", 0) + 1;
        res.json(s["views"]);
      });
      app.get("/data", [](Request& req, Response& res) { res.json(req.session().data()); });
      app.post("/set/:key", [](Request& req, Response& res) {
        req.session()[req.params()["key"]] = req.body();
        res.json("ok");
      });
      app.get("/slow-views", [](Request& req, Response& res) -> Task<> {
        co_await sleep_for(300ms);
        auto& s = req.session();
        s["views"] = s.value("views", 0) + 1;
        res.json(s["views"]);
      });
      app.post("/login", [](Request& req, Response& res) -> Task<> {
        co_await req.session().regenerate(true);
        req.session()["user"] = "ann";
        res.json(json::string(req.session_id()));
      });
      app.use([](std::exception_ptr e, Request&, Response& res, Next) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          res.status(500).json({{"error", x.what()}});
        }
      });
    });
  }
  std::shared_ptr<ObservedStore> store;
  std::optional<test::TestServer> server;
  std::uint16_t port() { return server->port(); }
};

TEST(Session, NewSessionIsSentOnlyOnceModified) {
  SessionApp app;
  auto untouched = test::get(app.port(), "/");
  EXPECT_FALSE(untouched.has_header("set-cookie"));  // saveUninitialized false
  EXPECT_EQ(app.store->sets, 0);
  auto first = test::get(app.port(), "/views");
  EXPECT_EQ(first.body, "1");
  auto pair = cookie_pair(first);
  ASSERT_FALSE(id_of(pair).empty()) << first.header("set-cookie");
  EXPECT_EQ(first.header("set-cookie").substr(pair.size()), "; Path=/; HttpOnly");
  auto second = test::get(app.port(), "/views", {{"Cookie", pair}});
  EXPECT_EQ(second.body, "2");
  EXPECT_FALSE(second.has_header("set-cookie"));  // same id, no expiry: nothing to resend
}

// A cookieless request's new session is made on its first use, not by the middleware: its id
// (genid) comes when express-session's does, and its cookie's expiry and creation time are those
// of the request's start however late the handler first looks at it.
TEST(Session, ANewSessionIsMadeOnFirstUseAsOfTheRequestsStart) {
  auto ids = std::make_shared<std::atomic<int>>(0);
  test::TestServer server([ids](App& app) {
    SessionOptions options;
    options.secret = {"s3cret"};
    options.resave = false;
    options.save_uninitialized = false;  // what lets the middleware leave an unused session unmade
    options.cookie.max_age = std::chrono::milliseconds(60'000);
    options.absolute_lifetime = std::chrono::hours(1);  // the creation time is stored as createdAt
    options.genid = [ids](const Request&) { return "id-" + std::to_string(++*ids) + "-abcdefghijklmnopqrstuvwxyz"; };
    app.use(session(options));
    app.get("/id", [](Request& req, Response& res) { res.json(json::string(req.session_id())); });
    app.get("/late", [](Request& req, Response& res) -> Task<> {
      co_await sleep_for(400ms);
      auto& s = req.session();
      s["seen"] = true;
      res.json({{"expires", s.cookie().attributes.expires->time_since_epoch().count()},
                {"createdAt", s.get("createdAt")}});
    });
  });
  // Never used: an id all the same (genid called once per request, as express-session calls it),
  // and neither a cookie nor a store entry.
  auto unused = test::get(server.port(), "/id");
  EXPECT_EQ(unused.body, "\"id-1-abcdefghijklmnopqrstuvwxyz\"");
  EXPECT_FALSE(unused.has_header("set-cookie"));
  EXPECT_EQ(ids->load(), 1);
  const std::int64_t before = date_now();
  auto late = test::get(server.port(), "/late");
  const std::int64_t after = date_now();
  ASSERT_EQ(late.status, 200) << late.body;
  EXPECT_TRUE(late.has_header("set-cookie"));
  EXPECT_EQ(ids->load(), 2);
  const auto times = json::parse(late.body).as_object();
  // Made when the handler looked, 400 ms in, these would be at least before + 400.
  const std::int64_t made = times.at("expires").as_int64() - 60'000;
  EXPECT_GE(made, before);
  EXPECT_LT(made, before + 200) << "the cookie was made " << made - before << " ms after the request began";
  EXPECT_LE(made, after);
  EXPECT_NEAR(times.at("createdAt").as_int64(), made, 5);  // taken a moment apart, both at the start
  const auto stored = json::parse(test::get(server.port(), "/id", {{"Cookie", cookie_pair(late)}}).body);
  EXPECT_EQ(stored.as_string(), "id-2-abcdefghijklmnopqrstuvwxyz");  // saved, and found again
}

// With the default generator the id itself is drawn when first asked for: by req.session_id(),
// by req.session(), or never. Whichever comes first, the id the handler saw is the cookie's.
TEST(Session, ANewSessionsDefaultIdIsTheSameWhicheverAsksFirst) {
  test::TestServer server([](App& app) {
    SessionOptions options;
    options.secret = {"s3cret"};
    options.resave = false;
    options.save_uninitialized = false;
    app.use(session(options));
    app.get("/id", [](Request& req, Response& res) { res.json(json::string(req.session_id())); });
    app.get("/id-then-use", [](Request& req, Response& res) {
      const std::string id = req.session_id();
      req.session()["seen"] = true;
      res.json(json::string(id));
    });
    app.get("/use-then-id", [](Request& req, Response& res) {
      req.session()["seen"] = true;
      res.json(json::string(req.session_id()));
    });
  });
  auto unused = test::get(server.port(), "/id");
  EXPECT_EQ(json::parse(unused.body).as_string().size(), 32u) << unused.body;
  EXPECT_FALSE(unused.has_header("set-cookie"));
  for (const char* path : {"/id-then-use", "/use-then-id"}) {
    auto used = test::get(server.port(), path);
    const std::string id(json::parse(used.body).as_string());
    EXPECT_EQ(id.size(), 32u) << path;
    EXPECT_EQ(id_of(cookie_pair(used)), id) << path;
    EXPECT_EQ(test::get(server.port(), "/id", {{"Cookie", cookie_pair(used)}}).body, used.body) << path;
  }
}

TEST(Session, CookieIsSignedAsExpressSessionSignsIt) {
  SessionApp app({.genid = [](const Request&) { return std::string("abcdefghijklmnopqrstuvwxyz012345"); }});
  // Expected value from Node: encodeURIComponent('s:' + id + '.' +
  //   crypto.createHmac('sha256', 's3cret').update(id).digest('base64').replace(/=+$/, ''))
  EXPECT_EQ(cookie_pair(test::get(app.port(), "/views")),
            "connect.sid=s%3Aabcdefghijklmnopqrstuvwxyz012345.IWDgn3%2B7Is5%2F0621n%2FWc7aydG3I6Cn0b9U3EB1Hkw%2Bs");
}

TEST(Session, ForgedOrUnknownIdsAreNeverAdopted) {
  SessionApp app;
  const std::string chosen = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  // Unsigned, wrongly signed, signed with another secret, and correctly signed but unknown.
  for (std::string forged : {"connect.sid=" + chosen, "connect.sid=s%3A" + chosen + ".bogus",
                             "connect.sid=s%3A" + sign(chosen, "other secret"),
                             "connect.sid=s%3A" + sign(chosen, "s3cret")}) {
    auto res = test::get(app.port(), "/views", {{"Cookie", forged}});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "1") << forged;
    auto id = id_of(cookie_pair(res));
    EXPECT_FALSE(id.empty());
    EXPECT_NE(id, chosen) << forged;
  }
}

TEST(Session, StoreOutageIsA500WithAReasonAndTheServerRecovers) {
  SessionApp app;
  auto pair = cookie_pair(test::get(app.port(), "/views"));
  app.store->down = true;
  auto failed = test::get(app.port(), "/views", {{"Cookie", pair}});
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body, R"({"error":"session store unavailable: connection refused"})");
  app.store->down = false;
  auto again = test::get(app.port(), "/views", {{"Cookie", pair}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "2");  // nothing was lost or half-written
}

TEST(Session, FailedSaveAfterTheHandlerIsA500) {
  SessionApp app;
  auto pair = cookie_pair(test::get(app.port(), "/views"));
  std::thread breaker([&] {
    std::this_thread::sleep_for(100ms);
    app.store->down = true;  // the load succeeded; the save at the end will fail
  });
  auto res = test::get(app.port(), "/slow-views", {{"Cookie", pair}});
  breaker.join();
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("session store unavailable"), std::string::npos);
}

// Two requests on one session change different keys at the same time.
std::string concurrent_changes(SessionOptions options) {
  SessionApp app(std::move(options));
  auto pair = cookie_pair(test::get(app.port(), "/views"));
  auto slow = std::async(std::launch::async, [&] { return test::get(app.port(), "/slow-views", {{"Cookie", pair}}); });
  std::this_thread::sleep_for(100ms);
  auto set = test::request(app.port(), "POST", "/set/cart", {{"Cookie", pair}, {"Content-Type", "application/json"}},
                           R"(["tea"])");
  EXPECT_EQ(set.status, 200);
  EXPECT_EQ(slow.get().body, "2");
  return test::get(app.port(), "/data", {{"Cookie", pair}}).body;
}

TEST(Session, ExpressSessionLosesAConcurrentChange) {
  // express-session writes back the whole object the slow request loaded: the cart is gone.
  EXPECT_EQ(concurrent_changes({}), R"({"views":2})");
}

TEST(Session, MergeChangesKeepsBothConcurrentChanges) {
  EXPECT_EQ(concurrent_changes({.merge_changes = true}), R"({"views":2,"cart":["tea"]})");
}

TEST(Session, TouchAfterThrottlesStoreTouches) {
  SessionApp plain({.rolling = true, .cookie = {.max_age = std::chrono::hours(1)}});
  auto pair = cookie_pair(test::get(plain.port(), "/views"));
  for (int i = 0; i < 3; ++i) test::get(plain.port(), "/", {{"Cookie", pair}});
  EXPECT_EQ(plain.store->touches, 3);  // express-session touches the store on every request

  SessionApp throttled({.rolling = true, .cookie = {.max_age = std::chrono::hours(1)}, .touch_after = 1h});
  pair = cookie_pair(test::get(throttled.port(), "/views"));
  for (int i = 0; i < 3; ++i) {
    auto res = test::get(throttled.port(), "/", {{"Cookie", pair}});
    EXPECT_TRUE(res.has_header("set-cookie"));  // rolling still renews the cookie
  }
  EXPECT_EQ(throttled.store->touches, 0);
}

// express-session passes the whole session to store.touch(); a store that says it reads only the
// cookie (cortado's own) gets {"cookie":…} alone, the same cookie.
TEST(Session, TouchGetsTheWholeSessionUnlessTheStoreReadsOnlyTheCookie) {
  SessionApp app({.cookie = {.max_age = std::chrono::hours(1)}});
  const auto pair = cookie_pair(test::get(app.port(), "/views"));
  test::get(app.port(), "/", {{"Cookie", pair}});
  ASSERT_EQ(app.store->touches, 1);
  const json::object whole = app.store->last_touched();
  EXPECT_EQ(whole.at("views"), 1);
  ASSERT_TRUE(whole.contains("cookie"));
  app.store->cookie_only = true;
  test::get(app.port(), "/", {{"Cookie", pair}});
  ASSERT_EQ(app.store->touches, 2);
  const json::object cookie_only = app.store->last_touched();
  EXPECT_EQ(cookie_only.size(), 1u);
  ASSERT_TRUE(cookie_only.contains("cookie"));
  EXPECT_EQ(cookie_only.at("cookie").at("originalMaxAge"), whole.at("cookie").at("originalMaxAge"));
  EXPECT_TRUE(cookie_only.at("cookie").at("expires").is_string());
}

// The memory store's own touch path (the middleware calls MemoryStore directly, not through
// Store::touch): a request that leaves the data and the cookie as loaded skips the touch, which
// would write back the same text; a cookie changed without the data, or a lifetime restarted by
// the touch itself, still reaches the store.
TEST(Session, MemoryStoreIsTouchedWhenTheCookieChangesAndOnlyThen) {
  auto store = std::make_shared<MemoryStore>();
  auto configure = [&](std::optional<std::chrono::milliseconds> max_age) {
    return [store, max_age](App& app) {
      app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .store = store,
                       .cookie = {.max_age = max_age}}));
      app.get("/views", [](Request& req, Response& res) {
        auto& s = req.session();
        s["views"] = s.value("views", 0) + 1;
        res.json(s["views"]);
      });
      app.get("/read", [](Request& req, Response& res) { res.json(std::as_const(req.session()).get("views")); });
      app.get("/not-http-only", [](Request& req, Response& res) {
        req.session().cookie().attributes.http_only = false;
        res.json("ok");
      });
      // What the store holds for this request's session, read through the Store interface.
      app.get("/stored", [](Request& req, Response& res) -> Task<> {
        auto stored = co_await req.session_store()->get(req.session_id());
        res.json(stored ? json::value(*stored) : json::value(nullptr));
      });
    };
  };
  auto stored_cookie = [](std::uint16_t port, const std::string& pair) {
    return json::parse(test::get(port, "/stored", {{"Cookie", pair}}).body).at("cookie").as_object();
  };

  {
    test::TestServer server(configure(std::nullopt));
    const auto pair = cookie_pair(test::get(server.port(), "/views"));
    ASSERT_FALSE(id_of(pair).empty());
    const json::object before = stored_cookie(server.port(), pair);
    EXPECT_EQ(test::get(server.port(), "/read", {{"Cookie", pair}}).body, "1");
    EXPECT_EQ(stored_cookie(server.port(), pair), before);
    EXPECT_EQ(before.at("httpOnly"), true);
    EXPECT_EQ(test::get(server.port(), "/not-http-only", {{"Cookie", pair}}).body, R"("ok")");
    const json::object after = stored_cookie(server.port(), pair);
    EXPECT_EQ(after.at("httpOnly"), false);  // touched: the cookie changed, the data did not
    EXPECT_EQ(test::get(server.port(), "/read", {{"Cookie", pair}}).body, "1");
  }
  {
    // With maxAge every touch restarts the lifetime: expires moves on with the clock.
    test::TestServer server(configure(std::chrono::hours(1)));
    const auto pair = cookie_pair(test::get(server.port(), "/views"));
    const std::string before(stored_cookie(server.port(), pair).at("expires").as_string());
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(test::get(server.port(), "/read", {{"Cookie", pair}}).body, "1");
    const std::string after(stored_cookie(server.port(), pair).at("expires").as_string());
    EXPECT_GT(after, before);  // ISO dates of one format order as text; 50 ms apart at least
  }
}

TEST(Session, RegenerateCanKeepTheData) {
  SessionApp app;
  auto pair = cookie_pair(test::get(app.port(), "/views"));
  auto old_id = id_of(pair);
  auto login = test::request(app.port(), "POST", "/login", {{"Cookie", pair}});
  auto new_pair = cookie_pair(login);
  auto new_id = id_of(new_pair);
  ASSERT_FALSE(new_id.empty());
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(login.body, "\"" + new_id + "\"");
  EXPECT_EQ(test::get(app.port(), "/data", {{"Cookie", new_pair}}).body, R"({"views":1,"user":"ann"})");
  // The old id is gone from the store: presenting it starts afresh.
  EXPECT_EQ(test::get(app.port(), "/data", {{"Cookie", pair}}).body, "{}");
}

TEST(Session, OptionsExpressSessionRefuses) {
  EXPECT_THROW(session({.resave = false, .save_uninitialized = false}), std::invalid_argument);  // no secret
  EXPECT_THROW(session({.secret = {""}, .resave = false, .save_uninitialized = false}), std::invalid_argument);
  EXPECT_THROW(session({.secret = {"x"}, .resave = false, .save_uninitialized = false, .unset = "drop"}),
               std::invalid_argument);
  EXPECT_THROW(session({.secret = {"x"}, .resave = false, .save_uninitialized = false,
                        .cookie = {.priority = "urgent"}}),
               std::invalid_argument);
  EXPECT_THROW(session({.secret = {"x"}, .resave = false, .save_uninitialized = false,
                        .cookie = {.domain = "bad domain"}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

TEST(Session, AbsoluteLifetimeEndsAnActiveSession) {
  SessionApp app({.absolute_lifetime = 300ms});
  auto pair = cookie_pair(test::get(app.port(), "/views"));
  EXPECT_EQ(test::get(app.port(), "/views", {{"Cookie", pair}}).body, "2");
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(test::get(app.port(), "/views", {{"Cookie", pair}}).body, "3");  // active all along
  std::this_thread::sleep_for(200ms);
  auto expired = test::get(app.port(), "/views", {{"Cookie", pair}});
  EXPECT_EQ(expired.body, "1");  // 350 ms after creation: a new session
  EXPECT_NE(id_of(cookie_pair(expired)), id_of(pair));
}

// The memory store keeps a session's data parsed once a request has read it without changing it,
// and the next reads share it: what each request sees must be what a parse of the stored text
// gives, kinds included, and a change must reach only the session that made it.
TEST(Session, StoredKeysExpressSessionReservesAreNotLoaded) {
  // express-session's Session keeps its own id, req and methods over stored keys of those names:
  // they are dropped on load, whether the stored cookie is the default one (read without a
  // parse) or one with an expiry.
  auto store = std::make_shared<MemoryStore>(MemoryStoreOptions{.prune_interval = std::chrono::milliseconds(0)});
  test::TestServer server([&](App& app) {
    app.use(session({.secret = {"s3cret"}, .store = store}));
    app.get("/data", [](Request& req, Response& res) { res.json(req.session().data()); });
  });
  const std::string cookies[] = {
      R"({"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"})",
      R"({"originalMaxAge":60000,"expires":"2999-01-01T00:00:00.000Z","httpOnly":true,"path":"/"})",
  };
  int n = 0;
  for (const auto& cookie : cookies) {
    const std::string sid = "reserved-" + std::to_string(++n);
    store->set_now(sid, parse_json(R"({"cookie":)" + cookie +
                                   R"(,"save":1,"a":2,"id":"x","__proto__":{},"touch":[],"b":3})")
                            .as_object());
    const std::string pair = "connect.sid=" + encode_uri_component(sign_cookie(sid, "s3cret"));
    for (int read = 0; read < 2; ++read) {  // parsed, then kept parsed
      auto res = test::get(server.port(), "/data", {{"Cookie", pair}});
      EXPECT_EQ(res.body, R"({"a":2,"b":3})") << cookie;
    }
  }
}

TEST(Session, MemorySessionsReadAgainSeeWhatWasStoredAndChangesStayTheirs) {
  test::TestServer server([](App& app) {
    app.use(body_parser::json({.strict = false}));
    SessionOptions options;
    options.secret = {"s3cret"};
    options.cookie.max_age = std::chrono::milliseconds(60'000);  // every read touches: a new expiry in the text
    app.use(session(options));  // the default store: memory
    app.post("/set/:key", [](Request& req, Response& res) {
      req.session()[req.params()["key"]] = req.body();
      res.json("ok");
    });
    app.get("/get/:key", [](Request& req, Response& res) { res.json(req.session().get(req.params()["key"])); });
    app.get("/kind/:key", [](Request& req, Response& res) {
      const json::value& v = req.session().get(req.params()["key"]);
      res.send(v.is_int64() ? "int64" : v.is_double() ? "double" : v.is_string() ? "string" : "other");
    });
    // as_int64() throws on anything but an int64: a copy that turned 3 into 3.0 would fail here.
    app.get("/bump/:key", [](Request& req, Response& res) {
      auto& s = req.session();
      const std::string key(req.params()["key"]);
      s[key] = s.get(key).as_int64() + 1;
      res.json(s.get(key));
    });
    app.get("/erase/:key", [](Request& req, Response& res) {
      req.session().erase(req.params()["key"]);
      res.json(req.session().data());
    });
  });
  const auto port = server.port();
  const test::HeaderList json_body{{"Content-Type", "application/json"}};
  auto first = test::request(port, "POST", "/set/n", json_body, "3");
  const auto ann = cookie_pair(first);
  test::request(port, "POST", "/set/s", {{"Content-Type", "application/json"}, {"Cookie", ann}}, "\"x\"");
  auto bob_first = test::request(port, "POST", "/set/n", json_body, "100");
  const auto bob = cookie_pair(bob_first);
  for (int i = 0; i < 3; ++i) {  // parsed, then kept, then shared
    EXPECT_EQ(test::get(port, "/get/n", {{"Cookie", ann}}).body, "3");
    EXPECT_EQ(test::get(port, "/kind/n", {{"Cookie", ann}}).body, "int64");
    EXPECT_EQ(test::get(port, "/get/n", {{"Cookie", bob}}).body, "100");
  }
  EXPECT_EQ(test::get(port, "/bump/n", {{"Cookie", ann}}).body, "4");
  EXPECT_EQ(test::get(port, "/get/n", {{"Cookie", ann}}).body, "4");
  EXPECT_EQ(test::get(port, "/get/s", {{"Cookie", ann}}).body, "\"x\"");
  EXPECT_EQ(test::get(port, "/get/n", {{"Cookie", bob}}).body, "100");
  EXPECT_EQ(test::get(port, "/erase/s", {{"Cookie", ann}}).body, R"({"n":4})");
  EXPECT_EQ(test::get(port, "/get/s", {{"Cookie", ann}}).body, "null");
  EXPECT_EQ(test::get(port, "/bump/n", {{"Cookie", bob}}).body, "101");
  EXPECT_EQ(test::get(port, "/get/n", {{"Cookie", ann}}).body, "4");
}

}  // namespace
}  // namespace cortado
