#include "cortado/session/memory_store.hpp"

#include "cortado/core/dates.hpp"
#include "run_task.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace cortado {
namespace {

using cortado::testing::run_task;
using std::chrono::milliseconds;
using std::chrono::system_clock;

json::object object_of(std::string_view text) { return parse_json(text).as_object(); }

// prefix + i; appending sidesteps GCC 12's false -Wstringop-overflow on `"literal" + std::to_string(i)` at -O3.
std::string numbered(std::string_view prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

// A session as express-session stores it, ending `from_now` from now.
json::object session_ending_in(milliseconds from_now, int views = 1) {
  json::object s;
  json::object cookie;
  cookie["originalMaxAge"] = from_now.count();
  cookie["expires"] = iso_date(system_clock::now() + from_now);
  cookie["httpOnly"] = true;
  cookie["path"] = "/";
  s["cookie"] = std::move(cookie);
  s["views"] = views;
  return s;
}

MemoryStoreOptions no_pruning(std::size_t max_entries = 0, std::size_t shards = 16) {
  return {.max_entries = max_entries, .prune_interval = milliseconds(0), .shards = shards};
}

TEST(MemoryStore, GetOfAnUnknownIdIsEmpty) {
  MemoryStore store(no_pruning());
  EXPECT_FALSE(run_task(store.get("nope")));
}

TEST(MemoryStore, SetThenGetGivesTheSameTextInTheSameOrder) {
  MemoryStore store(no_pruning());
  const std::string text = R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},)"
                           R"("z":1,"a":[1,"x"],"m":{"k":null}})";
  run_task(store.set("sid", object_of(text)));
  const auto got = run_task(store.get("sid"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), text);
}

TEST(MemoryStore, TextsWithTheCookiesPhrasesElsewhereComeBackExactly) {
  // The store keeps a cookie's common phrases as one byte each; wherever else those phrases
  // (or look-alikes inside strings) appear, the text must still come back byte for byte.
  MemoryStore store(no_pruning());
  const std::string texts[] = {
      R"({"cookie":{"originalMaxAge":60000,"expires":"2999-01-01T00:00:00.000Z","httpOnly":true,"path":"/"},"v":1})",
      R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"n":{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}}})",
      R"({"a":",\"expires\":null","b":{"x":1,"expires":null,"httpOnly":true,"path":"/"},"cookie":{"originalMaxAge":5,"expires":"x","httpOnly":true,"path":"/"}})",
      R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":false,"path":"/a"},"s":"\u0001\u001f"})",
      R"({"plain":true})",
  };
  for (const auto& text : texts) {
    run_task(store.set("sid", object_of(text)));
    const auto got = run_task(store.get("sid"));
    ASSERT_TRUE(got) << text;
    EXPECT_EQ(stringify(*got), text);
    auto all = run_task(store.all());
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(stringify(all[0].second), text);
  }
}

TEST(MemoryStore, GetReturnsACopy) {
  MemoryStore store(no_pruning());
  run_task(store.set("sid", session_ending_in(milliseconds(60000))));
  auto first = run_task(store.get("sid"));
  (*first)["views"] = 42;
  EXPECT_EQ(run_task(store.get("sid"))->at("views"), 1);
}

TEST(MemoryStore, SetReplaces) {
  MemoryStore store(no_pruning());
  run_task(store.set("sid", session_ending_in(milliseconds(60000), 1)));
  run_task(store.set("sid", session_ending_in(milliseconds(60000), 2)));
  EXPECT_EQ(run_task(store.get("sid"))->at("views"), 2);
  EXPECT_EQ(run_task(store.length()), 1u);
}

TEST(MemoryStore, Destroy) {
  MemoryStore store(no_pruning());
  run_task(store.set("a", session_ending_in(milliseconds(60000))));
  run_task(store.set("b", session_ending_in(milliseconds(60000))));
  run_task(store.destroy("a"));
  run_task(store.destroy("never there"));
  EXPECT_FALSE(run_task(store.get("a")));
  EXPECT_TRUE(run_task(store.get("b")));
  EXPECT_EQ(run_task(store.length()), 1u);
}

