// SqliteConnection: connect-sqlite3's statements over one connection, prepared once.
#include "sqlite_connection.hpp"

#include "sqlite_frame_vfs.hpp"

#include <stdexcept>

namespace cortado::stores {
namespace {

[[noreturn]] void throw_sqlite(const std::string& what, const char* message) {
  throw std::runtime_error("sqlite store: " + what + ": " + message);
}

void bind_text(sqlite3_stmt* statement, int index, const std::string& text) {
  // SQLITE_STATIC: the caller's string outlives the step, and the bindings are cleared after it.
  sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

std::string column_text(sqlite3_stmt* statement, int index) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)));
}

// Leaves the statement ready for its next use whichever way the step ended; the bindings are
// cleared too so that no pointer into a caller's string is kept.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* statement) : statement_(statement) {}
  ~ResetOnExit() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* statement_;
};

}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, const std::string& sql, const char* what) : what_(what) {
  // PERSISTENT: these statements live as long as the connection, which tells SQLite to allocate accordingly.
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
    throw_sqlite(std::string("cannot prepare ") + what, sqlite3_errmsg(db));
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    what_ = other.what_;
  }
  return *this;
}

SqliteConnection::SqliteConnection(const std::string& path, const SqliteConnectionOptions& options) {
  // NOMUTEX: a connection never is used by two threads at once, so SQLite's own locking is wasted.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  sqlite3* db = nullptr;
  // The frame-joining VFS writes SQLite's own files, one system call per WAL frame (sqlite_frame_vfs.hpp).
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, sqlite_frame_vfs_name());
  db_.reset(db);
  if (rc != SQLITE_OK) {
    throw_sqlite("cannot open '" + path + "'", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  }
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  // SQLite quietly falls back to read-only when the file is write-protected; a store that
  // could not save sessions must fail now, not at the first request.
  if (sqlite3_db_readonly(db, "main") == 1) throw_sqlite("cannot open '" + path + "' for writing", "read-only file");

  // WAL lets readers and one writer (of any process) work at once; with synchronous=NORMAL a
  // committed write is in the WAL file before the call returns, so it survives a crash of
  // this process (not a power cut, which would need FULL and an fsync per write).
  {
    SqliteStatement wal(db, "PRAGMA journal_mode=WAL", "switch to WAL mode");
    ResetOnExit reset(wal.get());
    if (sqlite3_step(wal.get()) != SQLITE_ROW) fail("cannot switch '" + path + "' to WAL mode");
    const std::string mode = column_text(wal.get(), 0);
    if (mode != "wal") throw_sqlite("cannot switch '" + path + "' to WAL mode", ("journal_mode is " + mode).c_str());
  }
  exec("PRAGMA synchronous=NORMAL", "set synchronous=NORMAL");

  const std::string table = '"' + options.table + '"';
  // connect-sqlite3's table exactly: untyped columns, `expired` in epoch milliseconds.
  exec(("CREATE TABLE IF NOT EXISTS " + table + " (sid PRIMARY KEY, expired, sess)").c_str(),
       ("create table " + table + " in '" + path + "'").c_str());
  // The owner index beside it, unknown to connect-sqlite3 (which never reads other tables).
  const std::string owners = '"' + options.table + "_owners\"";
  exec(("CREATE TABLE IF NOT EXISTS " + owners + " (sid TEXT PRIMARY KEY, owner TEXT NOT NULL)").c_str(),
       ("create table " + owners + " in '" + path + "'").c_str());
  exec(("CREATE INDEX IF NOT EXISTS \"" + options.table + "_owners_owner\" ON " + owners + " (owner)").c_str(),
       ("index " + owners + " in '" + path + "'").c_str());
  // The table may have existed already, so nothing may have been written yet: take the write
  // lock once so that a file this process cannot write is reported here.
  exec("BEGIN IMMEDIATE; COMMIT", ("write to '" + path + "'").c_str());

  get_ = SqliteStatement(db, "SELECT sess FROM " + table + " WHERE sid = ?1 AND ?2 <= expired", "get");
  set_ = SqliteStatement(db, "INSERT OR REPLACE INTO " + table + " (sid, expired, sess) VALUES (?1, ?2, ?3)", "set");
  touch_ = SqliteStatement(db, "UPDATE " + table + " SET expired = ?2 WHERE sid = ?1 AND ?3 <= expired", "touch");
  destroy_ = SqliteStatement(db, "DELETE FROM " + table + " WHERE sid = ?1", "destroy");
  all_ = SqliteStatement(db, "SELECT sid, sess FROM " + table + " WHERE ?1 <= expired", "all");
  length_ = SqliteStatement(db, "SELECT COUNT(*) FROM " + table + " WHERE ?1 <= expired", "length");
  clear_ = SqliteStatement(db, "DELETE FROM " + table, "clear");
  prune_ = SqliteStatement(db, "DELETE FROM " + table + " WHERE ?1 > expired", "prune");
  destroy_binding_ = SqliteStatement(db, "DELETE FROM " + owners + " WHERE sid = ?1", "destroy");
  clear_bindings_ = SqliteStatement(db, "DELETE FROM " + owners, "clear");
  prune_bindings_ = SqliteStatement(db, "DELETE FROM " + owners + " WHERE sid NOT IN (SELECT sid FROM " + table + ")", "prune");
  set_owner_ = SqliteStatement(db, "INSERT OR REPLACE INTO " + owners + " (sid, owner) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM " +
                                       table + " WHERE sid = ?1)", "set_owner");
  owner_of_ = SqliteStatement(db, "SELECT o.owner FROM " + owners + " o JOIN " + table +
                                      " t ON t.sid = o.sid WHERE o.sid = ?1 AND ?2 <= t.expired", "owner_of");
  sessions_of_ = SqliteStatement(db, "SELECT t.sid, t.sess FROM " + owners + " o JOIN " + table +
                                         " t ON t.sid = o.sid WHERE o.owner = ?1 AND ?2 <= t.expired", "sessions_of");
  destroy_owned_ = SqliteStatement(db, "DELETE FROM " + table + " WHERE sid IN (SELECT sid FROM " + owners +
                                           " WHERE owner = ?1 AND sid <> ?2)", "destroy_all");
  destroy_owned_bindings_ = SqliteStatement(db, "DELETE FROM " + owners + " WHERE owner = ?1 AND sid <> ?2", "destroy_all");
  begin_ = SqliteStatement(db, "BEGIN IMMEDIATE", "begin");
  begin_read_ = SqliteStatement(db, "BEGIN", "begin_read");
  commit_ = SqliteStatement(db, "COMMIT", "commit");
  rollback_ = SqliteStatement(db, "ROLLBACK", "rollback");
}

