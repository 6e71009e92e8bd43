#pragma once
// The behaviour every Store must have, as one typed GoogleTest suite that each store runs.
// Inside namespace cortado, a test file writes:
//
//   struct SqliteFactory {
//     static std::shared_ptr<Store> make();  // a fresh, empty store per test; nullptr skips the test
//   };
//   INSTANTIATE_STORE_SUITE(Sqlite, SqliteFactory);
//
// Expiry tests allow for stores that count in whole seconds (connect-redis' TTL, connect-pg-simple).

#include "cortado/core/dates.hpp"
#include "cortado/core/json.hpp"
#include "cortado/session/store.hpp"
#include "cortado/core/task.hpp"
#include "unit/session/run_task.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/monotonic_resource.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cortado {
namespace store_suite {

using std::chrono::milliseconds;
using std::chrono::system_clock;

/// prefix + i; appending sidesteps GCC 12's false -Wstringop-overflow on `"literal" + std::to_string(i)`.
inline std::string numbered(std::string_view prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

/// Parses a JSON object literal.
inline json::object object_of(std::string_view text) { return parse_json(text).as_object(); }

/// A session as express-session stores it: its cookie (ending at `expires`, or a browser-session
/// cookie when nullopt) first, then `views`.
inline json::object session_with(std::optional<system_clock::time_point> expires, std::int64_t views = 1) {
  json::object cookie;
  if (expires) {
    cookie["originalMaxAge"] = std::chrono::duration_cast<milliseconds>(*expires - system_clock::now()).count();
    cookie["expires"] = iso_date(*expires);
  } else {
    cookie["originalMaxAge"] = nullptr;
    cookie["expires"] = nullptr;
  }
  cookie["httpOnly"] = true;
  cookie["path"] = "/";
  json::object session;
  session["cookie"] = std::move(cookie);
  session["views"] = views;
  return session;
}

/// A session ending `from_now` from now.
inline json::object session_ending_in(milliseconds from_now, std::int64_t views = 1) {
  return session_with(system_clock::now() + from_now, views);
}

/// The stored session's "views", or -1 when it is absent or has none.
inline std::int64_t views_of(const std::optional<json::object>& session) {
  if (!session) return -1;
  const json::value* views = session->if_contains("views");
  return views != nullptr && views->is_int64() ? views->get_int64() : -1;
}

/// Collects what the coroutines spawned on several threads threw, for one assertion at the end.
class Failures {
 public:
  /// The completion handler for co_spawn.
  auto handler() {
    return [this](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        const std::lock_guard lock(mutex_);
        messages_.emplace_back(e.what());
      } catch (...) {
        const std::lock_guard lock(mutex_);
        messages_.emplace_back("a non-standard exception");
      }
    };
  }
  /// Every message, one per line; empty when nothing threw.
  std::string text() {
    const std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& m : messages_) out += m + "\n";
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> messages_;
};

/// Sets, reads back, rewrites and (for odd i) destroys `prefix`+i, checking each step and that
/// every call resumes on the thread that made it.
inline Task<> exercise(Store& store, std::string prefix, int i) {
  const std::string sid = numbered(prefix, i);
  const auto thread = std::this_thread::get_id();
  co_await store.set(sid, session_ending_in(milliseconds(3'600'000), i));
  EXPECT_EQ(std::this_thread::get_id(), thread);
  EXPECT_EQ(views_of(co_await store.get(sid)), i);
  co_await store.set(sid, session_ending_in(milliseconds(3'600'000), i + 1000));
  EXPECT_EQ(views_of(co_await store.get(sid)), i + 1000);
  if (i % 2 == 1) co_await store.destroy(sid);
  EXPECT_EQ(std::this_thread::get_id(), thread);
}

}  // namespace store_suite

/// The fixture: a fresh store from Factory::make() for each test.
template <class Factory>
class StoreSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Factory::make();
    if (!store_) GTEST_SKIP() << "this store's server is not available";
  }
  // Closed before the next test opens its own.
  void TearDown() override { store_.reset(); }

  Store& store() { return *store_; }

  std::shared_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreSuite);

using testing::run_task;