TEST(MemoryStore, ExpiredSessionIsAbsentAndDeleted) {
  MemoryStore store(no_pruning());
  run_task(store.set("old", session_ending_in(milliseconds(-1000))));
  run_task(store.set("new", session_ending_in(milliseconds(60000))));
  EXPECT_EQ(store.prune_expired(), 1u);  // it was still held until now
  run_task(store.set("old", session_ending_in(milliseconds(-1000))));
  EXPECT_FALSE(run_task(store.get("old")));
  EXPECT_EQ(store.prune_expired(), 0u);  // get already deleted it
  EXPECT_TRUE(run_task(store.get("new")));
}

TEST(MemoryStore, SessionWithoutExpiresOrCookieNeverExpires) {
  MemoryStore store(no_pruning());
  run_task(store.set("browser", object_of(R"({"cookie":{"originalMaxAge":null,"expires":null},"a":1})")));
  run_task(store.set("bare", object_of(R"({"a":1})")));
  EXPECT_EQ(store.prune_expired(), 0u);
  EXPECT_TRUE(run_task(store.get("browser")));
  EXPECT_TRUE(run_task(store.get("bare")));
}

TEST(MemoryStore, TouchReplacesOnlyTheCookie) {
  MemoryStore store(no_pruning());
  run_task(store.set("sid", object_of(R"({"a":1,"cookie":{"expires":"2999-01-01T00:00:00.000Z","path":"/"},"b":2})")));
  run_task(store.touch("sid", object_of(R"({"cookie":{"expires":"2999-06-01T00:00:00.000Z"},"a":99})")));
  // The stored data and key order stay; the cookie is the touched one, whole.
  EXPECT_EQ(stringify(*run_task(store.get("sid"))), R"({"a":1,"cookie":{"expires":"2999-06-01T00:00:00.000Z"},"b":2})");
}

TEST(MemoryStore, TouchOfALeadingCookieLeavesTrickyDataAlone) {
  // The cookie first, as the middleware writes it: touch swaps its text without parsing the rest.
  // The cookie's own strings and the data hold braces, quotes and a nested "cookie" to trip a scan.
  MemoryStore store(no_pruning());
  const std::string data =
      R"("a":"}{\"\\","cookie2":{"cookie":{"expires":null}},"list":[{"x":"]"},[]],"z":{"y":{}})";
  run_task(store.set("sid", object_of(R"({"cookie":{"expires":"2999-01-01T00:00:00.000Z","path":"/\"}"},)" + data + "}")));
  run_task(store.touch("sid", object_of(R"({"cookie":{"expires":"2999-06-01T00:00:00.000Z","path":"/"},"a":99})")));
  EXPECT_EQ(stringify(*run_task(store.get("sid"))),
            R"({"cookie":{"expires":"2999-06-01T00:00:00.000Z","path":"/"},)" + data + "}");
}

TEST(MemoryStore, TouchWithTheStoredCookieChangesNothingAndADifferentOneIsWritten) {
  // The default cookie is kept compacted; a touch with the same cookie is found equal without
  // expanding the text. A cookie that only starts like the stored one (one key fewer) is not equal.
  MemoryStore store(no_pruning());
  const std::string plain = R"({"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"})";
  run_task(store.set("sid", object_of(R"({"cookie":)" + plain + R"(,"a":1})")));
  run_task(store.touch("sid", object_of(R"({"cookie":)" + plain + R"(,"a":99})")));
  EXPECT_EQ(stringify(*run_task(store.get("sid"))), R"({"cookie":)" + plain + R"(,"a":1})");
  const std::string shorter = R"({"originalMaxAge":null,"expires":null,"httpOnly":true})";
  run_task(store.touch("sid", object_of(R"({"cookie":)" + shorter + R"(,"a":99})")));
  EXPECT_EQ(stringify(*run_task(store.get("sid"))), R"({"cookie":)" + shorter + R"(,"a":1})");
  run_task(store.touch("sid", object_of(R"({"cookie":)" + plain + "}")));
  EXPECT_EQ(stringify(*run_task(store.get("sid"))), R"({"cookie":)" + plain + R"(,"a":1})");
}

