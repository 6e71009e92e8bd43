#pragma once
// One SQLite connection with the session statements prepared once, in connect-sqlite3's table.
// Blocking: only the store's worker threads call it, one thread per connection.

#include "sqlite_write.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cortado::stores {

/// A prepared statement kept for the connection's life; reset after every use.
class SqliteStatement {
 public:
  SqliteStatement() = default;
  /// Prepares `sql` on `db` as a long-lived statement; throws naming `what` on failure.
  SqliteStatement(sqlite3* db, const std::string& sql, const char* what);
  /// Finalizes the statement.
  ~SqliteStatement();
  /// Takes the statement over; `other` is left empty.
  SqliteStatement(SqliteStatement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)), what_(other.what_) {}
  /// Finalizes this statement and takes `other`'s.
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;

  /// The raw statement, for binding and reading columns.
  sqlite3_stmt* get() const { return stmt_; }
  /// What the statement does, for error messages ("get", "set", ...).
  const char* what() const { return what_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  const char* what_ = "";
};

/// What a checkpoint did: the WAL's length and how much of it is now in the database, in pages.
struct SqliteCheckpoint {
  /// SQLite's reason when it failed, else "".
  std::string error;
  /// -1 when unknown (another checkpoint was running).
  int wal_pages = -1;
  int copied_pages = -1;
};

/// How a connection is set up; SqliteOptions minus what only the store needs.
struct SqliteConnectionOptions {
  /// The table, already checked to be a plain identifier.
  std::string table;
  /// How long a statement waits for another connection's lock.
  std::chrono::milliseconds busy_timeout;
};

/// A connection in WAL mode with synchronous=NORMAL, the table created if missing and every
/// statement prepared. Not thread-safe: one thread uses it at a time.
class SqliteConnection {
 public:
  /// Opens `path` for reading and writing (creating it), or throws std::runtime_error at once.
  SqliteConnection(const std::string& path, const SqliteConnectionOptions& options);
  /// Finalizes the statements, then closes the connection.
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  /// The stored JSON text of a session that has not expired at `now_ms`.
  std::optional<std::string> get(const std::string& sid, std::int64_t now_ms);
  /// INSERT OR REPLACE of the row.
  void set(const std::string& sid, std::int64_t expired_ms, const std::string& sess);
  /// Moves a live session's expiry; an absent or expired one stays as it is.
  void touch(const std::string& sid, std::int64_t expired_ms, std::int64_t now_ms);
  /// Deletes the row.
  void destroy(const std::string& sid);
  /// Every live session's id and JSON text.
  std::vector<std::pair<std::string, std::string>> all(std::int64_t now_ms);
  /// How many live sessions there are.
  std::size_t length(std::int64_t now_ms);
  /// Deletes every row.
  void clear();
  /// Binds a stored session to `owner` in the side table `<table>_owners` (nothing when it is not stored).
  void set_owner(const std::string& sid, const std::string& owner);
  /// The owner of a live session.
  std::optional<std::string> owner_of(const std::string& sid, std::int64_t now_ms);
  /// The live sessions bound to `owner`: id and JSON text.
  std::vector<std::pair<std::string, std::string>> sessions_of(const std::string& owner, std::int64_t now_ms);
  /// Deletes the sessions bound to `owner` (but `except`) and their bindings.
  void destroy_owned(const std::string& owner, const std::string& except);
  /// Deletes the rows that expired before `now_ms` (and the bindings of sessions no longer stored)
  /// and says how many sessions went.
  std::size_t prune(std::int64_t now_ms);

  /// Runs one queued write by its kind (touch and prune compare expiries with `now_ms`); throws
  /// "sqlite store: <kind> failed: <SQLite's reason>".
  void apply(const SqliteWrite& write, std::int64_t now_ms);

  /// BEGIN IMMEDIATE: takes the file's write lock at once (waiting up to busy_timeout for another
  /// writer), so that no statement of the transaction can find it taken. Returns SQLite's reason
  /// when it could not, "" when the transaction is open.
  [[nodiscard]] std::string begin();
  /// BEGIN (deferred): a read transaction, whose snapshot of the database begins at its first
  /// SELECT and holds until commit(). SQLite's reason when it could not begin, else "".
  [[nodiscard]] std::string begin_read();
  /// COMMIT; SQLite's reason when it failed, "" once the transaction's writes are in the WAL.
  [[nodiscard]] std::string commit();
  /// Ends the open transaction without its writes; nothing when none is open.
  void rollback() noexcept;
  /// True while a transaction is open; false again once SQLite has rolled one back by itself,
  /// which some errors (a full disk, an I/O error) do.
  bool in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

  /// Replaces SQLite's automatic checkpoint (which runs inside the COMMIT that grows the WAL past
  /// 1000 pages, fsyncs included) with `listener`, called after each commit of this connection
  /// with the WAL's length in pages, on this connection's thread, so that the caller decides
  /// where and when to checkpoint.
  void on_commit(std::function<void(int wal_pages)> listener);
  /// A PASSIVE checkpoint: copies what it can of the WAL into the database without waiting for
  /// any lock nor holding up a writer of any connection (another checkpoint running makes it
  /// return at once, wal_pages -1).
  SqliteCheckpoint checkpoint() noexcept;
  /// Flushes the database file's written pages to the disk (fdatasync). A checkpoint during
  /// which the WAL grew leaves them unflushed (SQLite flushes only in one that copies the whole
  /// WAL), so the one that finally does would have them all to flush at once.
  [[nodiscard]] std::string sync_database() noexcept;

 private:
  struct CloseDb {
    void operator()(sqlite3* db) const;
  };

  void exec(const char* sql, const std::string& what);
  // Steps a statement that returns no rows, then resets it.
  void run(SqliteStatement& statement);
  // Steps a statement that returns no rows, then resets it; SQLite's reason when it failed, else "".
  std::string try_run(SqliteStatement& statement);
  [[noreturn]] void fail(const std::string& what) const;
  static int wal_hook(void* self, sqlite3* db, const char* schema, int wal_pages);

  // First member, so destroyed last: after every statement, also when the constructor throws.
  std::unique_ptr<sqlite3, CloseDb> db_;
  SqliteStatement get_;
  SqliteStatement set_;
  SqliteStatement touch_;
  SqliteStatement destroy_;
  SqliteStatement all_;
  SqliteStatement length_;
  SqliteStatement clear_;
  SqliteStatement prune_;
  // The owner index: a side table, since connect-sqlite3's INSERT OR REPLACE would reset a column.
  SqliteStatement destroy_binding_;
  SqliteStatement clear_bindings_;
  SqliteStatement prune_bindings_;
  SqliteStatement set_owner_;
  SqliteStatement owner_of_;
  SqliteStatement sessions_of_;
  SqliteStatement destroy_owned_;
  SqliteStatement destroy_owned_bindings_;
  SqliteStatement begin_;
  SqliteStatement begin_read_;
  SqliteStatement commit_;
  SqliteStatement rollback_;
  std::function<void(int)> on_commit_;
};

}  // namespace cortado::stores
