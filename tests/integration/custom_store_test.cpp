// A store written by a user, as small as express-session allows: get, set and destroy over a
// std::map. The middleware needs nothing more; the optional methods have their defaults.
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "unit/session/run_task.hpp"
#include "support/session_cookies.hpp"
#include "support/session_routes.hpp"

#include "cortado/cortado.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <regex>

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

}  // namespace
}  // namespace cortado
