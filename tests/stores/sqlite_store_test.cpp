// The SQLite store: the store suite, then what only a file shared with connect-sqlite3 has.
#include "cortado/session/session_id.hpp"
#include "cortado/stores/sqlite.hpp"

#include "stores/store_suite.hpp"
#include "support/raw_db.hpp"
#include "support/sqlite_lock.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace cortado {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::system_clock;
using store_suite::session_ending_in;
using store_suite::session_with;
using store_suite::views_of;
using test::RawDb;
using test::TempDir;

// Each suite test gets a store on a file of its own; the directory goes when the store does.
template <std::size_t threads>
struct SqliteStoreFactory {
  static std::shared_ptr<Store> make() {
    struct Owned {
      TempDir dir;
      std::shared_ptr<Store> store;  // after dir: closed before the directory is removed
    };
    auto owned = std::make_shared<Owned>();
    owned->store = stores::sqlite(owned->dir.file("sessions.db"), {.threads = threads});
    return std::shared_ptr<Store>(owned, owned->store.get());
  }
};
INSTANTIATE_STORE_SUITE(Sqlite, SqliteStoreFactory<2>);
INSTANTIATE_STORE_SUITE(SqliteOneThread, SqliteStoreFactory<1>);

std::int64_t ms_of(system_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

// Waits up to five seconds for `condition`, polling.
template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// What opening `path` throws, or "" when it opens.
std::string open_error(const std::string& path, stores::SqliteOptions options = {}) {
  try {
    stores::sqlite(path, std::move(options));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

using testing::run_task;

TEST(SqliteStore, ReopeningTheFileKeepsTheSessions) {
  TempDir dir;
  const auto session = session_ending_in(1h, 5);
  {
    auto store = stores::sqlite(dir.file("s.db"));
    run_task(store->set("sid", session));
  }
  auto reopened = stores::sqlite(dir.file("s.db"));
  const auto got = run_task(reopened->get("sid"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), stringify(session));
}

TEST(SqliteStore, TwoStoresOnOneFileSeeEachOther) {
  TempDir dir;
  auto a = stores::sqlite(dir.file("s.db"));
  auto b = stores::sqlite(dir.file("s.db"));
  run_task(a->set("one", session_ending_in(1h, 1)));
  EXPECT_EQ(views_of(run_task(b->get("one"))), 1);
  run_task(b->set("two", session_ending_in(1h, 2)));
  EXPECT_EQ(run_task(a->length()), 2u);
  run_task(b->destroy("one"));
  EXPECT_FALSE(run_task(a->get("one")));
  run_task(a->clear());
  EXPECT_EQ(run_task(b->length()), 0u);
}

TEST(SqliteStore, TableIsLaidOutAsConnectSqlite3s) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"));
  const auto expires = system_clock::now() + 1h;
  const auto timed = session_with(expires, 1);
  run_task(store->set("timed", timed));
  const auto before = ms_of(system_clock::now());
  run_task(store->set("browser", session_with(std::nullopt)));
  const auto after = ms_of(system_clock::now());

  RawDb raw(dir.file("s.db"));
  // cid|name|type|notnull|default|pk: untyped columns, sid the primary key.
  EXPECT_EQ(raw.rows("PRAGMA table_info(sessions)"),
            (std::vector<std::string>{"0|sid||0|NULL|1", "1|expired||0|NULL|0", "2|sess||0|NULL|0"}));
  EXPECT_EQ(raw.one("PRAGMA journal_mode"), "wal");
  // `expired` is cookie.expires in epoch milliseconds, `sess` JSON.stringify's text.
  EXPECT_EQ(raw.one("SELECT expired, sess FROM sessions WHERE sid = 'timed'"),
            std::to_string(ms_of(*session_expiry(timed))) + "|" + stringify(timed));
  // Without an expiry, connect-sqlite3 keeps the row one day.
  const std::int64_t browser = std::stoll(raw.one("SELECT expired FROM sessions WHERE sid = 'browser'"));
  EXPECT_GE(browser, before + 86'400'000);
  EXPECT_LE(browser, after + 86'400'000);
}

TEST(SqliteStore, ReadsRowsThatConnectSqlite3Wrote) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"));
  RawDb raw(dir.file("s.db"));
  // node-sqlite3 binds a millisecond timestamp (past 2^31) as a REAL, and sess as TEXT.
  const std::string live = std::to_string(ms_of(system_clock::now() + 1h)) + ".0";
  const std::string old = std::to_string(ms_of(system_clock::now() - 1h)) + ".0";
  const std::string sess = R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":9})";
  raw.exec("INSERT OR REPLACE INTO sessions VALUES ('node', " + live + ", '" + sess + "')");
  raw.exec("INSERT OR REPLACE INTO sessions VALUES ('node-old', " + old + ", '" + sess + "')");
  ASSERT_EQ(raw.one("SELECT typeof(expired) FROM sessions WHERE sid = 'node'"), "real");
  const auto got = run_task(store->get("node"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), sess);
  EXPECT_FALSE(run_task(store->get("node-old")));
  EXPECT_EQ(run_task(store->length()), 1u);
}

// The error about an unreadable row reaches logs and error pages: it names the session by the
// digest of its id, never by the id, which is a bearer credential.
TEST(SqliteStore, AnUnreadableRowsErrorNamesTheSessionByDigestOnly) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"));
  RawDb raw(dir.file("s.db"));
  const std::string sid = generate_session_id();
  raw.exec("INSERT INTO sessions VALUES ('" + sid + "', " + std::to_string(ms_of(system_clock::now() + 1h)) +
           ", '{not json')");
  try {
    run_task(store->get(sid));
    ADD_FAILURE() << "malformed JSON was accepted";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.starts_with("sqlite store: session " + session_id_digest(sid) + " holds malformed JSON: "))
        << message;
    EXPECT_EQ(message.find(sid), std::string::npos) << message;
  }
}