TYPED_TEST_P(StoreSuite, GetOfAnAbsentIdIsEmpty) {
  EXPECT_FALSE(run_task(this->store().get("absent")));
  EXPECT_EQ(run_task(this->store().length()), 0u);
}

TYPED_TEST_P(StoreSuite, SetThenGetGivesTheSameTextInTheSameOrder) {
  const std::string expires = iso_date(std::chrono::system_clock::now() + std::chrono::hours(1));
  // The cookie's keys in express-session's order, user keys deliberately not sorted.
  const std::string text = R"({"cookie":{"originalMaxAge":3600000,"expires":")" + expires +
                           R"(","secure":false,"httpOnly":true,"path":"/","sameSite":"lax"},)"
                           R"("zeta":1,"alpha":[1,"x",null,true,{"b":2,"a":1}],"mid":{"k":null,"j":false},)"
                           R"("num":0.1,"big":12345678901234,"neg":-5.5e-7,"str":"a \"quoted\" \\ line\n"})";
  run_task(this->store().set("sid", store_suite::object_of(text)));
  const auto got = run_task(this->store().get("sid"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), text);
}

// get_into: the same session as get(), in the memory it is given (the request's bump allocator,
// in the session middleware). Every store here parses into it.
TYPED_TEST_P(StoreSuite, GetIntoGivesTheSameSession) {
  const std::string expires = iso_date(std::chrono::system_clock::now() + std::chrono::hours(1));
  const std::string text = R"({"cookie":{"originalMaxAge":3600000,"expires":")" + expires +
                           R"(","httpOnly":true,"path":"/"},"user":{"name":"ann","roles":["a","b"]},"n":3})";
  run_task(this->store().set("sid", store_suite::object_of(text)));
  boost::json::monotonic_resource memory;
  const json::storage_ptr storage(&memory);
  const auto got = run_task(this->store().get_into("sid", storage));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), text);
  EXPECT_TRUE(*got->storage() == *storage) << "the session is not in the memory given";
  EXPECT_FALSE(run_task(this->store().get_into("absent", storage)));
}

// set_text: the session middleware's save to a store of text (the default parses and calls set()).
// The text is kept as set() keeps its object, and the expiry given is the one the store applies.
TYPED_TEST_P(StoreSuite, SetTextKeepsWhatSetKeeps) {
  const auto now = std::chrono::system_clock::now();
  // `{"cookie":{…}` ending at `expires`, then the members of `data`.
  const auto text_ending = [](std::optional<std::chrono::system_clock::time_point> expires, std::string_view data) {
    json::object cookie_only = store_suite::session_with(expires);
    cookie_only.erase("views");
    const std::string head = stringify(cookie_only);
    return head.substr(0, head.size() - 1) + "," + std::string(data.substr(1));
  };
  const std::string nested = text_ending(now + std::chrono::hours(1), R"({"user":{"name":"ann","roles":["a"]},"n":0.5})");
  const std::string flat = text_ending(now + std::chrono::hours(1), R"({"views":3,"who":"ann"})");
  const std::string browser = text_ending(std::nullopt, R"({"views":4})");
  const std::string short_lived = text_ending(now + std::chrono::milliseconds(1000), R"({"views":5})");
  run_task(this->store().set_text("nested", nested, now + std::chrono::hours(1)));
  run_task(this->store().set_text("flat", flat, now + std::chrono::hours(1)));
  run_task(this->store().set_text("browser", browser, std::nullopt));
  run_task(this->store().set_text("short", short_lived, now + std::chrono::milliseconds(1000)));
  for (const auto& [sid, text] : {std::pair{"nested", nested}, {"flat", flat}, {"browser", browser}, {"short", short_lived}}) {
    const auto got = run_task(this->store().get(sid));
    ASSERT_TRUE(got) << sid;
    EXPECT_EQ(stringify(*got), text) << sid;
  }
  // One second, then a wait of 2.5: enough for stores that round expiries up to whole seconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_FALSE(run_task(this->store().get("short")));
  EXPECT_EQ(run_task(this->store().length()), 3u);
  const auto past = now - std::chrono::seconds(10);
  run_task(this->store().set_text("past", text_ending(past, R"({"views":6})"), past));
  EXPECT_FALSE(run_task(this->store().get("past")));
}

