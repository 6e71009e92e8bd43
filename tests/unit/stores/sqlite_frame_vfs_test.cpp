// The frame-joining VFS: one write system call per WAL frame, and a WAL that SQLite's own VFS
// recovers whole, also after a commit that rewrote frames in place.
#include "stores/sqlite_connection.hpp"
#include "stores/sqlite_frame_vfs.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

namespace cortado::stores {
namespace {

// How many write system calls this thread has made (the kernel's task I/O accounting).
std::optional<long> thread_write_calls() {
  std::ifstream io("/proc/thread-self/io");
  std::string key;
  long value = 0;
  while (io >> key >> value) {
    if (key == "syscw:") return value;
  }
  return std::nullopt;
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

Db open(const std::string& path, const char* vfs) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  Db owned(db);
  if (rc != SQLITE_OK) ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errstr(rc);
  return owned;
}

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << (message != nullptr ? message : "?");
  }
  sqlite3_free(message);
}

std::string text_of(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  std::string text;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW) {
    const auto* column = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    if (column != nullptr) text = column;
  }
  sqlite3_finalize(statement);
  return text;
}

// connect-sqlite3's table in a new file through the frame-joining VFS, in WAL mode, with no
// automatic checkpoint (so that the WAL holds every commit) and `setting` applied first.
Db open_sessions_table(const std::string& path, const std::string& setting = "PRAGMA cache_size=-2000") {
  Db db = open(path, sqlite_frame_vfs_name());
  if (!db) return db;
  exec(db.get(), "PRAGMA journal_mode=WAL");
  exec(db.get(), "PRAGMA wal_autocheckpoint=0");
  exec(db.get(), setting);
  exec(db.get(), "CREATE TABLE sessions (sid PRIMARY KEY, expired, sess)");
  return db;
}

// What a crash would leave: the database and its WAL as they are now, without the WAL index, so
// that whoever opens the copy rebuilds the index from the WAL and checks every frame's checksum.
std::string copy_as_after_a_crash(const std::string& path, const std::string& into) {
  const std::string copy = into + "/copy.db";
  std::filesystem::copy_file(path, copy);
  std::filesystem::copy_file(path + "-wal", copy + "-wal");
  return copy;
}

TEST(SqliteFrameVfs, IsRegisteredOverTheUnixVfs) {
  const char* name = sqlite_frame_vfs_name();
  ASSERT_NE(name, nullptr) << "the default VFS of Debian's SQLite is \"unix\"";
  EXPECT_EQ(name, sqlite_frame_vfs_name()) << "registered once";
  EXPECT_NE(sqlite3_vfs_find(name), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(name)) << "SQLite's default is left as it was";
}

TEST(SqliteFrameVfs, TheStoreWritesEachWalFrameWithOneSystemCall) {
  if (!thread_write_calls()) GTEST_SKIP() << "no task I/O accounting in /proc/thread-self/io";
  const test::TempDir dir;
  SqliteConnection connection(dir.path() + "/sessions.db", SqliteConnectionOptions{.table = "sessions", .busy_timeout = {}});
  int wal_pages = 0;
  connection.on_commit([&wal_pages](int pages) { wal_pages = pages; });
  connection.set("first", 1, "{}");
  const int pages_before = wal_pages;

  const long calls_before = *thread_write_calls();
  ASSERT_EQ(connection.begin(), "");
  // Sessions of a kilobyte each: a few per page, so the commit writes some 30 frames.
  for (int i = 0; i < 100; ++i) connection.set("sid-" + std::to_string(i * 7919 % 1000), 1, std::string(1000, 'x'));
  ASSERT_EQ(connection.commit(), "");
  const long calls = *thread_write_calls() - calls_before;
  const int frames = wal_pages - pages_before;

  ASSERT_GE(frames, 20);
  EXPECT_GE(calls, frames);
  // SQLite's own VFS makes two per frame (header, then page).
  EXPECT_LE(calls, frames + 2) << frames << " frames";
}

TEST(SqliteFrameVfs, LeavesAWalThatSqliteItselfRecoversWhole) {
  const test::TempDir dir;
  const std::string path = dir.path() + "/sessions.db";
  const Db db = open_sessions_table(path);
  ASSERT_TRUE(db);
  for (int round = 0; round < 20; ++round) {
    exec(db.get(), "BEGIN");
    for (int i = 0; i < 50; ++i) {
      exec(db.get(), "INSERT OR REPLACE INTO sessions VALUES ('s" + std::to_string(i * 31 % 997) + "', " +
                         std::to_string(round) + ", printf('%.*c', 900, 'a'))");
    }
    exec(db.get(), "COMMIT");
  }

  const Db recovered = open(copy_as_after_a_crash(path, dir.path()), nullptr);
  ASSERT_TRUE(recovered);
  EXPECT_EQ(text_of(recovered.get(), "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(text_of(recovered.get(), "SELECT COUNT(*) || ' ' || SUM(expired) || ' ' || SUM(length(sess)) FROM sessions"),
            "50 950 45000")
      << "every session of the last commit, as written";
}

// A transaction larger than the page cache writes frames before its commit; pages it changes
// again are overwritten in place, and the commit rewrites their headers' checksums alone.
TEST(SqliteFrameVfs, KeepsTheHeadersACommitRewritesInPlace) {
  const test::TempDir dir;
  const std::string path = dir.path() + "/sessions.db";
  const Db db = open_sessions_table(path, "PRAGMA cache_size=10");
  ASSERT_TRUE(db);
  exec(db.get(), "BEGIN");
  for (int pass = 1; pass <= 3; ++pass) {
    for (int i = 0; i < 200; ++i) {
      exec(db.get(), "INSERT OR REPLACE INTO sessions VALUES ('s" + std::to_string(i) + "', " + std::to_string(pass) +
                         ", printf('%.*c', 700, 'b'))");
    }
  }
  exec(db.get(), "COMMIT");

  const Db recovered = open(copy_as_after_a_crash(path, dir.path()), nullptr);
  ASSERT_TRUE(recovered);
  EXPECT_EQ(text_of(recovered.get(), "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(text_of(recovered.get(), "SELECT COUNT(*) || ' ' || SUM(expired) FROM sessions"), "200 600");
}

}  // namespace
}  // namespace cortado::stores