TEST(SqliteStore, TouchMovesOnlyTheExpiryOfALiveRow) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"));
  RawDb raw(dir.file("s.db"));
  run_task(store->set("sid", session_ending_in(1min, 1)));
  const std::string sess = raw.one("SELECT sess FROM sessions WHERE sid = 'sid'");
  const auto later = session_ending_in(2h, 99);
  run_task(store->touch("sid", later));
  // connect-sqlite3's touch: `expired` moves, the stored data (its cookie too) stays.
  EXPECT_EQ(raw.one("SELECT expired, sess FROM sessions WHERE sid = 'sid'"),
            std::to_string(ms_of(*session_expiry(later))) + "|" + sess);
  EXPECT_EQ(views_of(run_task(store->get("sid"))), 1);

  run_task(store->set("old", session_ending_in(-10s)));
  const std::string old_expired = raw.one("SELECT expired FROM sessions WHERE sid = 'old'");
  run_task(store->touch("old", session_ending_in(1h)));
  EXPECT_EQ(raw.one("SELECT expired FROM sessions WHERE sid = 'old'"), old_expired);
  EXPECT_FALSE(run_task(store->get("old")));
}

TEST(SqliteStore, TouchWithoutAnExpiryKeepsTheRowAnotherDay) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"));
  RawDb raw(dir.file("s.db"));
  run_task(store->set("browser", session_with(std::nullopt)));
  raw.exec("UPDATE sessions SET expired = " + std::to_string(ms_of(system_clock::now() + 1min)));
  const auto before = ms_of(system_clock::now());
  run_task(store->touch("browser", session_with(std::nullopt)));
  EXPECT_GE(std::stoll(raw.one("SELECT expired FROM sessions")), before + 86'400'000);
}

TEST(SqliteStore, PrunesExpiredRowsAtStartAndPeriodically) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  RawDb raw(path);
  {
    auto unpruned = stores::sqlite(path, {.prune_interval = 0ms});
    run_task(unpruned->set("old", session_ending_in(-10s)));
    run_task(unpruned->set("live", session_ending_in(1h)));
    std::this_thread::sleep_for(100ms);
  }
  // With pruning off, the expired row is still in the file (only hidden from reads).
  ASSERT_EQ(raw.one("SELECT COUNT(*) FROM sessions"), "2");

  auto pruned = stores::sqlite(path, {.prune_interval = 100ms});
  EXPECT_TRUE(eventually([&] { return raw.one("SELECT COUNT(*) FROM sessions") == "1"; }));
  run_task(pruned->set("old-again", session_ending_in(-10s)));
  EXPECT_TRUE(eventually([&] { return raw.one("SELECT COUNT(*) FROM sessions") == "1"; }));
  EXPECT_EQ(raw.rows("SELECT sid FROM sessions"), std::vector<std::string>{"live"});
}

