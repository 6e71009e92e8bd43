#pragma once
// UsersDb: the demo's own SQLite file: accounts and the session secret. Separate from the
// session store on purpose: the store may be memory, Redis or PostgreSQL, and the accounts must
// outlive any of them. A user's sessions are not kept here: the login binds the session to the
// user (Session::set_owner) and every store keeps that index itself (see sessions_routes.cpp).

#include <cortado/core/task.hpp>

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace demo {

/// A signed-up account.
struct User {
  std::int64_t id = 0;
  std::string name;
};

/// The accounts database. Statements are tiny (one indexed row or a handful), but SQLite still
/// touches the disk, so each runs on the database's own thread and the handler awaits it;
/// password hashing, the slow part, runs on a second thread.
class UsersDb {
 public:
  /// Opens (creating) the file in WAL mode and creates the tables. Blocking, which is fine before
  /// the server starts.
  explicit UsersDb(const std::string& path);
  ~UsersDb();
  UsersDb(const UsersDb&) = delete;
  UsersDb& operator=(const UsersDb&) = delete;

  /// The session-signing secret kept in the file, made on first use, so that cookies stay
  /// valid across restarts. Blocking; call at start-up.
  std::string session_secret();

  /// Creates the account; nullopt when the name is taken (names compare case-insensitively).
  cortado::Task<std::optional<User>> create_user(std::string name, std::string password);
  /// The account when the password matches; nullopt otherwise (unknown names take as long).
  cortado::Task<std::optional<User>> check_password(std::string name, std::string password);

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  std::unique_ptr<sqlite3, Close> db_;
  // Declared after db_ so that they are joined before it closes. One thread each: the
  // database thread serialises access to the one connection; a single hashing thread keeps
  // argon2id's 64 MiB from being multiplied by a burst of logins.
  boost::asio::thread_pool db_thread_{1};
  boost::asio::thread_pool hash_thread_{1};
};

}  // namespace demo