TEST(MemoryStore, TouchMovesTheExpiry) {
  MemoryStore store(no_pruning());
  run_task(store.set("sid", session_ending_in(milliseconds(50))));
  run_task(store.touch("sid", session_ending_in(milliseconds(60000))));
  std::this_thread::sleep_for(milliseconds(80));
  EXPECT_EQ(store.prune_expired(), 0u);
  EXPECT_TRUE(run_task(store.get("sid")));
}

TEST(MemoryStore, TouchOfAnAbsentOrExpiredSessionAddsNothing) {
  MemoryStore store(no_pruning());
  run_task(store.touch("ghost", session_ending_in(milliseconds(60000))));
  run_task(store.set("expired", session_ending_in(milliseconds(-10))));
  run_task(store.touch("expired", session_ending_in(milliseconds(60000))));
  EXPECT_FALSE(run_task(store.get("ghost")));
  EXPECT_FALSE(run_task(store.get("expired")));
  EXPECT_EQ(run_task(store.length()), 0u);
}

TEST(MemoryStore, AllAndLengthSkipExpired) {
  MemoryStore store(no_pruning());
  for (int i = 0; i < 50; ++i) run_task(store.set(numbered("live", i), session_ending_in(milliseconds(60000), i)));
  for (int i = 0; i < 7; ++i) run_task(store.set(numbered("dead", i), session_ending_in(milliseconds(-1))));
  EXPECT_EQ(run_task(store.length()), 50u);
  auto all = run_task(store.all());
  ASSERT_EQ(all.size(), 50u);
  std::sort(all.begin(), all.end(),
            [](auto& l, auto& r) { return l.second.at("views").as_int64() < r.second.at("views").as_int64(); });
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(all[i].first, numbered("live", i));
    EXPECT_EQ(all[i].second.at("views"), i);
  }
  EXPECT_EQ(store.prune_expired(), 0u);  // length() and all() deleted the expired ones on the way
}

TEST(MemoryStore, Clear) {
  MemoryStore store(no_pruning());
  for (int i = 0; i < 100; ++i) run_task(store.set(std::to_string(i), session_ending_in(milliseconds(60000))));
  run_task(store.clear());
  EXPECT_EQ(run_task(store.length()), 0u);
  EXPECT_TRUE(run_task(store.all()).empty());
  run_task(store.set("after", session_ending_in(milliseconds(60000))));
  EXPECT_EQ(run_task(store.length()), 1u);
}

TEST(MemoryStore, ManySessionsGrowTheTable) {
  MemoryStore store(no_pruning(0, 2));
  for (int i = 0; i < 20000; ++i) run_task(store.set(numbered("s", i), session_ending_in(milliseconds(60000), i)));
  EXPECT_EQ(run_task(store.length()), 20000u);
  for (int i = 0; i < 20000; i += 997) EXPECT_EQ(run_task(store.get(numbered("s", i)))->at("views"), i);
}

TEST(MemoryStore, BackgroundThreadPrunes) {
  MemoryStore pruned({.prune_interval = milliseconds(10)});
  MemoryStore unpruned(no_pruning());
  for (int i = 0; i < 100; ++i) {
    run_task(pruned.set(std::to_string(i), session_ending_in(milliseconds(30))));
    run_task(unpruned.set(std::to_string(i), session_ending_in(milliseconds(30))));
  }
  run_task(pruned.set("keeper", session_ending_in(milliseconds(60000))));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(pruned.prune_expired(), 0u);      // the thread already removed them
  EXPECT_EQ(unpruned.prune_expired(), 100u);  // the control: they were there to remove
  EXPECT_TRUE(run_task(pruned.get("keeper")));
}

TEST(MemoryStore, DestructorStopsThePrunerPromptly) {
  const auto start = std::chrono::steady_clock::now();
  { MemoryStore store({.prune_interval = std::chrono::hours(1)}); }
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
}

TEST(MemoryStore, EvictsTheLeastRecentlyUsed) {
  MemoryStore store(no_pruning(3));
  run_task(store.set("a", session_ending_in(milliseconds(60000))));
  run_task(store.set("b", session_ending_in(milliseconds(60000))));
  run_task(store.set("c", session_ending_in(milliseconds(60000))));
  EXPECT_TRUE(run_task(store.get("a")));  // a is now more recent than b
  run_task(store.set("d", session_ending_in(milliseconds(60000))));
  EXPECT_FALSE(run_task(store.get("b")));
  run_task(store.touch("a", session_ending_in(milliseconds(60000))));  // a over c
  run_task(store.set("e", session_ending_in(milliseconds(60000))));
  EXPECT_FALSE(run_task(store.get("c")));
  EXPECT_TRUE(run_task(store.get("a")));
  EXPECT_TRUE(run_task(store.get("d")));
  EXPECT_TRUE(run_task(store.get("e")));
  EXPECT_EQ(run_task(store.length()), 3u);
}