TEST(SqliteStore, UnusablePathsThrowAtOnceWithAReason) {
  TempDir dir;
  std::ofstream(dir.file("plain.txt")) << "not a database, and long enough for SQLite to read a header from it. "
                                       << std::string(200, '-');
  for (const std::string& path : {std::string("/nonexistent-cortado-dir/s.db"), dir.path(),
                                   dir.file("plain.txt") + "/s.db", dir.file("plain.txt"), std::string(),
                                   std::string(":memory:")}) {
    const std::string error = open_error(path);
    EXPECT_TRUE(error.starts_with("sqlite store: ")) << "'" << path << "': " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  EXPECT_TRUE(open_error(dir.file("s.db"), {.table = "x; DROP TABLE y"}).starts_with("sqlite store: bad table name"));
  EXPECT_EQ(open_error(dir.file("s.db"), {.table = "web_sessions"}), "");
  EXPECT_EQ(RawDb(dir.file("s.db")).one("SELECT name FROM sqlite_master WHERE type = 'table'"), "web_sessions");
}

TEST(SqliteStore, DescribeNamesTheFile) {
  TempDir dir;
  EXPECT_EQ(stores::sqlite(dir.file("s.db"))->describe(), "sqlite:" + dir.file("s.db"));
}

TEST(SqliteStore, AWaitingStatementDoesNotBlockTheCallersThread) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"), {.busy_timeout = 3s});
  RawDb raw(dir.file("s.db"));
  raw.exec("BEGIN IMMEDIATE");  // the store's write now waits for this lock
  boost::asio::io_context ctx;
  store_suite::Failures failures;
  bool ticked = false;
  bool ticked_before_set_returned = false;
  boost::asio::co_spawn(
      ctx,
      [&]() -> Task<> {
        co_await store->set("sid", session_ending_in(1h));
        ticked_before_set_returned = ticked;
      },
      failures.handler());
  // Runs only if the I/O thread is free while the write waits; it then lets the write through.
  boost::asio::co_spawn(
      ctx,
      [&]() -> Task<> {
        co_await sleep_for(100ms);
        ticked = true;
        raw.exec("COMMIT");
      },
      failures.handler());
  ctx.run();
  EXPECT_EQ(failures.text(), "");
  EXPECT_TRUE(ticked_before_set_returned);
  EXPECT_TRUE(run_task(store->get("sid")));
}

TEST(SqliteStore, ALockedFileGivesAOneLineErrorOnTheCallersThread) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"), {.busy_timeout = 100ms});
  RawDb raw(dir.file("s.db"));
  raw.exec("BEGIN IMMEDIATE");
  const auto caller = std::this_thread::get_id();
  const auto [message, same_thread] = run_task([&]() -> Task<std::pair<std::string, bool>> {
    try {
      co_await store->set("sid", session_ending_in(1h));
    } catch (const std::runtime_error& e) {
      co_return std::pair{std::string(e.what()), std::this_thread::get_id() == caller};
    }
    co_return std::pair{std::string("no error"), true};
  }());
  raw.exec("COMMIT");
  EXPECT_EQ(message, "sqlite store: set failed: database is locked");
  EXPECT_TRUE(same_thread);
  // The store is usable again once the lock is gone.
  run_task(store->set("sid", session_ending_in(1h, 4)));
  EXPECT_EQ(views_of(run_task(store->get("sid"))), 4);
}

TEST(SqliteStore, AMissingTableIsReported) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"));
  RawDb(dir.file("s.db")).exec("DROP TABLE sessions");
  try {
    run_task(store->get("sid"));
    ADD_FAILURE() << "get on a dropped table succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "sqlite store: get failed: no such table: sessions");
  }
}

// Coroutines spawned on `ctx`, run while another connection holds the file's write lock at first,
// so that their writes queue up and are committed in batches once it is released.
void run_with_the_file_locked_at_first(boost::asio::io_context& ctx, const std::string& path,
                                       store_suite::Failures& failures) {
  auto lock = std::make_shared<test::SqliteLock>(path, "BEGIN IMMEDIATE");
  boost::asio::co_spawn(
      ctx,
      [lock]() -> Task<> {
        co_await sleep_for(200ms);
        lock->release();
      },
      failures.handler());
  ctx.run();
}

