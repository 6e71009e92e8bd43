// SqliteStore: connect-sqlite3's rules over a few threads, each with its own connection: one
// writes (SqliteWriter, which commits the writes of concurrent requests together), the others read.
#include "cortado/stores/sqlite.hpp"

#include "cortado/core/clock.hpp"
#include "cortado/core/off_thread.hpp"
#include "cortado/session/session_id.hpp"
#include "session/pruner.hpp"
#include "sqlite_reader.hpp"
#include "sqlite_writer.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace cortado::stores {
namespace {

// connect-sqlite3 keeps a session whose cookie has no expiry (a browser-session cookie) one day.
constexpr std::int64_t one_day_ms = 86'400'000;

// connect-sqlite3 writes `now + cookie.maxAge`, and express-session's maxAge is `expires - now`.
std::int64_t expired_ms(std::optional<std::chrono::system_clock::time_point> expiry) {
  if (expiry) return date_value(*expiry);
  return date_now() + one_day_ms;
}
std::int64_t expired_ms(const json::object& session) { return expired_ms(session_expiry(session)); }

// The table name is spliced into SQL, so only a plain identifier gets there.
bool plain_identifier(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, SqliteOptions options) : path_(std::move(path)) {
    if (path_.empty() || path_ == ":memory:" || path_.starts_with("file::memory:")) {
      // Every connection would get its own empty database.
      throw std::runtime_error("sqlite store: '" + path_ + "' is not a file (use the memory store instead)");
    }
    if (!plain_identifier(options.table)) {
      throw std::runtime_error("sqlite store: bad table name '" + options.table + "' (letters, digits and _ only)");
    }
    const SqliteConnectionOptions connection_options{
        .table = options.table, .busy_timeout = std::max(options.busy_timeout, std::chrono::milliseconds::zero())};
    // Opened here, on the caller's thread, so that an unusable file throws from stores::sqlite().
    writer_ = std::make_unique<SqliteWriter>(path_, connection_options);
    // WAL lets these read while the writer writes; with one thread, the writer's reads too.
    const std::size_t threads = std::max<std::size_t>(options.threads, 1);
    readers_.reserve(threads - 1);
    for (std::size_t i = 1; i < threads; ++i) {
      readers_.push_back(std::make_unique<SqliteReader>(path_, connection_options));
    }
    // Once now, as connect-sqlite3 does when it connects, then every prune_interval (zero: never).
    // The DELETE is a write like the others, queued to the writer. A busy or failing file skips
    // one round (reported on stderr); expired rows are invisible to reads meanwhile.
    pruner_ = std::make_unique<detail::Pruner>(
        options.prune_interval,
        [writer = writer_.get()](std::stop_token) { writer->write_and_wait({.kind = SqliteWriteKind::prune}); },
        detail::PrunerOptions{.at_start = true});
  }

  // The pruner stops first (it is declared last), so its round never waits on a worker that is gone.
  ~SqliteStore() override = default;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Task<std::optional<json::object>> get(std::string sid) override { return get_into(std::move(sid), {}); }

  Task<std::optional<json::object>> get_into(std::string sid, json::storage_ptr storage) override {
    std::optional<std::string> text = co_await read_text(sid);
    if (!text) co_return std::nullopt;
    // Parsed here rather than on the reader: the few readers serve every I/O thread.
    // Emplaced, not assigned: assigning a value made on other memory would copy it.
    std::optional<json::value> parsed;
    try {
      parsed.emplace(parse_stored_session(*text, std::move(storage)));
    } catch (const std::exception& e) {
      throw malformed(sid, e);
    }
    if (!parsed->is_object()) co_return std::nullopt;
    co_return std::move(parsed->get_object());
  }

  // get_into()'s text, read with read_stored_session(): every load of the session middleware.
  Task<std::optional<StoredSession>> load(std::string sid, json::storage_ptr storage) override {
    std::optional<std::string> text = co_await read_text(sid);
    if (!text) co_return std::nullopt;
    try {
      co_return read_stored_session(*text, std::move(storage));
    } catch (const std::exception& e) {
      throw malformed(sid, e);
    }
  }

  Task<> set(std::string sid, json::object session) override {
    const std::int64_t expired = expired_ms(session);
    return set_row(std::move(sid), stringify(json::value(std::move(session))), expired);
  }

  bool takes_text() const override { return true; }

  Task<> set_text(std::string sid, std::string text, std::optional<std::chrono::system_clock::time_point> expires) override {
    return set_row(std::move(sid), std::move(text), expired_ms(expires));
  }

  Task<> destroy(std::string sid) override {
    SqliteWrite write{.kind = SqliteWriteKind::destroy, .sid = std::move(sid)};
    co_await writer_->write(std::move(write));
  }

  bool touch_reads_cookie_only() const override { return true; }  // its expiry

  // connect-sqlite3 moves `expired` only and leaves the stored data, cookie included, as it was:
  // the next save writes the cookie. Unlike connect-sqlite3, a cookie without expiry extends the
  // row by a day from now (the rule set() follows), so an active browser session is not dropped.
  // A plain function: touch_until's coroutine is the one frame.
  Task<> touch(std::string sid, json::object session) override {
    return touch_until(std::move(sid), session_expiry(session));
  }

  bool touches_by_expiry() const override { return true; }