SqliteConnection::~SqliteConnection() = default;

void SqliteConnection::CloseDb::operator()(sqlite3* db) const {
  // close_v2 waits for any statement still alive; the members holding them go first anyway.
  sqlite3_close_v2(db);
}

void SqliteConnection::exec(const char* sql, const std::string& what) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message != nullptr ? message : sqlite3_errmsg(db_.get());
    sqlite3_free(message);
    throw_sqlite("cannot " + what, reason.c_str());
  }
}

void SqliteConnection::fail(const std::string& what) const { throw_sqlite(what, sqlite3_errmsg(db_.get())); }

void SqliteConnection::run(SqliteStatement& statement) {
  ResetOnExit reset(statement.get());
  if (sqlite3_step(statement.get()) != SQLITE_DONE) fail(std::string(statement.what()) + " failed");
}

std::string SqliteConnection::try_run(SqliteStatement& statement) {
  ResetOnExit reset(statement.get());
  if (sqlite3_step(statement.get()) == SQLITE_DONE) return {};
  return sqlite3_errmsg(db_.get());
}

std::optional<std::string> SqliteConnection::get(const std::string& sid, std::int64_t now_ms) {
  sqlite3_stmt* s = get_.get();
  ResetOnExit reset(s);
  bind_text(s, 1, sid);
  sqlite3_bind_int64(s, 2, now_ms);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) fail("get failed");
  return column_text(s, 0);
}

void SqliteConnection::set(const std::string& sid, std::int64_t expired_ms, const std::string& sess) {
  bind_text(set_.get(), 1, sid);
  sqlite3_bind_int64(set_.get(), 2, expired_ms);
  bind_text(set_.get(), 3, sess);
  run(set_);
}

void SqliteConnection::touch(const std::string& sid, std::int64_t expired_ms, std::int64_t now_ms) {
  bind_text(touch_.get(), 1, sid);
  sqlite3_bind_int64(touch_.get(), 2, expired_ms);
  sqlite3_bind_int64(touch_.get(), 3, now_ms);
  run(touch_);
}

void SqliteConnection::destroy(const std::string& sid) {
  bind_text(destroy_.get(), 1, sid);
  run(destroy_);
  bind_text(destroy_binding_.get(), 1, sid);
  run(destroy_binding_);
}

void SqliteConnection::set_owner(const std::string& sid, const std::string& owner) {
  bind_text(set_owner_.get(), 1, sid);
  bind_text(set_owner_.get(), 2, owner);
  run(set_owner_);
}

std::optional<std::string> SqliteConnection::owner_of(const std::string& sid, std::int64_t now_ms) {
  sqlite3_stmt* s = owner_of_.get();
  ResetOnExit reset(s);
  bind_text(s, 1, sid);
  sqlite3_bind_int64(s, 2, now_ms);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) fail("owner_of failed");
  return column_text(s, 0);
}

