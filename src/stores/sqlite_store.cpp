// SqliteStore: connect-sqlite3's rules over a few worker threads, each with its own connection.
#include "cortado/stores/sqlite.hpp"

#include "cortado/core/clock.hpp"
#include "cortado/core/off_thread.hpp"
#include "cortado/session/session_id.hpp"
#include "session/pruner.hpp"
#include "sqlite_connection.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <stdexcept>
#include <thread>

namespace cortado::stores {
namespace {

// connect-sqlite3 keeps a session whose cookie has no expiry (a browser-session cookie) one day.
constexpr std::int64_t one_day_ms = 86'400'000;

// connect-sqlite3 writes `now + cookie.maxAge`, and express-session's maxAge is `expires - now`.
std::int64_t expired_ms(const json::object& session) {
  if (const auto expiry = session_expiry(session)) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(expiry->time_since_epoch()).count();
  }
  return date_now() + one_day_ms;
}

// The table name is spliced into SQL, so only a plain identifier gets there.
bool plain_identifier(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// One thread with its own connection. Only that thread touches the connection, so it needs no lock.
class SqliteWorker {
 public:
  SqliteWorker(const std::string& path, const SqliteConnectionOptions& options)
      : connection_(path, options),
        work_(boost::asio::make_work_guard(context_)),
        thread_([this] { context_.run(); }) {}

  ~SqliteWorker() {
    // Without the guard, run() returns as soon as the statements already queued have run.
    work_.reset();
    thread_.join();
  }
  SqliteWorker(const SqliteWorker&) = delete;
  SqliteWorker& operator=(const SqliteWorker&) = delete;

  boost::asio::io_context::executor_type executor() { return context_.get_executor(); }
  SqliteConnection& connection() { return connection_; }

  // One pruning round, for the pruner's thread: the DELETE runs on this worker's thread, in turn
  // with the statements queued before it, and the caller waits for it (and gets what it threw).
  void prune_and_wait() {
    std::promise<void> done;
    std::future<void> result = done.get_future();
    boost::asio::post(context_, [this, &done] {
      try {
        connection_.prune(date_now());
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
    result.get();
  }

 private:
  SqliteConnection connection_;
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;  // last: started once everything it uses exists
};

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
    const std::size_t threads = std::max<std::size_t>(options.threads, 1);
    workers_.reserve(threads);
    // Opened here, on the caller's thread, so that an unusable file throws from stores::sqlite().
    for (std::size_t i = 0; i < threads; ++i) {
      workers_.push_back(std::make_unique<SqliteWorker>(path_, connection_options));
    }
    // Once now, as connect-sqlite3 does when it connects, then every prune_interval (zero: never),
    // always on the first worker, the only thread that may use its connection. A busy or failing
    // file skips one round (reported on stderr); expired rows are invisible to reads meanwhile.
    pruner_ = std::make_unique<detail::Pruner>(
        options.prune_interval, [worker = workers_.front().get()](std::stop_token) { worker->prune_and_wait(); },
        detail::PrunerOptions{.at_start = true});
  }

  // The pruner stops first (it is declared last), so its round never waits on a worker that is gone.
  ~SqliteStore() override = default;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Task<std::optional<json::object>> get(std::string sid) override {
    SqliteWorker& worker = worker_for(sid);
    std::optional<std::string> text =
        co_await off_thread(worker.executor(), [&] { return worker.connection().get(sid, date_now()); });
    if (!text) co_return std::nullopt;
    // Parsed here rather than on the worker: the few workers serve every I/O thread.
    json::value parsed;
    try {
      parsed = parse_stored_session(*text);
    } catch (const std::exception& e) {
      throw std::runtime_error("sqlite store: session " + session_id_digest(sid) +
                               " holds malformed JSON: " + e.what());
    }
    if (!parsed.is_object()) co_return std::nullopt;
    co_return std::move(parsed.get_object());
  }

  Task<> set(std::string sid, json::object session) override {
    const std::int64_t expired = expired_ms(session);
    const std::string text = stringify(json::value(std::move(session)));
    SqliteWorker& worker = worker_for(sid);
    co_await off_thread(worker.executor(), [&] { worker.connection().set(sid, expired, text); });
  }

  Task<> destroy(std::string sid) override {
    SqliteWorker& worker = worker_for(sid);
    co_await off_thread(worker.executor(), [&] { worker.connection().destroy(sid); });
  }

  // connect-sqlite3 moves `expired` only and leaves the stored data, cookie included, as it was:
  // the next save writes the cookie. Unlike connect-sqlite3, a cookie without expiry extends the
  // row by a day from now (the rule set() follows), so an active browser session is not dropped.
  Task<> touch(std::string sid, json::object session) override {
    const std::int64_t expired = expired_ms(session);
    SqliteWorker& worker = worker_for(sid);
    co_await off_thread(worker.executor(), [&] { worker.connection().touch(sid, expired, date_now()); });
  }

  Task<std::vector<std::pair<std::string, json::object>>> all() override {
    SqliteWorker& worker = any_worker();
    auto rows = co_await off_thread(worker.executor(), [&] { return worker.connection().all(date_now()); });
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
    SqliteWorker& worker = any_worker();
    co_return co_await off_thread(worker.executor(), [&] { return worker.connection().length(date_now()); });
  }

  Task<> clear() override {
    SqliteWorker& worker = any_worker();
    co_await off_thread(worker.executor(), [&] { worker.connection().clear(); });
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  // One session's statements always go to the same worker, so they run in the order they were
  // issued even when several coroutines work on it at once.
  SqliteWorker& worker_for(const std::string& sid) {
    return *workers_[std::hash<std::string>{}(sid) % workers_.size()];
  }

  SqliteWorker& any_worker() { return *workers_[next_.fetch_add(1, std::memory_order_relaxed) % workers_.size()]; }

  std::string path_;
  std::vector<std::unique_ptr<SqliteWorker>> workers_;
  std::atomic<std::size_t> next_{0};
  std::unique_ptr<detail::Pruner> pruner_;  // last: stopped and joined before the workers go
};

}  // namespace

std::shared_ptr<Store> sqlite(std::string path, SqliteOptions options) {
  return std::make_shared<SqliteStore>(std::move(path), std::move(options));
}

}  // namespace cortado::stores