  Task<> touch_until(std::string sid, std::optional<std::chrono::system_clock::time_point> expires) override {
    SqliteWrite write{.kind = SqliteWriteKind::touch, .sid = std::move(sid), .expired_ms = expired_ms(expires)};
    co_await writer_->write(std::move(write));
  }

  Task<std::vector<std::pair<std::string, json::object>>> all() override {
    auto rows = co_await read_fresh([](SqliteConnection& connection) { return connection.all(date_now()); });
    std::vector<std::pair<std::string, json::object>> sessions;
    sessions.reserve(rows.size());
    for (auto& [sid, text] : rows) {
      // One unreadable row (written by some other program) must not hide every other session.
      try {
        json::value parsed = parse_stored_session(text);
        if (parsed.is_object()) sessions.emplace_back(std::move(sid), std::move(parsed.get_object()));
      } catch (const std::exception&) {
      }
    }
    co_return sessions;
  }

  Task<std::size_t> length() override {
    co_return co_await read_fresh([](SqliteConnection& connection) { return connection.length(date_now()); });
  }

  Task<> clear() override {
    SqliteWrite write{.kind = SqliteWriteKind::clear};
    co_await writer_->write(std::move(write));
  }

  Task<> set_owner(std::string sid, std::string owner, json::object) override {
    SqliteWrite write{.kind = SqliteWriteKind::set_owner, .sid = std::move(sid), .owner = std::move(owner)};
    co_await writer_->write(std::move(write));
  }

  Task<std::optional<std::string>> owner_of(std::string sid) override {
    co_return co_await read_fresh([&sid](SqliteConnection& connection) { return connection.owner_of(sid, date_now()); });
  }

  Task<std::vector<std::pair<std::string, json::object>>> sessions_of(std::string owner) override {
    auto rows = co_await read_fresh(
        [&owner](SqliteConnection& connection) { return connection.sessions_of(owner, date_now()); });
    std::vector<std::pair<std::string, json::object>> sessions;
    sessions.reserve(rows.size());
    for (auto& [sid, text] : rows) {
      try {
        json::value parsed = parse_stored_session(text);
        if (parsed.is_object()) sessions.emplace_back(std::move(sid), std::move(parsed.get_object()));
      } catch (const std::exception&) {
      }
    }
    co_return sessions;
  }

  Task<std::size_t> destroy_all(std::string owner, std::optional<std::string> except_sid) override {
    auto rows = co_await read_fresh(
        [&owner](SqliteConnection& connection) { return connection.sessions_of(owner, date_now()); });
    std::size_t live = 0;
    for (const auto& row : rows)
      if (!except_sid || row.first != *except_sid) ++live;
    // An empty id is never a session's (the middleware refuses one), so "" keeps none.
    SqliteWrite write{.kind = SqliteWriteKind::destroy_owned, .sid = except_sid.value_or(""), .owner = std::move(owner)};
    co_await writer_->write(std::move(write));
    co_return live;
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  // Reads need no order among themselves: a write's caller resumes only once it has committed,
  // and a read started after that sees it whichever connection makes it.
  SqliteReader& next_reader() { return *readers_[next_.fetch_add(1, std::memory_order_relaxed) % readers_.size()]; }

  // `read` run with a connection that sees the latest: a reader's (with no transaction of earlier
  // reads open), or the writer's when there is no reader.
  template <class Read>
  Task<std::decay_t<std::invoke_result_t<Read&, SqliteConnection&>>> read_fresh(Read read) {
    if (readers_.empty()) {
      SqliteWorker& writer = writer_->worker();
      return off_thread(writer.executor(), [&writer, read] { return read(writer.connection()); });
    }
    SqliteReader& reader = next_reader();
    return off_thread(reader.executor(), [&reader, read] { return read(reader.fresh_connection()); });
  }

  Task<> set_row(std::string sid, std::string text, std::int64_t expired) {
    // Named, not a temporary in the co_await: GCC 12 mishandles temporaries with destructors there.
    SqliteWrite write{.kind = SqliteWriteKind::set, .sid = std::move(sid), .expired_ms = expired, .sess = std::move(text)};
    co_await writer_->write(std::move(write));
  }

  // The stored text of a live session, read on a reader thread (with the reads queued with it,
  // SqliteReader); `sid` must outlive the wait.
  Task<std::optional<std::string>> read_text(const std::string& sid) {
    if (readers_.empty()) return read_fresh([&sid](SqliteConnection& connection) { return connection.get(sid, date_now()); });
    SqliteReader& reader = next_reader();
    const std::uint64_t ticket = reader.queue();
    return off_thread(reader.executor(), [&reader, &sid, ticket] { return reader.get(sid, date_now(), ticket); });
  }

  static std::runtime_error malformed(const std::string& sid, const std::exception& e) {
    return std::runtime_error("sqlite store: session " + session_id_digest(sid) + " holds malformed JSON: " + e.what());
  }

  std::string path_;
  std::unique_ptr<SqliteWriter> writer_;
  std::vector<std::unique_ptr<SqliteReader>> readers_;
  std::atomic<std::size_t> next_{0};
  std::unique_ptr<detail::Pruner> pruner_;  // last: stopped and joined before the writer goes
};

}  // namespace

std::shared_ptr<Store> sqlite(std::string path, SqliteOptions options) {
  return std::make_shared<SqliteStore>(std::move(path), std::move(options));
}

}  // namespace cortado::stores