std::vector<std::pair<std::string, std::string>> SqliteConnection::sessions_of(const std::string& owner, std::int64_t now_ms) {
  sqlite3_stmt* s = sessions_of_.get();
  ResetOnExit reset(s);
  bind_text(s, 1, owner);
  sqlite3_bind_int64(s, 2, now_ms);
  std::vector<std::pair<std::string, std::string>> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) rows.emplace_back(column_text(s, 0), column_text(s, 1));
  if (rc != SQLITE_DONE) fail("sessions_of failed");
  return rows;
}

void SqliteConnection::destroy_owned(const std::string& owner, const std::string& except) {
  for (SqliteStatement* statement : {&destroy_owned_, &destroy_owned_bindings_}) {
    bind_text(statement->get(), 1, owner);
    bind_text(statement->get(), 2, except);
    run(*statement);
  }
}

std::vector<std::pair<std::string, std::string>> SqliteConnection::all(std::int64_t now_ms) {
  sqlite3_stmt* s = all_.get();
  ResetOnExit reset(s);
  sqlite3_bind_int64(s, 1, now_ms);
  std::vector<std::pair<std::string, std::string>> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) rows.emplace_back(column_text(s, 0), column_text(s, 1));
  if (rc != SQLITE_DONE) fail("all failed");
  return rows;
}

std::size_t SqliteConnection::length(std::int64_t now_ms) {
  sqlite3_stmt* s = length_.get();
  ResetOnExit reset(s);
  sqlite3_bind_int64(s, 1, now_ms);
  if (sqlite3_step(s) != SQLITE_ROW) fail("length failed");
  return static_cast<std::size_t>(sqlite3_column_int64(s, 0));
}

void SqliteConnection::clear() {
  run(clear_);
  run(clear_bindings_);
}

std::size_t SqliteConnection::prune(std::int64_t now_ms) {
  sqlite3_bind_int64(prune_.get(), 1, now_ms);
  run(prune_);
  const auto pruned = static_cast<std::size_t>(sqlite3_changes64(db_.get()));
  // Bindings of sessions gone by expiry here, or deleted by a process that does not keep them (Node).
  run(prune_bindings_);
  return pruned;
}

void SqliteConnection::apply(const SqliteWrite& write, std::int64_t now_ms) {
  switch (write.kind) {
    case SqliteWriteKind::set: return set(write.sid, write.expired_ms, write.sess);
    case SqliteWriteKind::touch: return touch(write.sid, write.expired_ms, now_ms);
    case SqliteWriteKind::destroy: return destroy(write.sid);
    case SqliteWriteKind::clear: return clear();
    case SqliteWriteKind::prune: prune(now_ms); return;
    case SqliteWriteKind::set_owner: return set_owner(write.sid, write.owner);
    case SqliteWriteKind::destroy_owned: return destroy_owned(write.owner, write.sid);
  }
}

void SqliteConnection::on_commit(std::function<void(int)> listener) {
  on_commit_ = std::move(listener);
  // Replaces the automatic checkpoint's own hook (sqlite3_wal_autocheckpoint sets this hook too).
  sqlite3_wal_hook(db_.get(), &SqliteConnection::wal_hook, this);
}

int SqliteConnection::wal_hook(void* self, sqlite3*, const char*, int wal_pages) {
  // Nothing may leave through SQLite's C frames; a checkpoint not started now is started after a later commit.
  try {
    static_cast<SqliteConnection*>(self)->on_commit_(wal_pages);
  } catch (...) {
  }
  return SQLITE_OK;
}

SqliteCheckpoint SqliteConnection::checkpoint() noexcept {
  SqliteCheckpoint done;
  const int rc = sqlite3_wal_checkpoint_v2(db_.get(), "main", SQLITE_CHECKPOINT_PASSIVE, &done.wal_pages, &done.copied_pages);
  // BUSY: another connection is checkpointing; what is left goes at a later round.
  if (rc == SQLITE_BUSY) return SqliteCheckpoint{};
  if (rc != SQLITE_OK) done.error = sqlite3_errmsg(db_.get());
  return done;
}

std::string SqliteConnection::sync_database() noexcept {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == nullptr ||
      file->pMethods == nullptr) {
    return "no database file";
  }
  // Through the VFS, as SQLite syncs after a checkpoint (synchronous=NORMAL: no F_FULLFSYNC).
  const int rc = file->pMethods->xSync(file, SQLITE_SYNC_NORMAL);
  return rc == SQLITE_OK ? std::string() : std::string(sqlite3_errstr(rc));
}

std::string SqliteConnection::begin() { return try_run(begin_); }

std::string SqliteConnection::begin_read() { return try_run(begin_read_); }

std::string SqliteConnection::commit() { return try_run(commit_); }

void SqliteConnection::rollback() noexcept {
  if (!in_transaction()) return;
  // Nothing to report: the callers already have the error that led here.
  ResetOnExit reset(rollback_.get());
  sqlite3_step(rollback_.get());
}

}  // namespace cortado::stores