// load: get_into()'s session with its cookie apart, as the session middleware takes it.
TYPED_TEST_P(StoreSuite, LoadGivesTheCookieApartFromTheData) {
  const std::string expires = iso_date(std::chrono::system_clock::now() + std::chrono::hours(1));
  const std::string cookie = R"({"originalMaxAge":3600000,"expires":")" + expires + R"(","httpOnly":true,"path":"/"})";
  for (const std::string data : {R"({"views":3,"who":"ann","ok":true})", R"({"user":{"name":"ann"},"n":3})"}) {
    SCOPED_TRACE(data);
    run_task(this->store().set("sid", store_suite::object_of(R"({"cookie":)" + cookie + "," + data.substr(1))));
    boost::json::monotonic_resource memory;
    const auto loaded = run_task(this->store().load("sid", json::storage_ptr(&memory)));
    ASSERT_TRUE(loaded);
    EXPECT_EQ(stringify(loaded->data), data);
    EXPECT_TRUE(loaded->cookie.attributes == SessionCookie::from_json(store_suite::object_of(cookie)).attributes);
    EXPECT_EQ(loaded->cookie_position, 0u);
    if (!loaded->data_text.empty()) {
      EXPECT_EQ(loaded->data_text, data);
    }
  }
  EXPECT_FALSE(run_task(this->store().load("absent", {})));
}

TYPED_TEST_P(StoreSuite, SetReplacesTheWholeSession) {
  auto first = store_suite::session_ending_in(std::chrono::hours(1), 1);
  first["old"] = "gone after the second set";
  run_task(this->store().set("sid", std::move(first)));
  run_task(this->store().set("sid", store_suite::session_ending_in(std::chrono::hours(1), 2)));
  const auto got = run_task(this->store().get("sid"));
  EXPECT_EQ(store_suite::views_of(got), 2);
  EXPECT_FALSE(got->contains("old"));
  EXPECT_EQ(run_task(this->store().length()), 1u);
}

TYPED_TEST_P(StoreSuite, DestroyRemovesOnlyThatSession) {
  run_task(this->store().set("a", store_suite::session_ending_in(std::chrono::hours(1), 1)));
  run_task(this->store().set("b", store_suite::session_ending_in(std::chrono::hours(1), 2)));
  run_task(this->store().destroy("a"));
  EXPECT_FALSE(run_task(this->store().get("a")));
  EXPECT_EQ(store_suite::views_of(run_task(this->store().get("b"))), 2);
}

TYPED_TEST_P(StoreSuite, DestroyOfAnAbsentIdIsNotAnError) {
  run_task(this->store().set("kept", store_suite::session_ending_in(std::chrono::hours(1))));
  EXPECT_NO_THROW(run_task(this->store().destroy("absent")));
  EXPECT_EQ(run_task(this->store().length()), 1u);
}

TYPED_TEST_P(StoreSuite, IdsAreExactKeys) {
  run_task(this->store().set("abc", store_suite::session_ending_in(std::chrono::hours(1), 1)));
  run_task(this->store().set("ABC", store_suite::session_ending_in(std::chrono::hours(1), 2)));
  run_task(this->store().set("abc-", store_suite::session_ending_in(std::chrono::hours(1), 3)));
  EXPECT_EQ(store_suite::views_of(run_task(this->store().get("abc"))), 1);
  EXPECT_EQ(store_suite::views_of(run_task(this->store().get("ABC"))), 2);
  EXPECT_EQ(store_suite::views_of(run_task(this->store().get("abc-"))), 3);
  EXPECT_FALSE(run_task(this->store().get("ab")));
}

