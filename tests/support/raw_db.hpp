#pragma once
// A second, plain connection to a store's SQLite file, as another program (or Node's
// connect-sqlite3) has: for planting rows and triggers and for reading what the store wrote.

#include <sqlite3.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace cortado::test {

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(message);
    }
  }

  // Each row of the result, its columns as text joined by '|' (NULL for a null).
  std::vector<std::string> rows(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    std::vector<std::string> out;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        if (i > 0) row += '|';
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
        row += text != nullptr ? std::string(text, sqlite3_column_bytes(statement, i)) : "NULL";
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(statement);
    return out;
  }

  std::string one(const std::string& sql) {
    const auto all = rows(sql);
    return all.empty() ? "(none)" : all.front();
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace cortado::test
