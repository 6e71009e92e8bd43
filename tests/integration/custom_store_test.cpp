// A store written by a user, as small as express-session allows: get, set and destroy over a
// std::map. The middleware needs nothing more; the optional methods have their defaults.
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "unit/session/run_task.hpp"
#include "support/session_cookies.hpp"
#include "support/session_routes.hpp"

#include "cortado/cortado.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <vector>

namespace cortado {
namespace {

class MapStore : public Store {
 public:
  Task<std::optional<json::object>> get(std::string sid) override {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) co_return std::nullopt;
    co_return parse_stored_session(it->second).as_object();
  }
  Task<> set(std::string sid, json::object session) override {
    std::lock_guard lock(mutex_);
    sessions_[sid] = stringify(session);
    co_return;
  }
  Task<> destroy(std::string sid) override {
    std::lock_guard lock(mutex_);
    sessions_.erase(sid);
    co_return;
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return sessions_.size();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> sessions_;
};

using test::cookie_pair;

TEST(CustomStore, GetSetAndDestroyAreEnough) {
  auto store = std::make_shared<MapStore>();
  test::TestServer server([&](App& app) {
    // rolling: every request touches the session, through the default touch().
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .rolling = true,
                     .store = store, .cookie = {.max_age = std::chrono::minutes(5)}}));
    test::add_views_route(app);
    app.get("/peek", [](Request& req, Response& res) { res.json(req.session().get("views")); });
    app.post("/logout", [](Request& req, Response& res) -> Task<> {
      co_await req.session().destroy();
      res.json("bye");
    });
  });
  auto first = test::get(server.port(), "/views");
  auto cookie = cookie_pair(first);
  ASSERT_FALSE(cookie.empty());
  EXPECT_EQ(test::get(server.port(), "/views", {{"Cookie", cookie}}).body, "2");
  EXPECT_EQ(test::get(server.port(), "/peek", {{"Cookie", cookie}}).body, "2");  // touched, not changed
  EXPECT_EQ(store->size(), 1u);
  EXPECT_EQ(test::request(server.port(), "POST", "/logout", {{"Cookie", cookie}}).body, R"("bye")");
  EXPECT_EQ(store->size(), 0u);
  EXPECT_EQ(test::get(server.port(), "/peek", {{"Cookie", cookie}}).body, "null");
}

TEST(CustomStore, TheDefaultTouchNeverBringsBackADestroyedSession) {
  MapStore store;
  testing::run_task(store.touch("gone", parse_json(R"({"cookie":{"originalMaxAge":null}})").as_object()));
  EXPECT_EQ(store.size(), 0u);
}

TEST(CustomStore, TheOptionalListingMethodsSayTheyAreMissing) {
  MapStore store;
  EXPECT_EQ(store.describe(), "custom store");
  EXPECT_THROW(testing::run_task(store.all()), std::logic_error);
  EXPECT_THROW(testing::run_task(store.length()), std::logic_error);
  EXPECT_THROW(testing::run_task(store.clear()), std::logic_error);
}

TEST(CustomStore, TouchUntilIsForStoresThatSaySo) {
  MapStore store;
  EXPECT_FALSE(store.touches_by_expiry());
  EXPECT_THROW(testing::run_task(store.touch_until("x", std::nullopt)), std::logic_error);
}

// Records how the middleware touches: with the cookie's JSON, or with its expiry alone when the
// store says touches_by_expiry().
class TouchRecordingStore : public MapStore {
 public:
  explicit TouchRecordingStore(bool by_expiry) : by_expiry_(by_expiry) {}
  bool touches_by_expiry() const override { return by_expiry_; }
  Task<> touch(std::string, json::object session) override {
    std::lock_guard lock(mutex_);
    touched_json.push_back(session);
    co_return;
  }
  Task<> touch_until(std::string, std::optional<std::chrono::system_clock::time_point> expires) override {
    std::lock_guard lock(mutex_);
    touched_until.push_back(expires);
    co_return;
  }
  std::vector<json::object> touched_json;
  std::vector<std::optional<std::chrono::system_clock::time_point>> touched_until;

 private:
  bool by_expiry_;
  std::mutex mutex_;
};

// A read-only request touches the session it loaded (express-session's store.touch).
void read_twice(const std::shared_ptr<TouchRecordingStore>& store, std::optional<std::chrono::milliseconds> max_age) {
  test::TestServer server([&](App& app) {
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .store = store,
                     .cookie = {.max_age = max_age}}));
    test::add_views_route(app);
    app.get("/peek", [](Request& req, Response& res) { res.json(req.session().get("views")); });
  });
  auto cookie = cookie_pair(test::get(server.port(), "/views"));
  ASSERT_FALSE(cookie.empty());
  EXPECT_EQ(test::get(server.port(), "/peek", {{"Cookie", cookie}}).body, "1");
  EXPECT_EQ(test::get(server.port(), "/peek", {{"Cookie", cookie}}).body, "1");
}

TEST(CustomStore, AStoreThatTouchesByExpiryGetsTheCookiesExpiresAsADate) {
  auto store = std::make_shared<TouchRecordingStore>(true);
  const auto before = std::chrono::system_clock::now();
  read_twice(store, std::chrono::minutes(5));
  const auto after = std::chrono::system_clock::now();
  EXPECT_TRUE(store->touched_json.empty());
  ASSERT_EQ(store->touched_until.size(), 2u);
  for (const auto& expires : store->touched_until) {
    ASSERT_TRUE(expires.has_value());
    // The cookie's expires is a millisecond date set when the request began: within the test's span.
    EXPECT_GE(*expires, before + std::chrono::minutes(5) - std::chrono::milliseconds(1));
    EXPECT_LE(*expires, after + std::chrono::minutes(5));
  }
}

TEST(CustomStore, ABrowserSessionCookieTouchesByExpiryWithNone) {
  auto store = std::make_shared<TouchRecordingStore>(true);
  read_twice(store, std::nullopt);
  EXPECT_TRUE(store->touched_json.empty());
  ASSERT_EQ(store->touched_until.size(), 2u);
  EXPECT_FALSE(store->touched_until[0].has_value());
  EXPECT_FALSE(store->touched_until[1].has_value());
}

TEST(CustomStore, OtherStoresAreTouchedWithTheCookie) {
  auto store = std::make_shared<TouchRecordingStore>(false);
  read_twice(store, std::chrono::minutes(5));
  EXPECT_TRUE(store->touched_until.empty());
  ASSERT_EQ(store->touched_json.size(), 2u);
  const json::value* expires = store->touched_json[0].at("cookie").as_object().if_contains("expires");
  ASSERT_NE(expires, nullptr);
  EXPECT_TRUE(expires->is_string());
}

}  // namespace
}  // namespace cortado