TYPED_TEST_P(StoreSuite, TouchExtendsTheExpiry) {
  using std::chrono::milliseconds;
  // One second, then a wait of 2.5: enough for stores that round expiries up to whole seconds.
  run_task(this->store().set("touched", store_suite::session_ending_in(milliseconds(1000), 7)));
  run_task(this->store().set("untouched", store_suite::session_ending_in(milliseconds(1000), 8)));
  run_task(this->store().touch("touched", store_suite::session_ending_in(std::chrono::hours(1), 7)));
  // touch_until(), where the store has it, does what touch() does from the expiry alone; with no
  // expiry (a browser-session cookie) the store's own lifetime applies, as for set_text().
  const bool by_expiry = this->store().touches_by_expiry();
  if (by_expiry) {
    run_task(this->store().set("touched_until", store_suite::session_ending_in(milliseconds(1000), 9)));
    run_task(this->store().set("touched_until_none", store_suite::session_ending_in(milliseconds(1000), 10)));
    run_task(this->store().touch_until("touched_until", std::chrono::system_clock::now() + std::chrono::hours(1)));
    run_task(this->store().touch_until("touched_until_none", std::nullopt));
  }
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(store_suite::views_of(run_task(this->store().get("touched"))), 7);
  EXPECT_FALSE(run_task(this->store().get("untouched")));
  if (by_expiry) {
    EXPECT_EQ(store_suite::views_of(run_task(this->store().get("touched_until"))), 9);
    EXPECT_EQ(store_suite::views_of(run_task(this->store().get("touched_until_none"))), 10);
  }
}

TYPED_TEST_P(StoreSuite, TouchOfAnAbsentIdCreatesNothing) {
  run_task(this->store().touch("ghost", store_suite::session_ending_in(std::chrono::hours(1))));
  if (this->store().touches_by_expiry())
    run_task(this->store().touch_until("ghost", std::chrono::system_clock::now() + std::chrono::hours(1)));
  EXPECT_FALSE(run_task(this->store().get("ghost")));
  EXPECT_EQ(run_task(this->store().length()), 0u);
}

