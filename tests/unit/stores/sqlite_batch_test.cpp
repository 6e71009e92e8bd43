// commit_batch: one transaction for a batch of writes, and each write's own outcome when
// something fails (a statement, the whole transaction, the lock, the commit).
#include "stores/sqlite_batch.hpp"

#include "support/raw_db.hpp"
#include "support/sqlite_lock.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

namespace cortado::stores {
namespace {

using namespace std::chrono_literals;
using test::RawDb;
using test::TempDir;

constexpr std::int64_t now = 1'000'000;
constexpr std::int64_t later = 2'000'000;

SqliteWrite set(std::string sid, std::string sess) {
  return {.kind = SqliteWriteKind::set, .sid = std::move(sid), .expired_ms = later, .sess = std::move(sess)};
}

SqliteWrite destroy(std::string sid) { return {.kind = SqliteWriteKind::destroy, .sid = std::move(sid)}; }

// A batch as the writer hands it over: entries, and pointers to them.
class Batch {
 public:
  Batch(std::initializer_list<SqliteWrite> writes) {
    for (const SqliteWrite& write : writes) entries_.push_back({.write = write, .caller = nullptr, .error = nullptr});
    for (SqliteBatchEntry& entry : entries_) pointers_.push_back(&entry);
  }
  void commit(SqliteConnection& connection) { commit_batch(connection, pointers_, now); }

  // What each write was told: "" once committed, else its error's text.
  std::vector<std::string> outcomes() const {
    std::vector<std::string> out;
    for (const SqliteBatchEntry& entry : entries_) {
      if (!entry.error) {
        out.emplace_back();
        continue;
      }
      try {
        std::rethrow_exception(entry.error);
      } catch (const std::exception& e) {
        out.emplace_back(e.what());
      }
    }
    return out;
  }

 private:
  std::vector<SqliteBatchEntry> entries_;
  std::vector<SqliteBatchEntry*> pointers_;
};

class SqliteBatchTest : public ::testing::Test {
 protected:
  std::string rows() {
    std::string out;
    for (const std::string& row : raw_.rows("SELECT sid, sess FROM sessions ORDER BY sid")) out += row + " ";
    return out;
  }

  TempDir dir_;
  const std::string path_ = dir_.file("s.db");
  SqliteConnection connection_{path_, {.table = "sessions", .busy_timeout = 100ms}};
  RawDb raw_{path_};
};

TEST_F(SqliteBatchTest, WritesApplyInTheOrderGiven) {
  Batch batch{set("a", "1"), set("b", "2"), set("a", "3"), destroy("b"), set("c", "4"), destroy("c"), set("c", "5")};
  batch.commit(connection_);
  EXPECT_EQ(batch.outcomes(), std::vector<std::string>(7));
  EXPECT_EQ(rows(), "a|3 c|5 ");
  EXPECT_FALSE(connection_.in_transaction());
}

// SQLite undoes only the failing statement (a trigger's RAISE(ABORT) here, as a constraint would):
// the writes around it commit.
TEST_F(SqliteBatchTest, AFailingStatementFailsOnlyItsOwnWrite) {
  raw_.exec("CREATE TRIGGER refuse BEFORE INSERT ON sessions WHEN NEW.sid = 'bad' "
            "BEGIN SELECT RAISE(ABORT, 'bad refused'); END");
  Batch batch{set("a", "1"), set("bad", "2"), set("b", "3")};
  batch.commit(connection_);
  EXPECT_EQ(batch.outcomes(), (std::vector<std::string>{"", "sqlite store: set failed: bad refused", ""}));
  EXPECT_EQ(rows(), "a|1 b|3 ");
}

// RAISE(ROLLBACK) ends the whole transaction, as a full disk may: the writes that had run are
// gone with it, so every write is run again in a transaction of its own.
TEST_F(SqliteBatchTest, AFailureThatEndsTheTransactionRunsEachWriteAgainOnItsOwn) {
  raw_.exec("CREATE TRIGGER refuse BEFORE INSERT ON sessions WHEN NEW.sid = 'bad' "
            "BEGIN SELECT RAISE(ROLLBACK, 'bad rolled back'); END");
  Batch batch{set("a", "1"), set("bad", "2"), set("b", "3")};
  batch.commit(connection_);
  EXPECT_EQ(batch.outcomes(), (std::vector<std::string>{"", "sqlite store: set failed: bad rolled back", ""}));
  EXPECT_EQ(rows(), "a|1 b|3 ");
  EXPECT_FALSE(connection_.in_transaction());
}

TEST_F(SqliteBatchTest, ALockedFileFailsEveryWriteWithTheReason) {
  test::SqliteLock lock(path_, "BEGIN IMMEDIATE");
  Batch batch{set("a", "1"), destroy("b")};
  batch.commit(connection_);
  EXPECT_EQ(batch.outcomes(), (std::vector<std::string>{"sqlite store: set failed: database is locked",
                                                        "sqlite store: destroy failed: database is locked"}));
  lock.release();
  EXPECT_EQ(rows(), "");
  EXPECT_FALSE(connection_.in_transaction());
}

// Writes to any file past `bytes` fail with EFBIG while this lives, as they would on a full
// disk; SIGXFSZ, which would end the process, is ignored meanwhile.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limited{.rlim_cur = bytes, .rlim_max = old_.rlim_max};
    setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  void (*old_handler_)(int) = SIG_DFL;
};

// The statements only change pages in memory; COMMIT writes them to the WAL, which cannot grow.
TEST_F(SqliteBatchTest, AFailedCommitFailsEveryWriteOfTheBatchAndKeepsNone) {
  Batch first{set("kept", "0"), set("also-kept", "0")};
  first.commit(connection_);
  const std::string sess(2000, 'x');
  Batch batch{set("a", sess), set("b", sess), destroy("kept")};
  {
    FileSizeLimit limit(std::filesystem::file_size(path_ + "-wal"));
    batch.commit(connection_);
  }
  const auto outcomes = batch.outcomes();
  ASSERT_EQ(outcomes.size(), 3u);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const std::string kind = i < 2 ? "set" : "destroy";
    EXPECT_TRUE(outcomes[i].starts_with("sqlite store: " + kind + " failed at commit: ")) << outcomes[i];
    EXPECT_EQ(outcomes[i].find('\n'), std::string::npos) << outcomes[i];
  }
  EXPECT_FALSE(connection_.in_transaction());
  EXPECT_EQ(rows(), "also-kept|0 kept|0 ");
  // Room again: the next batch commits.
  Batch again{set("a", "1"), destroy("kept")};
  again.commit(connection_);
  EXPECT_EQ(again.outcomes(), std::vector<std::string>(2));
  EXPECT_EQ(rows(), "a|1 also-kept|0 ");
}

}  // namespace
}  // namespace cortado::stores
