// SqliteWriter: writes that queue up while one transaction runs share the next ones, at most
// batch_limit each, in the order given, and each caller resumes only after its write committed.
#include "stores/sqlite_writer.hpp"

#include "support/raw_db.hpp"
#include "support/sqlite_lock.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace cortado::stores {
namespace {

using namespace std::chrono_literals;
using test::RawDb;
using test::TempDir;

std::string numbered(std::string_view prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

SqliteWrite set(std::string sid, std::string sess) {
  return {.kind = SqliteWriteKind::set, .sid = std::move(sid), .expired_ms = 4'000'000'000'000, .sess = std::move(sess)};
}

// Writes spawned on one event loop while another connection holds the file's write lock, so that
// they all queue up behind the first batch (which waits for the lock), then the lock released.
class SqliteWriterTest : public ::testing::Test {
 protected:
  // Spawns `write()` as a coroutine; what it throws goes to errors_.
  template <class Write>
  void spawn(Write write) {
    boost::asio::co_spawn(ctx_, std::move(write), [this](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        errors_ += std::string(e.what()) + "\n";
      }
    });
  }

  // Runs what was spawned; the lock goes once every write has had the time to queue.
  void run_with_the_file_locked_at_first() {
    spawn([this]() -> Task<> {
      co_await sleep_for(200ms);
      lock_->release();
    });
    ctx_.run();
  }

  TempDir dir_;
  const std::string path_ = dir_.file("s.db");
  SqliteWriter writer_{path_, {.table = "sessions", .busy_timeout = 5s}, /*batch_limit=*/16};
  RawDb raw_{path_};
  std::optional<test::SqliteLock> lock_{std::in_place, path_, "BEGIN IMMEDIATE"};
  boost::asio::io_context ctx_;
  std::string errors_;
};

TEST_F(SqliteWriterTest, WritesQueuedMeanwhileShareTransactionsOfAtMostTheLimit) {
  constexpr int count = 100;
  int committed_when_resumed = 0;
  for (int i = 0; i < count; ++i) {
    spawn([&, i]() -> Task<> {
      SqliteWrite write = set(numbered("s", i), std::to_string(i));
      co_await writer_.write(std::move(write));
      // Another connection sees the row already: the caller resumed after the commit.
      if (raw_.one("SELECT sess FROM sessions WHERE sid = '" + numbered("s", i) + "'") == std::to_string(i)) {
        ++committed_when_resumed;
      }
    });
  }
  run_with_the_file_locked_at_first();
  EXPECT_EQ(errors_, "");
  EXPECT_EQ(committed_when_resumed, count);
  EXPECT_EQ(raw_.one("SELECT COUNT(*) FROM sessions"), std::to_string(count));
  // The first batch took what had queued when it started (1 to 16 writes), then 16 at a time:
  // 7 or 8 transactions, not one per write, and none over the limit.
  EXPECT_GE(writer_.batches(), 7u);
  EXPECT_LE(writer_.batches(), 8u);
}

TEST_F(SqliteWriterTest, WritesToOneSessionCommitInTheOrderGiven) {
  // Per id, four writes from four coroutines, spawned in this order; the batches cut through them.
  constexpr int ids = 30;
  for (int i = 0; i < ids; ++i) {
    const std::string sid = numbered("s", i);
    for (const char* step : {"set 1", "destroy", "set 2", "set 3"}) {
      spawn([&, sid, step = std::string(step)]() -> Task<> {
        SqliteWrite write = step == "destroy" ? SqliteWrite{.kind = SqliteWriteKind::destroy, .sid = sid}
                                              : set(sid, step.substr(4));
        co_await writer_.write(std::move(write));
      });
    }
    const std::string gone = numbered("gone", i);
    for (const char* step : {"set 1", "destroy"}) {
      spawn([&, gone, step = std::string(step)]() -> Task<> {
        SqliteWrite write = step == "destroy" ? SqliteWrite{.kind = SqliteWriteKind::destroy, .sid = gone}
                                              : set(gone, step.substr(4));
        co_await writer_.write(std::move(write));
      });
    }
  }
  run_with_the_file_locked_at_first();
  EXPECT_EQ(errors_, "");
  EXPECT_EQ(raw_.one("SELECT COUNT(*) FROM sessions WHERE sess = '3'"), std::to_string(ids));
  EXPECT_EQ(raw_.one("SELECT COUNT(*) FROM sessions"), std::to_string(ids));
  EXPECT_GT(writer_.batches(), 2u) << "the writes must span several batches";
}

TEST_F(SqliteWriterTest, CallersResumeOnTheirOwnThreadWithTheirOwnOutcome) {
  lock_->release();
  raw_.exec("CREATE TRIGGER refuse BEFORE INSERT ON sessions WHEN NEW.sid = 'bad' "
            "BEGIN SELECT RAISE(ABORT, 'bad refused'); END");
  lock_.emplace(path_, "BEGIN IMMEDIATE");
  const auto thread = std::this_thread::get_id();
  std::vector<std::string> outcomes(3, "not resumed");
  const std::vector<std::string> sids{"a", "bad", "b"};
  for (std::size_t i = 0; i < sids.size(); ++i) {
    spawn([&, i]() -> Task<> {
      SqliteWrite write = set(sids[i], "1");
      try {
        co_await writer_.write(std::move(write));
        outcomes[i] = "";
      } catch (const std::exception& e) {
        outcomes[i] = e.what();
      }
      if (std::this_thread::get_id() != thread) outcomes[i] += " (on another thread)";
    });
  }
  run_with_the_file_locked_at_first();
  EXPECT_EQ(errors_, "");
  EXPECT_EQ(outcomes, (std::vector<std::string>{"", "sqlite store: set failed: bad refused", ""}));
}

// The pruner's thread runs no event loop: it blocks until its write has committed.
TEST_F(SqliteWriterTest, WriteAndWaitBlocksUntilCommitted) {
  lock_->release();
  writer_.write_and_wait(set("a", "1"));
  EXPECT_EQ(raw_.one("SELECT sess FROM sessions"), "1");
  raw_.exec("UPDATE sessions SET expired = 5");
  writer_.write_and_wait({.kind = SqliteWriteKind::prune});
  EXPECT_EQ(raw_.one("SELECT COUNT(*) FROM sessions"), "0");
  SqliteWriter impatient(path_, {.table = "sessions", .busy_timeout = 50ms});
  lock_.emplace(path_, "BEGIN IMMEDIATE");
  try {
    impatient.write_and_wait(set("b", "2"));
    ADD_FAILURE() << "a write through a locked file succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "sqlite store: set failed: database is locked");
  }
}

// The WAL is copied into the database by the checkpointing thread, not in the writer's commits,
// and still starts again from its beginning (its file stays small) under writes that never stop.
TEST_F(SqliteWriterTest, TheCheckpointingThreadKeepsTheWalSmallUnderEndlessWrites) {
  lock_->release();
  // Each commit adds at least one page to the WAL: without the WAL starting again, it would end
  // with at least `commits` pages.
  constexpr int commits = 2 * SqliteWriter::restart_pages;
  spawn([this]() -> Task<> {
    for (int i = 0; i < commits; ++i) {
      SqliteWrite write = set(numbered("s", i), std::string(100, 'x'));
      co_await writer_.write(std::move(write));
    }
  });
  ctx_.run();
  EXPECT_EQ(errors_, "");
  EXPECT_EQ(raw_.one("SELECT COUNT(*) FROM sessions"), std::to_string(commits));
  // Posted once the WAL passed checkpoint_pages, long before the last commit.
  EXPECT_GE(writer_.checkpoints(), 1u);
  constexpr std::uintmax_t frame_bytes = 24 + 4096;  // a WAL frame's header and page (the default size)
  const std::uintmax_t wal_bytes = std::filesystem::file_size(path_ + "-wal");
  // restart_pages and the pages of the few commits (one or two pages each) until the WAL starts again.
  EXPECT_LE(wal_bytes, 32 + frame_bytes * (SqliteWriter::restart_pages + 16)) << "the WAL did not start again";
  // The rows were copied into the database file itself.
  EXPECT_GT(std::filesystem::file_size(path_), 100u * commits);
}

}  // namespace
}  // namespace cortado::stores