TYPED_TEST_P(StoreSuite, ExpiredSessionIsNotReturned) {
  run_task(this->store().set("old", store_suite::session_ending_in(std::chrono::milliseconds(-10'000))));
  run_task(this->store().set("live", store_suite::session_ending_in(std::chrono::hours(1))));
  EXPECT_FALSE(run_task(this->store().get("old")));
  const auto all = run_task(this->store().all());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].first, "live");
  EXPECT_EQ(run_task(this->store().length()), 1u);
}

TYPED_TEST_P(StoreSuite, BrowserSessionCookieIsKept) {
  const auto session = store_suite::session_with(std::nullopt, 3);
  const std::string text = stringify(session);
  run_task(this->store().set("browser", session));
  const auto got = run_task(this->store().get("browser"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), text);
  EXPECT_EQ(run_task(this->store().length()), 1u);
}

TYPED_TEST_P(StoreSuite, AllLengthAndClear) {
  for (int i = 0; i < 3; ++i) {
    const auto session = store_suite::session_ending_in(std::chrono::hours(1), i);
    run_task(this->store().set(store_suite::numbered("s", i), session));
  }
  auto all = run_task(this->store().all());
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  ASSERT_EQ(all.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(all[i].first, store_suite::numbered("s", i));
    EXPECT_EQ(store_suite::views_of(all[i].second), i);
  }
  EXPECT_EQ(run_task(this->store().length()), 3u);
  run_task(this->store().clear());
  EXPECT_EQ(run_task(this->store().length()), 0u);
  EXPECT_TRUE(run_task(this->store().all()).empty());
  EXPECT_FALSE(run_task(this->store().get("s0")));
}

TYPED_TEST_P(StoreSuite, ManySessions) {
  constexpr int count = 300;
  Store& store = this->store();
  run_task([&]() -> Task<> {
    for (int i = 0; i < count; ++i) {
      co_await store.set(store_suite::numbered("many", i), store_suite::session_ending_in(std::chrono::hours(1), i));
    }
  }());
  EXPECT_EQ(run_task(store.length()), std::size_t{count});
  EXPECT_EQ(run_task(store.all()).size(), std::size_t{count});
  run_task([&]() -> Task<> {
    for (int i = 0; i < count; ++i) {
      EXPECT_EQ(store_suite::views_of(co_await store.get(store_suite::numbered("many", i))), i);
    }
  }());
}

TYPED_TEST_P(StoreSuite, ConcurrentCoroutinesOnOneContext) {
  constexpr int count = 40;
  store_suite::Failures failures;
  boost::asio::io_context ctx;
  for (int i = 0; i < count; ++i) {
    boost::asio::co_spawn(ctx, store_suite::exercise(this->store(), "co", i), failures.handler());
  }
  ctx.run();
  EXPECT_EQ(failures.text(), "");
  EXPECT_EQ(run_task(this->store().length()), std::size_t{count / 2});
  for (int i = 0; i < count; ++i) {
    const auto got = run_task(this->store().get(store_suite::numbered("co", i)));
    EXPECT_EQ(store_suite::views_of(got), i % 2 ? -1 : i + 1000);
  }
}

TYPED_TEST_P(StoreSuite, ConcurrentCallsFromTwoThreads) {
  constexpr int per_thread = 20;
  store_suite::Failures failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      // Each thread is an I/O thread of its own, as a server's are.
      boost::asio::io_context ctx;
      const std::string prefix = store_suite::numbered("thread", t) + "-";
      for (int i = 0; i < per_thread; ++i) {
        boost::asio::co_spawn(ctx, store_suite::exercise(this->store(), prefix, i), failures.handler());
        // Both threads also write one shared session at once.
        auto shared = store_suite::session_ending_in(std::chrono::hours(1), t);
        boost::asio::co_spawn(ctx, this->store().set("shared", std::move(shared)), failures.handler());
      }
      ctx.run();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.text(), "");
  EXPECT_EQ(run_task(this->store().length()), std::size_t{per_thread + 1});  // 2 × the even half, plus "shared"
  const auto shared = store_suite::views_of(run_task(this->store().get("shared")));
  EXPECT_TRUE(shared == 0 || shared == 1) << shared;
}

TYPED_TEST_P(StoreSuite, UnicodeSurvives) {
  auto session = store_suite::session_ending_in(std::chrono::hours(1));
  session["héllo wörld"] = "日本語のテキスト";
  session["emoji 😀"] = "🎉 party \xF0\x9F\x91\x8D";
  session["separators"] = "line\u2028para\u2029end";
  session["controls"] = std::string("nul") + '\0' + "\x01\x1f tab\t cr\r";
  session["html"] = "</script><!--";
  const std::string text = stringify(session);
  run_task(this->store().set("unicode", session));
  const auto got = run_task(this->store().get("unicode"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), text);
  EXPECT_EQ(got->at("héllo wörld").as_string(), "日本語のテキスト");
}

TYPED_TEST_P(StoreSuite, LargeValueSurvives) {
  auto session = store_suite::session_ending_in(std::chrono::hours(1));
  std::string big(1 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
  session["big"] = big;
  json::array numbers;
  for (int i = 0; i < 10'000; ++i) numbers.emplace_back(i * 3);
  session["numbers"] = std::move(numbers);
  const std::string text = stringify(session);
  run_task(this->store().set("large", session));
  const auto got = run_task(this->store().get("large"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->at("big").as_string(), big);
  EXPECT_EQ(stringify(*got), text);
}

// Every store reads back the deepest session the middleware lets through (max_session_depth),
// in get() and in all(), so that no saved session is one that every later request fails to load.
TYPED_TEST_P(StoreSuite, TheDeepestSessionSurvives) {
  auto session = store_suite::session_ending_in(std::chrono::hours(1));
  json::value deep = "bottom";
  for (std::size_t i = 1; i < max_session_depth; ++i) deep = i % 2 ? json::value(json::array{std::move(deep)}) : json::value(json::object{{"k", std::move(deep)}});
  session["deep"] = std::move(deep);
  const std::string text = stringify(session);
  run_task(this->store().set("deep", session));
  const auto got = run_task(this->store().get("deep"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), text);
  const auto all = run_task(this->store().all());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(stringify(all.front().second), text);
}

// A user's sessions: the owner index (Store::set_owner, owner_of, sessions_of, destroy_all).
namespace store_suite {

/// The ids of `sessions`, sorted.
inline std::vector<std::string> ids_of(const std::vector<std::pair<std::string, json::object>>& sessions) {
  std::vector<std::string> ids;
  for (const auto& [sid, session] : sessions) ids.push_back(sid);
  std::sort(ids.begin(), ids.end());
  return ids;
}

inline std::vector<std::string> ids(std::initializer_list<const char*> list) { return {list.begin(), list.end()}; }

/// Stores `sid` ending `from_now` from now and binds it to `owner`.
inline void owned(Store& store, const std::string& sid, const std::string& owner, milliseconds from_now, int views = 1) {
  auto session = session_ending_in(from_now, views);
  testing::run_task(store.set(sid, session));
  testing::run_task(store.set_owner(sid, owner, session));
}

}  // namespace store_suite

TYPED_TEST_P(StoreSuite, OwnersListTheirSessions) {
  using namespace store_suite;
  Store& store = this->store();
  owned(store, "a", "alice", std::chrono::hours(1), 1);
  owned(store, "b", "alice", std::chrono::hours(1), 2);
  owned(store, "c", "bob", std::chrono::hours(1), 3);
  run_task(store.set("d", session_ending_in(std::chrono::hours(1), 4)));  // no owner
  const auto alices = run_task(store.sessions_of("alice"));
  EXPECT_EQ(ids_of(alices), ids({"a", "b"}));
  for (const auto& [sid, session] : alices) EXPECT_EQ(views_of(session), sid == "a" ? 1 : 2);
  EXPECT_EQ(ids_of(run_task(store.sessions_of("bob"))), ids({"c"}));
  EXPECT_TRUE(run_task(store.sessions_of("nobody")).empty());
  EXPECT_EQ(run_task(store.owner_of("a")), "alice");
  EXPECT_EQ(run_task(store.owner_of("c")), "bob");
  EXPECT_EQ(run_task(store.owner_of("d")), std::nullopt);
  EXPECT_EQ(run_task(store.owner_of("absent")), std::nullopt);
  // The index is no session: what all() and length() see (and Node's store) is unchanged.
  EXPECT_EQ(run_task(store.length()), 4u);
  EXPECT_EQ(run_task(store.all()).size(), 4u);
  EXPECT_FALSE(run_task(store.get("a"))->contains("owner"));
}

TYPED_TEST_P(StoreSuite, DestroyAllKeepsTheExceptedSession) {
  using namespace store_suite;
  Store& store = this->store();
  owned(store, "a", "alice", std::chrono::hours(1));
  owned(store, "b", "alice", std::chrono::hours(1));
  owned(store, "b2", "alice", std::chrono::hours(1));
  owned(store, "c", "bob", std::chrono::hours(1));
  EXPECT_EQ(run_task(store.destroy_all("alice", std::string("a"))), 2u);
  EXPECT_TRUE(run_task(store.get("a")));
  EXPECT_FALSE(run_task(store.get("b")));
  EXPECT_FALSE(run_task(store.get("b2")));
  EXPECT_TRUE(run_task(store.get("c")));
  EXPECT_EQ(ids_of(run_task(store.sessions_of("alice"))), ids({"a"}));
  EXPECT_EQ(run_task(store.destroy_all("alice")), 1u);
  EXPECT_FALSE(run_task(store.get("a")));
  EXPECT_TRUE(run_task(store.sessions_of("alice")).empty());
  EXPECT_EQ(ids_of(run_task(store.sessions_of("bob"))), ids({"c"}));
  EXPECT_EQ(run_task(store.destroy_all("nobody")), 0u);
}

TYPED_TEST_P(StoreSuite, DestroyEndsTheBinding) {
  using namespace store_suite;
  Store& store = this->store();
  owned(store, "a", "alice", std::chrono::hours(1));
  owned(store, "b", "alice", std::chrono::hours(1));
  run_task(store.destroy("a"));
  EXPECT_EQ(ids_of(run_task(store.sessions_of("alice"))), ids({"b"}));
  EXPECT_EQ(run_task(store.owner_of("a")), std::nullopt);
  // A session saved again under the old id is not the owner's.
  run_task(store.set("a", session_ending_in(std::chrono::hours(1))));
  EXPECT_EQ(run_task(store.owner_of("a")), std::nullopt);
  EXPECT_EQ(ids_of(run_task(store.sessions_of("alice"))), ids({"b"}));
}

TYPED_TEST_P(StoreSuite, ClearEmptiesTheIndex) {
  using namespace store_suite;
  Store& store = this->store();
  owned(store, "a", "alice", std::chrono::hours(1));
  run_task(store.clear());
  EXPECT_TRUE(run_task(store.sessions_of("alice")).empty());
  run_task(store.set("a", session_ending_in(std::chrono::hours(1))));
  EXPECT_EQ(run_task(store.owner_of("a")), std::nullopt);
  EXPECT_TRUE(run_task(store.sessions_of("alice")).empty());
}

TYPED_TEST_P(StoreSuite, BindingAgainMovesTheSession) {
  using namespace store_suite;
  Store& store = this->store();
  owned(store, "a", "alice", std::chrono::hours(1));
  testing::run_task(store.set_owner("a", "bob", session_ending_in(std::chrono::hours(1))));
  EXPECT_TRUE(run_task(store.sessions_of("alice")).empty());
  EXPECT_EQ(ids_of(run_task(store.sessions_of("bob"))), ids({"a"}));
  EXPECT_EQ(run_task(store.owner_of("a")), "bob");
}

TYPED_TEST_P(StoreSuite, BindingAnAbsentSessionDoesNothing) {
  using namespace store_suite;
  Store& store = this->store();
  run_task(store.set_owner("ghost", "alice", session_ending_in(std::chrono::hours(1))));
  EXPECT_TRUE(run_task(store.sessions_of("alice")).empty());
  EXPECT_EQ(run_task(store.owner_of("ghost")), std::nullopt);
}

// Expiry ends the binding; a touch or a save that extends the session extends it too.
TYPED_TEST_P(StoreSuite, TheIndexFollowsExpiryTouchAndSave) {
  using namespace store_suite;
  Store& store = this->store();
  owned(store, "expiring", "alice", milliseconds(1000));
  owned(store, "touched", "alice", milliseconds(1000));
  owned(store, "saved", "alice", milliseconds(1000));
  run_task(store.touch("touched", session_ending_in(std::chrono::hours(1))));
  run_task(store.set("saved", session_ending_in(std::chrono::hours(1), 9)));
  const bool by_expiry = store.touches_by_expiry();
  if (by_expiry) {
    owned(store, "touched_until", "alice", milliseconds(1000));
    run_task(store.touch_until("touched_until", std::chrono::system_clock::now() + std::chrono::hours(1)));
  }
  // One second, then a wait of 2.5: enough for stores that round expiries up to whole seconds.
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(ids_of(run_task(store.sessions_of("alice"))),
            by_expiry ? ids({"saved", "touched", "touched_until"}) : ids({"saved", "touched"}));
  EXPECT_EQ(run_task(store.owner_of("expiring")), std::nullopt);
  EXPECT_EQ(run_task(store.owner_of("touched")), "alice");
  EXPECT_EQ(run_task(store.destroy_all("alice")), by_expiry ? 3u : 2u);
  EXPECT_EQ(run_task(store.length()), 0u);
}

REGISTER_TYPED_TEST_SUITE_P(StoreSuite, OwnersListTheirSessions, DestroyAllKeepsTheExceptedSession,
                            DestroyEndsTheBinding, ClearEmptiesTheIndex, BindingAgainMovesTheSession,
                            BindingAnAbsentSessionDoesNothing, TheIndexFollowsExpiryTouchAndSave, GetOfAnAbsentIdIsEmpty, SetThenGetGivesTheSameTextInTheSameOrder, GetIntoGivesTheSameSession,
                            SetTextKeepsWhatSetKeeps, LoadGivesTheCookieApartFromTheData,
                            SetReplacesTheWholeSession, DestroyRemovesOnlyThatSession, DestroyOfAnAbsentIdIsNotAnError,
                            IdsAreExactKeys, TouchExtendsTheExpiry, TouchOfAnAbsentIdCreatesNothing,
                            ExpiredSessionIsNotReturned, BrowserSessionCookieIsKept, AllLengthAndClear, ManySessions,
                            ConcurrentCoroutinesOnOneContext, ConcurrentCallsFromTwoThreads, UnicodeSurvives,
                            LargeValueSurvives, TheDeepestSessionSurvives);

}  // namespace cortado

/// Runs every StoreSuite test against the stores `Factory::make()` opens; use it inside namespace cortado.
#define INSTANTIATE_STORE_SUITE(Name, Factory) \
  INSTANTIATE_TYPED_TEST_SUITE_P(Name, StoreSuite, ::testing::Types<Factory>)
