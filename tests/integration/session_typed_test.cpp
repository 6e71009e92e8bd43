// Typed session values over real sockets: a cart kept as a described struct across requests, what
// reaches the store, and a stored value that does not fit reaching the app's error handler.
#include "support/session_cookies.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include "cortado/cortado.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe/class.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace typed {

struct Cart {
  std::vector<std::string> items;
  int total_cents = 0;
};
BOOST_DESCRIBE_STRUCT(Cart, (), (items, total_cents))

}  // namespace typed

namespace cortado {
namespace {

// A memory store that counts the writes reaching it (touches are not counted).
class CountingStore : public Store {
 public:
  std::atomic<int> sets{0};
  Task<std::optional<json::object>> get(std::string sid) override { co_return co_await inner_.get(std::move(sid)); }
  Task<> set(std::string sid, json::object session) override {
    ++sets;
    co_await inner_.set(std::move(sid), std::move(session));
  }
  Task<> destroy(std::string sid) override { co_await inner_.destroy(std::move(sid)); }
  Task<> touch(std::string sid, json::object session) override { co_await inner_.touch(std::move(sid), std::move(session)); }
  Task<std::optional<json::object>> raw(std::string sid) { co_return co_await inner_.get(std::move(sid)); }
  MemoryStore inner_{MemoryStoreOptions{.prune_interval = std::chrono::milliseconds(0)}};
};

struct TypedApp {
  TypedApp() : store(std::make_shared<CountingStore>()) {
    server.emplace([&](App& app) {
      app.use(body_parser::json({.strict = false}));
      app.use(session({.secret = {"typed secret"}, .resave = false, .save_uninitialized = false, .store = store}));
      app.post("/cart/:item/:cents", [](Request& req, Response& res) {
        auto& s = req.session();
        auto cart = s.get<std::optional<typed::Cart>>("cart").value_or(typed::Cart{});
        cart.items.emplace_back(req.params()["item"]);
        cart.total_cents += std::stoi(std::string(req.params()["cents"]));
        s.set("cart", cart);
        res.json(cart.total_cents);
      });
      app.get("/cart", [](Request& req, Response& res) {
        res.json(json::value_from(req.session().get<typed::Cart>("cart")));
      });
      // Sets the cart to what it already is: no change, no write.
      app.post("/same", [](Request& req, Response& res) {
        auto& s = req.session();
        s.set("cart", s.get<typed::Cart>("cart"));
        res.json("ok");
      });
      app.post("/raw/cart", [](Request& req, Response& res) {
        req.session()["cart"] = req.body();
        res.json("ok");
      });
      app.use([](std::exception_ptr error, Request&, Response& res, Next) {
        try {
          std::rethrow_exception(error);
        } catch (const SessionValueError& e) {
          res.status(e.status()).json({{"key", e.key()}, {"error", e.what()}});
        } catch (const std::exception& e) {
          res.status(500).json({{"other", e.what()}});
        }
      });
    });
  }
  std::shared_ptr<CountingStore> store;
  std::optional<test::TestServer> server;
};

std::string stored_text(CountingStore& store, const std::string& pair) {
  boost::asio::io_context ctx;
  auto result = boost::asio::co_spawn(ctx, store.raw(test::id_of(pair)), boost::asio::use_future);
  ctx.run();
  auto stored = result.get();
  if (!stored) return "(none)";
  stored->erase("cookie");
  return stringify(*stored);
}

TEST(SessionTyped, CartAcrossRequests) {
  TypedApp t;
  auto port = t.server->port();
  auto first = test::request(port, "POST", "/cart/beans/950");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "950");
  auto pair = test::cookie_pair(first);
  ASSERT_FALSE(pair.empty());
  auto second = test::request(port, "POST", "/cart/jug/1400", {{"Cookie", pair}});
  EXPECT_EQ(second.body, "2350");
  auto cart = test::get(port, "/cart", {{"Cookie", pair}});
  EXPECT_EQ(cart.status, 200);
  EXPECT_EQ(cart.body, R"({"items":["beans","jug"],"total_cents":2350})");
  // The store holds the JSON Node would read.
  EXPECT_EQ(stored_text(*t.store, pair), R"({"cart":{"items":["beans","jug"],"total_cents":2350}})");
  EXPECT_EQ(t.store->sets, 2);
}

TEST(SessionTyped, SettingAnEqualValueWritesNothing) {
  TypedApp t;
  auto port = t.server->port();
  auto pair = test::cookie_pair(test::request(port, "POST", "/cart/beans/950"));
  ASSERT_EQ(t.store->sets, 1);
  auto same = test::request(port, "POST", "/same", {{"Cookie", pair}});
  EXPECT_EQ(same.status, 200);
  EXPECT_EQ(t.store->sets, 1);
  test::request(port, "POST", "/cart/jug/1400", {{"Cookie", pair}});
  EXPECT_EQ(t.store->sets, 2);
}

TEST(SessionTyped, AbsentValueReachesTheErrorHandler) {
  TypedApp t;
  auto res = test::get(t.server->port(), "/cart");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body, R"j({"key":"cart","error":"session value \"cart\" is absent (expected typed::Cart)"})j");
}

TEST(SessionTyped, StoredValueThatDoesNotFitReachesTheErrorHandler) {
  TypedApp t;
  auto port = t.server->port();
  auto pair = test::cookie_pair(test::request(port, "POST", "/raw/cart", {{"Content-Type", "application/json"}},
                                              R"({"items":["beans",7],"total_cents":950})"));
  ASSERT_FALSE(pair.empty());
  auto res = test::get(port, "/cart", {{"Cookie", pair}});
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body,
            R"j({"key":"cart","error":"session value \"cart\" does not fit typed::Cart: at .items[1], value is not a string (it holds a number)"})j");
  // The request that failed to read it changed nothing; the next write still works from what is stored.
  auto add = test::request(port, "POST", "/cart/jug/1400", {{"Cookie", pair}});
  EXPECT_EQ(add.status, 500);
}

TEST(SessionTyped, WithoutAnErrorHandlerTheErrorPageNamesTheKey) {
  test::TestServer server([](App& app) {
    app.use(session({.secret = {"typed secret"}, .resave = false, .save_uninitialized = false}));
    app.get("/count", [](Request& req, Response& res) { res.json(req.session().get<int>("count")); });
  });
  auto res = test::get(server.port(), "/count");
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("session value &quot;count&quot; is absent (expected int)"), std::string::npos) << res.body;
}

}  // namespace
}  // namespace cortado
