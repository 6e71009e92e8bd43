#pragma once
// Another connection to a store's SQLite file holding its write lock, as a second process sharing
// the file does in the middle of a long transaction.

#include <sqlite3.h>

#include <atomic>
#include <stdexcept>
#include <string>

namespace cortado::test {

class SqliteLock {
 public:
  /// `begin` is "BEGIN IMMEDIATE" (writers wait, readers go on) or "BEGIN EXCLUSIVE" (both wait).
  SqliteLock(const std::string& path, const char* begin) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
    exec(begin);
  }
  ~SqliteLock() {
    release();
    sqlite3_close(db_);
  }
  SqliteLock(const SqliteLock&) = delete;
  SqliteLock& operator=(const SqliteLock&) = delete;

  /// Ends the transaction: the store's statements can go on.
  void release() {
    if (held_.exchange(false)) exec("ROLLBACK");
  }

 private:
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
  }
  sqlite3* db_ = nullptr;
  std::atomic<bool> held_{true};
};

}  // namespace cortado::test
