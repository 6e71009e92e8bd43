// The session middleware when the store fails or changes under a request, over real sockets and
// real stores: a regenerate whose destroy fails, a merge_changes save racing a logout, and the
// bound of the store session() makes when given none.
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "unit/session/run_task.hpp"
#include "support/session_cookies.hpp"
#include "support/session_routes.hpp"
#include "support/sqlite_lock.hpp"
#include "support/temp_dir.hpp"

#include "cortado/cortado.hpp"
#include "cortado/stores/sqlite.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <regex>
#include <sstream>

namespace cortado {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::cookie_pair;
using test::id_of;
using test::TempDir;

std::shared_ptr<Store> sqlite_store(const TempDir& dir) {
  return stores::sqlite(dir.file("sessions.db"), {.prune_interval = 0ms, .busy_timeout = 100ms, .threads = 1});
}

TEST(SessionFailures, RegenerateRotatesTheIdEvenWhenTheStoreCannotDestroyTheOldOne) {
  TempDir dir;
  auto store = sqlite_store(dir);
  std::optional<test::SqliteLock> lock;
  test::TestServer server([&](App& app) {
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .store = store}));
    test::add_views_route(app);
    app.get("/user", [](Request& req, Response& res) { res.json(req.session().get("user")); });
    app.post("/login", [&](Request& req, Response& res) -> Task<> {
      // An app that logs the failure and carries on with the login.
      std::string error;
      try {
        co_await req.session().regenerate();
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock->release();  // the other process commits: the new session can be written
      req.session()["user"] = "ann";
      res.json({{"error", error}});
    });
  });
  auto planted = cookie_pair(test::get(server.port(), "/views"));
  const auto old_id = id_of(planted);
  ASSERT_FALSE(old_id.empty());

  lock.emplace(dir.file("sessions.db"), "BEGIN IMMEDIATE");
  auto login = test::request(server.port(), "POST", "/login", {{"Cookie", planted}});
  EXPECT_EQ(login.status, 200);
  EXPECT_NE(login.body.find("locked"), std::string::npos) << login.body;  // the destroy really failed
  // The old session outlived the failed destroy, but the login did not go into it.
  EXPECT_EQ(test::get(server.port(), "/user", {{"Cookie", planted}}).body, "null");
  auto fresh = cookie_pair(login);
  const auto new_id = id_of(fresh);
  ASSERT_FALSE(new_id.empty()) << "no new cookie: the login stayed on the old id";
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(test::get(server.port(), "/user", {{"Cookie", fresh}}).body, R"("ann")");
}

// A session with "views", then two overlapping requests on it: one changes "views" while it
// waits, the other logs out meanwhile. Returns the slow request's response.
test::Response change_racing_a_logout(const std::shared_ptr<Store>& store, std::string& pair) {
  std::atomic<bool> waiting{false}, logged_out{false};
  test::TestServer server([&](App& app) {
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .store = store,
                     .cookie = {.max_age = std::chrono::hours(1)}, .merge_changes = true}));
    test::add_views_route(app);
    app.get("/slow-views", [&](Request& req, Response& res) -> Task<> {
      waiting = true;
      while (!logged_out) co_await sleep_for(5ms);
      auto& s = req.session();
      s["views"] = s.value("views", 0) + 1;
      res.json(s["views"]);
    });
    app.post("/logout", [&](Request& req, Response& res) -> Task<> {
      co_await req.session().destroy();
      logged_out = true;
      res.json("bye");
    });
  });
  pair = cookie_pair(test::get(server.port(), "/views"));
  auto slow = std::async(std::launch::async,
                         [&] { return test::get(server.port(), "/slow-views", {{"Cookie", pair}}); });
  while (!waiting) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(test::request(server.port(), "POST", "/logout", {{"Cookie", pair}}).body, R"("bye")");
  return slow.get();
}

void expect_the_logout_holds(const std::shared_ptr<Store>& store) {
  std::string pair;
  auto slow = change_racing_a_logout(store, pair);
  const auto id = id_of(pair);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.body, "2");
  EXPECT_FALSE(slow.has_header("set-cookie")) << "a cookie renewed for a destroyed session";
  EXPECT_FALSE(testing::run_task(store->get(id)).has_value()) << "the logout was undone";
  EXPECT_EQ(testing::run_task(store->length()), 0u);
}

TEST(SessionFailures, MergeChangesDoesNotBringBackASessionLoggedOutMeanwhile) {
  expect_the_logout_holds(std::make_shared<MemoryStore>(MemoryStoreOptions{.prune_interval = 0ms}));
}

TEST(SessionFailures, MergeChangesDoesNotBringBackASessionLoggedOutMeanwhileOnSqlite) {
  TempDir dir;
  expect_the_logout_holds(sqlite_store(dir));
}