TEST(MemoryStore, ReplacingDoesNotEvict) {
  MemoryStore store(no_pruning(2));
  run_task(store.set("a", session_ending_in(milliseconds(60000))));
  run_task(store.set("b", session_ending_in(milliseconds(60000))));
  run_task(store.set("a", session_ending_in(milliseconds(60000), 2)));
  EXPECT_TRUE(run_task(store.get("b")));
  EXPECT_EQ(run_task(store.get("a"))->at("views"), 2);
}

TEST(MemoryStore, BoundHoldsAcrossShards) {
  MemoryStore store(no_pruning(1000, 16));
  for (int i = 0; i < 5000; ++i) run_task(store.set(numbered("s", i), session_ending_in(milliseconds(60000))));
  const std::size_t length = run_task(store.length());
  EXPECT_LE(length, 1015u);  // per-shard rounding may keep a few more
  EXPECT_GE(length, 900u);
  EXPECT_TRUE(run_task(store.get("s4999")));  // the newest survive
}

TEST(MemoryStore, Describe) {
  EXPECT_EQ(MemoryStore(no_pruning()).describe(), "memory (16 shards)");
  EXPECT_EQ(MemoryStore(no_pruning(1000)).describe(), "memory (15 shards, max 1000 sessions)");
}

TEST(MemoryStore, ConcurrentUseFromSeveralThreads) {
  MemoryStore store({.max_entries = 0, .prune_interval = milliseconds(1), .shards = 4});
  constexpr int threads = 4;
  constexpr int per_thread = 2000;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      boost::asio::io_context ctx;
      boost::asio::co_spawn(
          ctx,
          [&]() -> Task<> {
            for (int i = 0; i < per_thread; ++i) {
              const std::string own = numbered("t", t) + numbered("-", i);
              co_await store.set(own, session_ending_in(milliseconds(60000), i));
              auto got = co_await store.get(own);
              if (!got || got->at("views") != i) ++mismatches;
              // A key every thread writes and touches, and short-lived ones for the pruner to race with.
              co_await store.set("shared", session_ending_in(milliseconds(60000), t));
              co_await store.touch("shared", session_ending_in(milliseconds(60000)));
              co_await store.set(numbered("brief", i % 50), session_ending_in(milliseconds(1)));
              if (i % 3 == 0) co_await store.destroy(own);
              if (i % 500 == 0) (void)co_await store.all();
            }
          },
          boost::asio::detached);
      ctx.run();
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_TRUE(run_task(store.get("shared")));
  std::this_thread::sleep_for(milliseconds(5));
  // Each thread kept the ids not divisible by 3, plus "shared".
  EXPECT_EQ(run_task(store.length()), std::size_t{threads} * (per_thread - (per_thread + 2) / 3) + 1);
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

// load_now and keep_snapshot_now: the parsed data a store keeps after a read that changed nothing.
const std::string plain_cookie = R"({"originalMaxAge":60000,"expires":"2999-01-01T00:00:00.000Z","httpOnly":true,"path":"/"})";

std::string stored_with(std::string_view data_members) {
  return R"({"cookie":)" + plain_cookie + (data_members.empty() ? "" : "," + std::string(data_members)) + "}";
}

json::storage_ptr heap() { return {}; }

// load_now, then what a request that changes nothing hands back.
MemoryStore::Loaded load_and_keep(MemoryStore& store, std::string_view sid) {
  auto loaded = store.load_now(sid, heap);
  EXPECT_TRUE(loaded);
  if (!loaded) return {};
  if (!loaded->snapshot && loaded->object) store.keep_snapshot_now(sid, *loaded->object, stringify(*loaded->object));
  return std::move(*loaded);
}

TEST(MemoryStore, LoadReadsTheCookieApartAndTheDataAlone) {
  MemoryStore store(no_pruning());
  run_task(store.set("sid", object_of(stored_with(R"("a":1,"b":[2.5,"x"])"))));
  auto loaded = store.load_now("sid", heap);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->cookie_read);
  EXPECT_FALSE(loaded->snapshot);
  ASSERT_TRUE(loaded->object);
  EXPECT_EQ(stringify(*loaded->object), R"({"a":1,"b":[2.5,"x"]})");
  EXPECT_EQ(stringify(loaded->cookie.to_json()), plain_cookie);
}

