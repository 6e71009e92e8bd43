// A user's sessions through the middleware: set_owner at login, sessions_of, destroy_all (log out
// everywhere, one session per user), regenerate carrying the owner, and a store without the index.
#include "support/session_cookies.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "unit/session/run_task.hpp"

#include "cortado/cortado.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace cortado {
namespace {

using test::cookie_pair;
using test::id_of;

// The routes of the README's "A user's sessions" section.
void add_owner_routes(App& app) {
  app.post("/login", [](Request& req, Response& res) -> Task<> {
    const std::string user(req.query("user"));
    co_await req.session().regenerate();  // a new id at login (session fixation)
    req.session()["user"] = user;
    req.session().set_owner(user);
    if (req.query("alone") == "1") co_await destroy_all(req, user);  // one session per user
    res.json("ok");
  });
  app.get("/me", [](Request& req, Response& res) { res.json(req.session().get("user")); });
  app.get("/sessions", [](Request& req, Response& res) -> Task<> {
    auto owner = co_await req.session().owner();
    if (!owner) throw HttpError(401, "log in first");
    auto sessions = co_await sessions_of(req, *owner);
    json::array ids;
    for (const auto& [sid, data] : sessions) ids.emplace_back(sid);
    res.json(ids);
  });
  app.post("/logout-everywhere-else", [](Request& req, Response& res) -> Task<> {
    auto owner = co_await req.session().owner();
    if (!owner) throw HttpError(401, "log in first");
    const std::size_t ended = co_await destroy_all(req, *owner);
    res.json(ended);
  });
  app.post("/refresh", [](Request& req, Response& res) -> Task<> {
    co_await req.session().regenerate(true);  // keeps the data, and so the owner
    res.json("ok");
  });
}

// The ids a /sessions answer lists, sorted.
std::vector<std::string> listed(const test::Response& res) {
  std::vector<std::string> ids;
  const json::value parsed = parse_json(res.body);  // named: the loop must not walk a temporary
  for (const auto& id : parsed.as_array()) ids.emplace_back(id.as_string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> sorted(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(SessionOwners, ListLogOutEverywhereAndOneSessionPerUser) {
  test::TestServer server([](App& app) {
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .store = stores::memory()}));
    add_owner_routes(app);
  });
  const auto port = server.port();
  const auto login = [&](const std::string& query) {
    auto res = test::request(port, "POST", "/login?" + query);
    EXPECT_EQ(res.status, 200) << res.body;
    return cookie_pair(res);
  };
  const auto me = [&](const std::string& cookie) { return test::get(port, "/me", {{"Cookie", cookie}}).body; };
  const std::string a1 = login("user=alice"), a2 = login("user=alice"), a3 = login("user=alice");
  const std::string b1 = login("user=bob");
  EXPECT_EQ(listed(test::get(port, "/sessions", {{"Cookie", a1}})), sorted({id_of(a1), id_of(a2), id_of(a3)}));
  EXPECT_EQ(listed(test::get(port, "/sessions", {{"Cookie", b1}})), sorted({id_of(b1)}));
  EXPECT_EQ(test::get(port, "/sessions").status, 401);

  // regenerate(true) moves the owner to the new id; the old one leaves the list.
  const std::string a2b = cookie_pair(test::request(port, "POST", "/refresh", {{"Cookie", a2}}));
  ASSERT_NE(id_of(a2b), "");
  EXPECT_EQ(listed(test::get(port, "/sessions", {{"Cookie", a1}})), sorted({id_of(a1), id_of(a2b), id_of(a3)}));

  // Log out everywhere else: the other two end, this one and bob's stay.
  EXPECT_EQ(test::request(port, "POST", "/logout-everywhere-else", {{"Cookie", a1}}).body, "2");
  EXPECT_EQ(me(a2b), "null");
  EXPECT_EQ(me(a3), "null");
  EXPECT_EQ(me(a1), R"("alice")");
  EXPECT_EQ(me(b1), R"("bob")");
  EXPECT_EQ(listed(test::get(port, "/sessions", {{"Cookie", a1}})), sorted({id_of(a1)}));

  // One session per user: a login with alone=1 ends the others.
  const std::string a4 = login("user=alice&alone=1");
  EXPECT_EQ(me(a1), "null");
  EXPECT_EQ(me(a4), R"("alice")");
  EXPECT_EQ(listed(test::get(port, "/sessions", {{"Cookie", a4}})), sorted({id_of(a4)}));
}

// A user's own store with get, set and destroy only.
class MapStore : public Store {
 public:
  Task<std::optional<json::object>> get(std::string sid) override {
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) co_return std::nullopt;
    co_return parse_stored_session(it->second).as_object();
  }
  Task<> set(std::string sid, json::object session) override {
    sessions_[sid] = stringify(session);
    co_return;
  }
  Task<> destroy(std::string sid) override {
    sessions_.erase(sid);
    co_return;
  }

 private:
  std::map<std::string, std::string> sessions_;
};

TEST(SessionOwners, AStoreWithoutTheIndexSaysSo) {
  MapStore store;
  try {
    testing::run_task(store.sessions_of("alice"));
    ADD_FAILURE() << "sessions_of did not throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("custom store does not keep an owner index"), std::string::npos) << e.what();
  }
  EXPECT_THROW(testing::run_task(store.destroy_all("alice")), std::logic_error);
  EXPECT_THROW(testing::run_task(store.owner_of("sid")), std::logic_error);
  EXPECT_THROW(testing::run_task(store.set_owner("sid", "alice", {})), std::logic_error);
}

TEST(SessionOwners, SetOwnerOnAStoreWithoutTheIndexIsA500AndTheServerGoesOn) {
  test::TestServer server([](App& app) {
    app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false,
                     .store = std::make_shared<MapStore>()}));
    add_owner_routes(app);
    app.get("/ping", [](Request&, Response& res) { res.send("pong"); });
  });
  EXPECT_EQ(test::request(server.port(), "POST", "/login?user=alice").status, 500);
  EXPECT_EQ(test::get(server.port(), "/ping").body, "pong");
}

}  // namespace
}  // namespace cortado
