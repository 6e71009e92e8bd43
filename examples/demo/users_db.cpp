#include "users_db.hpp"

#include <cortado/core/off_thread.hpp>
#include "passwords.hpp"

#include <cortado/session/session_id.hpp>

#include <sqlite3.h>

#include <stdexcept>
#include <string_view>

namespace demo {

using cortado::off_thread;
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// One statement: prepared, bound, stepped, finalized. Preparing per call keeps the class
// small; these statements are microseconds next to the disk write they end in.
class Query {
 public:
  template <class... Args>
  Query(sqlite3* db, std::string_view sql, const Args&... args) : db_(db) {
    check(sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr));
    int index = 0;
    (bind(++index, args), ...);
  }
  ~Query() { sqlite3_finalize(stmt_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  /// Steps once: true while there is a row to read.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) check(rc);
    return false;
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }

 private:
  void bind(int index, std::int64_t value) { check(sqlite3_bind_int64(stmt_, index, value)); }
  void bind(int index, const std::string& value) {
    check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  }
  void check(int rc) const {
    if (rc != SQLITE_OK) throw std::runtime_error(std::string("users database: ") + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string reason = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("users database: " + reason);
  }
}

}  // namespace

void UsersDb::Close::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

UsersDb::UsersDb(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK)
    throw std::runtime_error("cannot open users database " + path + ": " + (raw ? sqlite3_errmsg(raw) : "no memory"));
  sqlite3_busy_timeout(raw, 5000);
  exec(raw, R"sql(
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = ON;
    CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL);
    -- The per-user session index of earlier versions: the stores keep it now.
    DROP TABLE IF EXISTS user_sessions;
    CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  )sql");
}

UsersDb::~UsersDb() {
  db_thread_.join();
  hash_thread_.join();
}

std::string UsersDb::session_secret() {
  Query(db_.get(), "INSERT OR IGNORE INTO settings(key, value) VALUES('session_secret', ?)",
        cortado::generate_session_id() + cortado::generate_session_id())
      .step();
  Query read(db_.get(), "SELECT value FROM settings WHERE key = 'session_secret'");
  read.step();
  return read.text(0);
}

cortado::Task<std::optional<User>> UsersDb::create_user(std::string name, std::string password) {
  sqlite3* db = db_.get();
  auto taken = [&] {
    Query q(db, "SELECT 1 FROM users WHERE name = ?", name);
    return q.step();
  };
  // Checked first so that a taken name costs no hashing; the UNIQUE constraint settles races.
  if (co_await off_thread(db_thread_.get_executor(), taken)) co_return std::nullopt;
  auto hash = co_await off_thread(hash_thread_.get_executor(), [&] { return hash_password(password); });
  co_return co_await off_thread(db_thread_.get_executor(), [&]() -> std::optional<User> {
    Query insert(db, "INSERT OR IGNORE INTO users(name, password_hash, created_at) VALUES(?, ?, ?)", name, hash,
                 now_ms());
    insert.step();
    if (sqlite3_changes(db) == 0) return std::nullopt;
    return User{sqlite3_last_insert_rowid(db), name};
  });
}

cortado::Task<std::optional<User>> UsersDb::check_password(std::string name, std::string password) {
  sqlite3* db = db_.get();
  struct Found {
    User user;
    std::string hash;
  };
  auto found = co_await off_thread(db_thread_.get_executor(), [&]() -> std::optional<Found> {
    Query q(db, "SELECT id, name, password_hash FROM users WHERE name = ?", name);
    if (!q.step()) return std::nullopt;
    return Found{{q.integer(0), q.text(1)}, q.text(2)};
  });
  const std::string* hash = found ? &found->hash : nullptr;
  bool ok = co_await off_thread(hash_thread_.get_executor(), [&] { return verify_password(hash, password); });
  if (!ok) co_return std::nullopt;
  co_return found->user;
}

}  // namespace demo