// The middleware takes the data's text from the load as the text it compares with at the end,
// instead of stringifying what was just parsed: it must be that stringify, whatever was stored.
TEST(MemoryStore, LoadGivesTheDataTextStringifyWouldWrite) {
  MemoryStore store(no_pruning());
  for (std::string_view members : {
           R"()",
           R"("a":1)",
           R"("n":[1.50,1e21,-0,0.1,-2.5e-7,123456789012345678,1E3])",
           R"("s":"\u00e9\u2028\n\"\\\/\t\u0001","lone":"\ud800x","pair":"\ud83d\ude00")",
           R"("o":{},"l":[],"deep":{"x":[{"y":null,"z":false}]},"t":true)",
           R"("cookie2":{"originalMaxAge":null},"expires":null)",
       }) {
    run_task(store.set("sid", object_of(stored_with(members))));
    auto loaded = store.load_now("sid", heap);
    ASSERT_TRUE(loaded && loaded->object && loaded->cookie_read) << members;
    EXPECT_EQ(loaded->data_text, stringify(*loaded->object)) << members;
  }
  // Where the data is not read apart from the cookie, there is no text to give.
  run_task(store.set("sid", object_of(R"({"7":1,"cookie":)" + plain_cookie + "}")));
  auto loaded = store.load_now("sid", heap);
  ASSERT_TRUE(loaded && loaded->object);
  EXPECT_FALSE(loaded->cookie_read);
  EXPECT_TRUE(loaded->data_text.empty());
}

TEST(MemoryStore, LoadOfTheDefaultCookieReadsItAndTheDataAfterIt) {
  // express-session's default cookie (no maxAge) is stored as one byte and read without a parse;
  // what follows it, the cookie's phrases included, must come back as it was.
  MemoryStore store(no_pruning());
  const std::string cookie = R"({"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"})";
  CookieAttributes expected;
  expected.http_only = true;
  expected.path = "/";
  for (std::string_view members : {
           R"()",
           R"("a":1)",
           R"("n":{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}},"e":null)",
           R"("x":{"expires":null,"httpOnly":true,"path":"/"},"s":"\u0001\u001f")",
       }) {
    const std::string text = R"({"cookie":)" + cookie + (members.empty() ? "" : ",") + std::string(members) + "}";
    SCOPED_TRACE(text);
    run_task(store.set("sid", object_of(text)));
    auto loaded = store.load_now("sid", heap);
    ASSERT_TRUE(loaded && loaded->object && loaded->cookie_read) << members;
    EXPECT_EQ(loaded->cookie.attributes, expected) << members;
    EXPECT_EQ(loaded->data_text, "{" + std::string(members) + "}") << members;
    EXPECT_EQ(stringify(*loaded->object), loaded->data_text) << members;
    EXPECT_EQ(stringify(*run_task(store.get("sid"))), text) << members;
  }
}

TEST(MemoryStore, LoadOfACookieNotFirstGivesTheWholeObject) {
  MemoryStore store(no_pruning());
  const std::string text = R"({"a":1,"cookie":)" + plain_cookie + "}";
  run_task(store.set("sid", object_of(text)));
  auto loaded = store.load_now("sid", heap);
  ASSERT_TRUE(loaded && loaded->object);
  EXPECT_FALSE(loaded->cookie_read);
  EXPECT_EQ(stringify(*loaded->object), text);
  // Kept all the same (its data is what it is); the next load still reads the whole object.
  store.keep_snapshot_now("sid", object_of(R"({"a":1})"), R"({"a":1})");
  auto again = store.load_now("sid", heap);
  ASSERT_TRUE(again && again->object);
  EXPECT_FALSE(again->snapshot);
  EXPECT_EQ(stringify(*again->object), text);
}

