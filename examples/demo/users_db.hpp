#pragma once
// UsersDb: the demo's own SQLite file: accounts, the per-user index of logged-in sessions, and
// the session secret. Separate from the session store on purpose: the store may be memory,
// Redis or PostgreSQL, and the accounts must outlive any of them.
//
// "Your sessions" without scanning the store: a session becomes a user's at exactly one place,
// the login (or sign-up) handler, so the app writes a user_sessions row there (user id, session
// id, User-Agent, created, last seen) and deletes it where the session stops being the user's
// (logout, "log out", "log out everywhere else"). Listing a user's sessions is then an indexed
// query on user_id, whatever the store holds, instead of Store::all() over every visitor's
// session, which costs O(all sessions) and which Redis and PostgreSQL stores pay in full. The
// index lives in the app rather than in the stores because the Store interface is
// express-session's (Node apps share the very same stores and would not maintain a store-side
// index), and only the app knows what a "user" is.
//
// The index is also what decides whether a login is still valid: every request of a logged-in
// session updates its row's last_seen, and finding no row means the session was logged out from
// elsewhere (a request in flight at that moment may have saved it back into the store).
// Rows can outlive their session (it expired, or a memory store restarted): listing checks each
// sid with one Store::get and drops the stale rows, and start-up drops rows idle longer than
// the cookie's lifetime.

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

/// One row of the per-user session index.
struct SessionRow {
  std::int64_t id = 0;  // what the page's "log out" form names; the sid never leaves the server
  std::string sid;
  std::string user_agent;
  std::int64_t created_ms = 0;
  std::int64_t last_seen_ms = 0;
};

/// The accounts database. Statements are tiny (one indexed row or a handful), but SQLite still
/// touches the disk, so each runs on the database's own thread and the handler awaits it;
/// password hashing, the slow part, runs on a second thread.
class UsersDb {
 public:
  /// Opens (creating) the file in WAL mode, creates the tables, and forgets index rows idle for
  /// longer than `session_lifetime`. Blocking, which is fine before the server starts.
  UsersDb(const std::string& path, std::chrono::milliseconds session_lifetime);
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

  /// Indexes a session that has just become `user_id`'s.
  cortado::Task<> add_session(std::int64_t user_id, std::string sid, std::string user_agent);
  /// Marks the session as seen now; false when it is no longer indexed (logged out elsewhere).
  cortado::Task<bool> touch_session(std::int64_t user_id, std::string sid);
  /// The user's indexed sessions, most recently seen first.
  cortado::Task<std::vector<SessionRow>> sessions_of(std::int64_t user_id);
  /// Removes one of the user's rows and says which session it named (nullopt: not the user's).
  cortado::Task<std::optional<std::string>> remove_session(std::int64_t user_id, std::int64_t row_id);
  /// Removes the row of `sid`, if any.
  cortado::Task<> forget_session(std::string sid);
  /// Removes every row of the user except `keep_sid`'s and returns their session ids.
  cortado::Task<std::vector<std::string>> remove_other_sessions(std::int64_t user_id, std::string keep_sid);

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