TEST(SqliteStore, ConcurrentWritesFromManyCoroutinesAllLand) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"), {.prune_interval = 0ms});
  constexpr int per_thread = 500;
  store_suite::Failures failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      boost::asio::io_context ctx;
      for (int i = 0; i < per_thread; ++i) {
        boost::asio::co_spawn(
            ctx,
            [&, t, i]() -> Task<> {
              const std::string sid = store_suite::numbered(store_suite::numbered("t", t) + "-", i);
              co_await store->set(sid, session_ending_in(1h, i));
              co_await store->touch(sid, session_ending_in(2h, i));
              if (i % 5 == 0) co_await store->destroy(sid);
            },
            failures.handler());
      }
      ctx.run();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.text(), "");
  RawDb raw(dir.file("s.db"));
  EXPECT_EQ(raw.one("SELECT COUNT(*) FROM sessions"), std::to_string(2 * per_thread * 4 / 5));
  // Every touch landed after its set: each row ends in about two hours, none in one.
  EXPECT_EQ(raw.one("SELECT COUNT(*) FROM sessions WHERE expired < " + std::to_string(ms_of(system_clock::now() + 90min))),
            "0");
  for (int i = 0; i < per_thread; i += 7) {
    EXPECT_EQ(views_of(run_task(store->get("t1-" + std::to_string(i)))), i % 5 == 0 ? -1 : i) << i;
  }
}

// A write that SQLite refuses (a trigger another program put on the table, here) fails its own
// caller only, whether SQLite undoes the statement (ABORT) or the whole transaction (ROLLBACK)
// that the writes queued with it share.
TEST(SqliteStore, ARefusedWriteAmongConcurrentOnesFailsOnlyItsCaller) {
  for (const std::string how : {"ABORT", "ROLLBACK"}) {
    SCOPED_TRACE(how);
    TempDir dir;
    auto store = stores::sqlite(dir.file("s.db"), {.prune_interval = 0ms});
    RawDb(dir.file("s.db")).exec("CREATE TRIGGER refuse BEFORE INSERT ON sessions WHEN NEW.sid = 'refused' "
                                 "BEGIN SELECT RAISE(" + how + ", 'refused by a trigger'); END");
    boost::asio::io_context ctx;
    store_suite::Failures failures;
    constexpr int count = 50;
    for (int i = 0; i < count; ++i) {
      const std::string sid = i == count / 2 ? "refused" : store_suite::numbered("s", i);
      boost::asio::co_spawn(ctx, store->set(sid, session_ending_in(1h, i)), failures.handler());
    }
    run_with_the_file_locked_at_first(ctx, dir.file("s.db"), failures);
    EXPECT_EQ(failures.text(), "sqlite store: set failed: refused by a trigger\n");
    EXPECT_EQ(run_task(store->length()), std::size_t{count - 1});
    EXPECT_FALSE(run_task(store->get("refused")));
  }
}

TEST(SqliteStore, WritesToOneSessionCommitInTheOrderGiven) {
  TempDir dir;
  auto store = stores::sqlite(dir.file("s.db"), {.prune_interval = 0ms});
  boost::asio::io_context ctx;
  store_suite::Failures failures;
  constexpr int ids = 40;
  // Per id, writes from separate coroutines in this order; the last one given decides.
  for (int i = 0; i < ids; ++i) {
    const std::string kept = store_suite::numbered("kept", i);
    const std::string gone = store_suite::numbered("gone", i);
    boost::asio::co_spawn(ctx, store->set(kept, session_ending_in(1h, 1)), failures.handler());
    boost::asio::co_spawn(ctx, store->set(gone, session_ending_in(1h, 1)), failures.handler());
    boost::asio::co_spawn(ctx, store->destroy(kept), failures.handler());
    boost::asio::co_spawn(ctx, store->set(kept, session_ending_in(1h, 2)), failures.handler());
    boost::asio::co_spawn(ctx, store->destroy(gone), failures.handler());
    boost::asio::co_spawn(ctx, store->set(kept, session_ending_in(1h, 3)), failures.handler());
  }
  run_with_the_file_locked_at_first(ctx, dir.file("s.db"), failures);
  EXPECT_EQ(failures.text(), "");
  EXPECT_EQ(run_task(store->length()), std::size_t{ids});
  for (int i = 0; i < ids; ++i) {
    EXPECT_EQ(views_of(run_task(store->get(store_suite::numbered("kept", i)))), 3);
    EXPECT_FALSE(run_task(store->get(store_suite::numbered("gone", i))));
  }
}

TEST(SqliteStore, AcknowledgedWritesSurviveKill9) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  // fork() only: the child must write to this very path. No store is open here, so no thread is forked over.
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_EXIT(
      {
        auto store = stores::sqlite(path);
        run_task(store->set("survivor", session_ending_in(1h, 42)));
        ::kill(::getpid(), SIGKILL);  // no destructor, no checkpoint: only what the WAL holds
      },
      ::testing::KilledBySignal(SIGKILL), "");
  EXPECT_TRUE(fs::exists(path + "-wal"));
  auto reopened = stores::sqlite(path);
  EXPECT_EQ(views_of(run_task(reopened->get("survivor"))), 42);
}

}  // namespace
}  // namespace cortado