TEST(MemoryStore, AnUnchangedReadIsKeptParsedAndSharedByTheNextLoads) {
  MemoryStore store(no_pruning());
  const std::string members = R"("n":3,"big":18446744073709551615,"f":1.5,"e":1e300,"s":"x","o":{"a":[null,true]})";
  run_task(store.set("sid", object_of(stored_with(members))));
  load_and_keep(store, "sid");
  auto first = store.load_now("sid", heap);
  auto second = store.load_now("sid", heap);
  ASSERT_TRUE(first && second && first->snapshot);
  EXPECT_EQ(first->snapshot.get(), second->snapshot.get());
  EXPECT_TRUE(first->cookie_read);
  EXPECT_EQ(stringify(first->cookie.to_json()), plain_cookie);
  // Values of the kinds a parse of the stored text gives (a copy must not turn 3 into 3.0 or the like).
  // (What get() parses from the stored text: set() wrote it as JSON.stringify would, 1.8e19 and all.)
  json::object parsed = *run_task(store.get("sid"));
  parsed.stable_erase("cookie");
  const json::object& data = first->snapshot->data;
  ASSERT_EQ(data.size(), parsed.size());
  for (const auto& [key, value] : parsed) {
    EXPECT_EQ(data.at(key).kind(), value.kind()) << key;
    EXPECT_EQ(data.at(key), value) << key;
  }
  EXPECT_EQ(first->snapshot->text, stringify(parsed));
}

TEST(MemoryStore, ASetDropsTheSnapshotAndATouchKeepsIt) {
  MemoryStore store(no_pruning());
  run_task(store.set("sid", object_of(stored_with(R"("v":1)"))));
  load_and_keep(store, "sid");
  ASSERT_TRUE(store.load_now("sid", heap)->snapshot);
  // A touch with another expiry: same data, new cookie, read from the new text.
  const std::string later = R"({"originalMaxAge":60000,"expires":"2999-06-01T00:00:00.000Z","httpOnly":true,"path":"/"})";
  store.touch_cookie_now("sid", later, std::nullopt);
  auto touched = store.load_now("sid", heap);
  ASSERT_TRUE(touched && touched->snapshot);
  EXPECT_EQ(stringify(touched->cookie.to_json()), later);
  EXPECT_EQ(touched->snapshot->text, R"({"v":1})");
  // New data: parsed again.
  store.set_text_now("sid", stored_with(R"("v":2)"), std::nullopt);
  auto set = store.load_now("sid", heap);
  ASSERT_TRUE(set && set->object);
  EXPECT_FALSE(set->snapshot);
  EXPECT_EQ(stringify(*set->object), R"({"v":2})");
}

TEST(MemoryStore, AStaleReadIsNotKept) {
  // Request A reads v=1; request B saves v=2; A ends without changes and hands back its v=1:
  // the store holds v=2 now, and must not take A's copy for it.
  MemoryStore store(no_pruning());
  run_task(store.set("sid", object_of(stored_with(R"("v":1)"))));
  auto a = store.load_now("sid", heap);
  ASSERT_TRUE(a && a->object);
  store.set_text_now("sid", stored_with(R"("v":2)"), std::nullopt);
  store.keep_snapshot_now("sid", *a->object, stringify(*a->object));
  auto next = store.load_now("sid", heap);
  ASSERT_TRUE(next && next->object);
  EXPECT_FALSE(next->snapshot);
  EXPECT_EQ(stringify(*next->object), R"({"v":2})");
  // Data that only ends like the stored data is not it either.
  store.set_text_now("sid", stored_with(R"("a":0,"v":2)"), std::nullopt);
  store.keep_snapshot_now("sid", object_of(R"({"v":2})"), R"({"v":2})");
  EXPECT_FALSE(store.load_now("sid", heap)->snapshot);
  // An empty session is kept too.
  store.set_text_now("sid", stored_with(""), std::nullopt);
  load_and_keep(store, "sid");
  auto empty = store.load_now("sid", heap);
  ASSERT_TRUE(empty && empty->snapshot);
  EXPECT_TRUE(empty->snapshot->data.empty());
}

}  // namespace
}  // namespace cortado