// Fills a store with `count` sessions that never expire, as cookieless requests leave them.
Task<> fill(Store& store, std::size_t count) {
  const auto session = parse_json(R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}})");
  for (std::size_t i = 0; i < count; ++i) {
    std::string id = "filler-";  // appended: GCC 12 warns falsely on "literal" + std::to_string(i)
    id += std::to_string(i);
    co_await store.set(std::move(id), session.as_object());
  }
}

TEST(SessionFailures, TheDefaultStoreIsBounded) {
  static_assert(default_session_store_entries > 0, "0 would mean unbounded");
  std::shared_ptr<Store> store;
  test::TestServer server([&](App& app) {
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = true}));
    app.get("/", [&](Request& req, Response& res) {
      store = req.session_store();
      res.send("ok");
    });
  });
  // A request without a cookie leaves a session that never expires (no maxAge).
  const auto first = id_of(cookie_pair(test::get(server.port(), "/")));
  ASSERT_FALSE(first.empty());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->describe(),
            "memory (16 shards, max " + std::to_string(default_session_store_entries) + " sessions)");
  EXPECT_EQ(testing::run_task(store->length()), 1u);

  testing::run_task(fill(*store, 2 * default_session_store_entries));
  EXPECT_EQ(testing::run_task(store->length()), default_session_store_entries);
  EXPECT_FALSE(testing::run_task(store->get(first)).has_value());  // the least recently used went first
  EXPECT_FALSE(id_of(cookie_pair(test::get(server.port(), "/"))).empty());  // and new ones still come in
}

TEST(SessionFailures, TheProductionWarningNamesTheDefaultStoresBound) {
  std::ostringstream captured;
  auto* old_buffer = std::cerr.rdbuf(captured.rdbuf());
  ::setenv("CORTADO_ENV", "production", 1);
  (void)session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false});
  ::unsetenv("CORTADO_ENV");
  std::cerr.rdbuf(old_buffer);
  const auto warning = captured.str();
  EXPECT_NE(warning.find("MemoryStore is not designed for a production environment"), std::string::npos) << warning;
  EXPECT_NE(warning.find("at most " + std::to_string(default_session_store_entries) + " sessions"),
            std::string::npos)
      << warning;
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

// A handler that keeps a reference to its session, destroys it and then saves it, as the README's
// `auto& s = req.session()` invites: the save is refused rather than undoing the logout.
TEST(SessionFailures, SaveAfterDestroyIsRefused) {
  auto store = std::make_shared<MemoryStore>();
  test::TestServer server([&](App& app) {
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .store = store}));
    test::add_views_route(app);
    app.post("/logout", [](Request& req, Response& res) -> Task<> {
      auto& s = req.session();
      co_await s.destroy();
      std::string error;
      try {
        s["views"] = 99;
        co_await s.save();
      } catch (const std::logic_error& e) {
        error = e.what();
      }
      res.json({{"error", error}});
    });
  });
  auto pair = cookie_pair(test::get(server.port(), "/views"));
  const auto id = id_of(pair);
  ASSERT_FALSE(id.empty());
  auto logout = test::request(server.port(), "POST", "/logout", {{"Cookie", pair}});
  EXPECT_EQ(logout.status, 200);
  EXPECT_NE(logout.body.find("after session.destroy()"), std::string::npos) << logout.body;
  EXPECT_FALSE(testing::run_task(store->get(id)).has_value()) << "the destroyed session was written back";
}

// A save() that fails and that the app catches does not count as saved: the end of the request
// writes the change.
TEST(SessionFailures, AFailedSaveIsWrittenAtTheEndOfTheRequest) {
  TempDir dir;
  auto store = sqlite_store(dir);
  std::optional<test::SqliteLock> lock;
  test::TestServer server([&](App& app) {
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .store = store}));
    test::add_views_route(app);
    app.get("/cart", [](Request& req, Response& res) { res.json(req.session().get("cart")); });
    app.post("/cart", [&](Request& req, Response& res) -> Task<> {
      req.session()["cart"] = "tea";
      std::string error;
      try {
        co_await req.session().save();
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock->release();
      res.json({{"error", error}});
    });
  });
  auto pair = cookie_pair(test::get(server.port(), "/views"));
  ASSERT_FALSE(id_of(pair).empty());
  lock.emplace(dir.file("sessions.db"), "BEGIN IMMEDIATE");
  auto saved = test::request(server.port(), "POST", "/cart", {{"Cookie", pair}});
  EXPECT_EQ(saved.status, 200);
  EXPECT_NE(saved.body.find("locked"), std::string::npos) << saved.body;  // the save really failed
  EXPECT_EQ(test::get(server.port(), "/cart", {{"Cookie", pair}}).body, R"("tea")");
}

}  // namespace
}  // namespace cortado
