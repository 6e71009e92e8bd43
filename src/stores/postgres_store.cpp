// PostgresStore: connect-pg-simple 10's table and SQL over one asynchronous libpq connection
// per io_context, plus its pruning, each round run on a small event loop of the store's own.
#include "cortado/stores/postgres.hpp"

#include "cortado/core/clock.hpp"
#include "connection_registry.hpp"
#include "postgres_connection.hpp"
#include "postgres_subscriber.hpp"
#include "session/pruner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>

namespace cortado::stores {
namespace {

std::atomic<std::uint64_t> next_store_id{1};

// Math.ceil(ms / 1000) for either sign.
std::int64_t ceil_seconds(std::int64_t ms) { return ms >= 0 ? (ms + 999) / 1000 : -(-ms / 1000); }

// A statement's parameters. (GCC 12 rejects a braced list of strings inside a co_await expression.)
template <class... Args>
std::vector<std::string> params(Args&&... args) {
  std::vector<std::string> out;
  out.reserve(sizeof...(args));
  (out.emplace_back(std::forward<Args>(args)), ...);
  return out;
}

// connect-pg-simple's currentTimestamp(), the `to_timestamp($n)` that every comparison uses.
std::string now_seconds() { return std::to_string(ceil_seconds(date_now())); }

// connect-pg-simple's #getExpireTime: cookie.expires rounded up to the second, else now + (ttl || one day).
std::int64_t expire_seconds(std::optional<std::chrono::system_clock::time_point> expiry, std::chrono::seconds ttl) {
  if (expiry) {
    return ceil_seconds(date_value(*expiry));
  }
  return ceil_seconds(date_now()) + (ttl > std::chrono::seconds::zero() ? ttl.count() : 86400);
}
std::int64_t expire_seconds(const json::object& session, std::chrono::seconds ttl) {
  return expire_seconds(session_expiry(session), ttl);
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// nullopt for anything hex_encode did not write (another program's NOTIFY on the channel).
std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  const auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = value(hex[i]);
    const int low = value(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// connect-pg-simple's escapePgIdentifier and quotedTable(): always quoted, quotes doubled.
std::string quote_identifier(std::string_view name) { return '"' + replace_all(std::string(name), "\"", "\"\"") + '"'; }

std::string quoted_table(const PostgresOptions& options) {
  const std::string table = quote_identifier(options.table.empty() ? "session" : options.table);
  return options.schema.empty() ? table : quote_identifier(options.schema) + "." + table;
}

// connect-pg-simple's table.sql. Like it, only `"session"` is replaced by the quoted table: the
// constraint and the index keep their names whatever the table is called.
constexpr std::string_view table_sql = R"(CREATE TABLE "session" (
  "sid" varchar NOT NULL COLLATE "default",
  "sess" json NOT NULL,
  "expire" timestamp(6) NOT NULL
)
WITH (OIDS=FALSE);

ALTER TABLE "session" ADD CONSTRAINT "session_pkey" PRIMARY KEY ("sid") NOT DEFERRABLE INITIALLY IMMEDIATE;

CREATE INDEX "IDX_session_expire" ON "session" ("expire");
)";

bool table_exists(PGconn* conn, const std::string& table) {
  const char* values[] = {table.c_str()};
  const PgResult result(PQexecParams(conn, "SELECT to_regclass($1::text)", 1, nullptr, values, nullptr, nullptr, 0));
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    throw std::runtime_error("postgres store: cannot look for table " + table + ": " +
                             (result ? pg_result_error(result.get()) : pg_first_line(PQerrorMessage(conn))));
  }
  return PQgetisnull(result.get(), 0, 0) == 0;
}

// Blocking, on the thread that calls stores::postgres(); connect-pg-simple does it before its first statement.
void ensure_table(PGconn* conn, const std::string& table, bool create) {
  if (table_exists(conn, table)) return;
  if (!create) {
    throw std::runtime_error("postgres store: table " + table +
                             " does not exist (create it with connect-pg-simple's table.sql, or set create_table_if_missing)");
  }
  // One simple-protocol string: its statements run as one transaction, so no half-made table is left.
  const PgResult result(PQexec(conn, replace_all(std::string(table_sql), "\"session\"", table).c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && !table_exists(conn, table)) {  // another process may have won
    throw std::runtime_error("postgres store: cannot create table " + table + ": " +
                             (result ? pg_result_error(result.get()) : pg_first_line(PQerrorMessage(conn))));
  }
}

// The owner index: a side table whose rows go with their session (ON DELETE CASCADE), whoever
// deletes it: connect-pg-simple's destroy and prune too. connect-pg-simple never reads it.
std::string owners_table(const PostgresOptions& options) {
  const std::string table = quote_identifier((options.table.empty() ? "session" : options.table) + "_owners");
  return options.schema.empty() ? table : quote_identifier(options.schema) + "." + table;
}

// Creates the side table when missing; says why it could not ("" once it exists).
std::string ensure_owners_table(PGconn* conn, const PostgresOptions& options, const std::string& table) {
  const std::string owners = owners_table(options);
  if (table_exists(conn, owners)) return {};
  const std::string index = quote_identifier((options.table.empty() ? "session" : options.table) + "_owners_owner");
  const std::string sql = "CREATE TABLE IF NOT EXISTS " + owners + " (sid varchar PRIMARY KEY REFERENCES " + table +
                          " (sid) ON DELETE CASCADE, owner text NOT NULL); CREATE INDEX IF NOT EXISTS " + index +
                          " ON " + owners + " (owner);";
  const PgResult result(PQexec(conn, sql.c_str()));
  if (PQresultStatus(result.get()) == PGRES_COMMAND_OK || table_exists(conn, owners)) return {};
  return "cannot create table " + owners + ": " +
         (result ? pg_result_error(result.get()) : pg_first_line(PQerrorMessage(conn)));
}

// A row connect-pg-simple cannot JSON.parse is deleted on get; all() skips it.
std::optional<json::object> parse_session(const PGresult* result, int row, int column, json::storage_ptr storage = {}) {
  try {
    json::value value = parse_stored_session(std::string_view(PQgetvalue(result, row, column),
                                                    static_cast<std::size_t>(PQgetlength(result, row, column))),
                                             std::move(storage));
    if (value.is_object()) return std::move(value.get_object());
  } catch (const std::invalid_argument&) {
  }
  return std::nullopt;
}

// parse_session() for the session middleware (Store::load): the same rows kept, the same deleted.
std::optional<StoredSession> read_session(const PGresult* result, int row, int column, json::storage_ptr storage) {
  try {
    return read_stored_session(std::string_view(PQgetvalue(result, row, column),
                                                static_cast<std::size_t>(PQgetlength(result, row, column))),
                               std::move(storage));
  } catch (const std::invalid_argument&) {
  }
  return std::nullopt;
}

// The statements, verbatim connect-pg-simple's where it has one.
struct Statements {
  Statements(const std::string& t, const std::string& o)
      : get("SELECT sess FROM " + t + " WHERE sid = $1 AND expire >= to_timestamp($2)"),
        set("INSERT INTO " + t +
            " (sess, expire, sid) SELECT $1, to_timestamp($2), $3 ON CONFLICT (sid) DO UPDATE SET sess=$1, "
            "expire=to_timestamp($2) RETURNING sid"),
        destroy("DELETE FROM " + t + " WHERE sid = $1"),
        touch("UPDATE " + t + " SET expire = to_timestamp($1) WHERE sid = $2 RETURNING sid"),
        all("SELECT sid, sess FROM " + t + " WHERE expire >= to_timestamp($1)"),
        length("SELECT count(*) FROM " + t + " WHERE expire >= to_timestamp($1)"),
        clear("DELETE FROM " + t),
        prune("DELETE FROM " + t + " WHERE expire < to_timestamp($1)"),
        set_owner("INSERT INTO " + o + " (sid, owner) SELECT $1::varchar, $2::text WHERE EXISTS (SELECT 1 FROM " + t +
                  " WHERE sid = $1::varchar) ON CONFLICT (sid) DO UPDATE SET owner = $2::text"),
        owner_of("SELECT o.owner FROM " + o + " o JOIN " + t + " s ON s.sid = o.sid WHERE o.sid = $1 AND s.expire >= to_timestamp($2)"),
        sessions_of("SELECT s.sid, s.sess FROM " + o + " o JOIN " + t +
                    " s ON s.sid = o.sid WHERE o.owner = $1 AND s.expire >= to_timestamp($2)"),
        destroy_all("WITH gone AS (DELETE FROM " + t + " WHERE sid IN (SELECT sid FROM " + o +
                    " WHERE owner = $1 AND sid <> $2) RETURNING expire) SELECT count(*) FROM gone WHERE expire >= to_timestamp($3)") {}

  std::string get, set, destroy, touch, all, length, clear, prune;
  std::string set_owner, owner_of, sessions_of, destroy_all;  // the owner index's
};

class PostgresStore final : public Store, public std::enable_shared_from_this<PostgresStore> {
 public:
  PostgresStore(std::shared_ptr<const PgSettings> settings, PostgresOptions options, const std::string& table,
                std::string description, std::string owners_error)
      : settings_(std::move(settings)),
        options_(std::move(options)),
        statements_(table, owners_table(options_)),
        description_(std::move(description)),
        owners_error_(std::move(owners_error)) {}

  // The pruner goes first (it is declared last): its stop interrupts even a statement in flight
  // (prune_once stops the loop), and the loop's destruction then frees that coroutine and the connection.
  ~PostgresStore() override = default;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // Events go over LISTEN/NOTIFY on a channel named after the table: pg_notify on the store's
  // connections, LISTEN on one connection of its own per process. A payload must be text under
  // 8000 bytes, so the event goes hex-encoded: a broadcast message of more than about 3.9 KB fails
  // (the send throws PostgreSQL's "payload string too long").
  bool shares_events() const override { return true; }

  Task<> publish(std::string message) override {
    co_await run("publish", "SELECT pg_notify($1, $2)", params(events_channel(), hex_encode(message)));
  }

  void subscribe(std::function<void(std::string)> on_message) override {
    std::lock_guard lock(subscriber_mutex_);
    if (subscriber_) throw std::logic_error(describe() + ": subscribe() called twice");
    subscriber_ = std::make_unique<PgSubscriber>(settings_, events_channel(),
                                                 [on_message = std::move(on_message)](std::string payload) {
                                                   if (auto text = hex_decode(payload)) on_message(std::move(*text));
                                                 });
  }

  Task<std::optional<json::object>> get(std::string sid) override { return get_into(std::move(sid), {}); }

  Task<std::optional<json::object>> get_into(std::string sid, json::storage_ptr storage) override {
    const PgResult result = co_await run("get", statements_.get, params(sid, now_seconds()));
    if (PQntuples(result.get()) == 0) co_return std::nullopt;
    std::optional<json::object> session = parse_session(result.get(), 0, 0, std::move(storage));
    if (!session) co_await destroy(std::move(sid));
    co_return session;
  }

  // get_into()'s row, read with read_stored_session(): every load of the session middleware.
  Task<std::optional<StoredSession>> load(std::string sid, json::storage_ptr storage) override {
    const PgResult result = co_await run("get", statements_.get, params(sid, now_seconds()));
    if (PQntuples(result.get()) == 0) co_return std::nullopt;
    std::optional<StoredSession> session = read_session(result.get(), 0, 0, std::move(storage));
    if (!session) co_await destroy(std::move(sid));
    co_return session;
  }

  Task<> set(std::string sid, json::object session) override {
    const std::int64_t expire = expire_seconds(session, options_.ttl);
    return set_row(std::move(sid), stringify(json::value(std::move(session))), expire);
  }

  bool takes_text() const override { return true; }

  Task<> set_text(std::string sid, std::string text, std::optional<std::chrono::system_clock::time_point> expires) override {
    return set_row(std::move(sid), std::move(text), expire_seconds(expires, options_.ttl));
  }

  Task<> set_row(std::string sid, std::string text, std::int64_t expire) {
    co_await run("set", statements_.set, params(std::move(text), std::to_string(expire), std::move(sid)));
  }

  Task<> destroy(std::string sid) override { co_await run("destroy", statements_.destroy, params(std::move(sid))); }

  bool touch_reads_cookie_only() const override { return true; }  // its expiry

  // Moves the row's expiry only, as connect-pg-simple does: the stored JSON keeps the cookie of its last save.
  // A plain function: touch_until's coroutine is the one frame.
  Task<> touch(std::string sid, json::object session) override {
    return touch_until(std::move(sid), session_expiry(session));
  }

  bool touches_by_expiry() const override { return true; }

  Task<> touch_until(std::string sid, std::optional<std::chrono::system_clock::time_point> expires) override {
    if (options_.disable_touch) co_return;
    const std::int64_t expire = expire_seconds(expires, options_.ttl);
    co_await run("touch", statements_.touch, params(std::to_string(expire), std::move(sid)));
  }

  Task<std::vector<std::pair<std::string, json::object>>> all() override {
    const PgResult result = co_await run("all", statements_.all, params(now_seconds()));
    std::vector<std::pair<std::string, json::object>> sessions;
    const int rows = PQntuples(result.get());
    sessions.reserve(static_cast<std::size_t>(rows));
    for (int row = 0; row < rows; ++row) {
      if (auto session = parse_session(result.get(), row, 1)) {
        sessions.emplace_back(std::string(PQgetvalue(result.get(), row, 0)), std::move(*session));
      }
    }
    co_return sessions;
  }

  Task<std::size_t> length() override {
    const PgResult result = co_await run("length", statements_.length, params(now_seconds()));
    co_return static_cast<std::size_t>(std::stoull(PQgetvalue(result.get(), 0, 0)));
  }

  Task<> clear() override { co_await run("clear", statements_.clear, params()); }

  std::string describe() const override { return description_; }

  Task<> set_owner(std::string sid, std::string owner, json::object) override {
    require_owners("set_owner");
    co_await run("set_owner", statements_.set_owner, params(std::move(sid), std::move(owner)));
  }

  Task<std::optional<std::string>> owner_of(std::string sid) override {
    require_owners("owner_of");
    const PgResult result = co_await run("owner_of", statements_.owner_of, params(std::move(sid), now_seconds()));
    if (PQntuples(result.get()) == 0) co_return std::nullopt;
    co_return std::string(PQgetvalue(result.get(), 0, 0));
  }

  Task<std::vector<std::pair<std::string, json::object>>> sessions_of(std::string owner) override {
    require_owners("sessions_of");
    const PgResult result = co_await run("sessions_of", statements_.sessions_of, params(std::move(owner), now_seconds()));
    std::vector<std::pair<std::string, json::object>> sessions;
    const int rows = PQntuples(result.get());
    for (int row = 0; row < rows; ++row) {
      if (auto session = parse_session(result.get(), row, 1)) {
        sessions.emplace_back(std::string(PQgetvalue(result.get(), row, 0)), std::move(*session));
      }
    }
    co_return sessions;
  }

  Task<std::size_t> destroy_all(std::string owner, std::optional<std::string> except_sid) override {
    require_owners("destroy_all");
    // An empty id is never a session's (the middleware refuses one), so "" keeps none.
    const PgResult result = co_await run("destroy_all", statements_.destroy_all,
                                         params(std::move(owner), except_sid.value_or(""), now_seconds()));
    co_return static_cast<std::size_t>(std::stoull(PQgetvalue(result.get(), 0, 0)));
  }

  // connect-pg-simple prunes on a timer with its default randomiser (each wait between half and
  // one and a half times the interval, so that processes sharing a table spread out). Called once
  // the store is owned by its shared_ptr: a round's statement needs weak_from_this().
  void start_pruning() {
    pruner_ = std::make_unique<detail::Pruner>(
        options_.prune_interval, [this](std::stop_token stop) { prune_once(std::move(stop)); },
        detail::PrunerOptions{.jitter = 0.5});
  }

 private:
  // "<schema>.<table>_events", at most 63 bytes (PostgreSQL's identifier length).
  std::string events_channel() const {
    std::string channel = (options_.schema.empty() ? "" : options_.schema + ".") +
                          (options_.table.empty() ? std::string("session") : options_.table) + "_events";
    if (channel.size() > 63) channel.resize(63);
    return channel;
  }

  void require_owners(const char* call) const {
    if (!owners_error_.empty())
      throw std::logic_error("postgres store: " + std::string(call) + "() needs the owner table, but " + owners_error_);
  }

  // The calling io_context's connection for this store, made on its first statement there.
  Task<PgResult> run(const char* what, const std::string& sql, std::vector<std::string> params) {
    const auto executor = co_await boost::asio::this_coro::executor;
    const std::shared_ptr<PgConnection> connection =
        ConnectionRegistry<PgConnection>::of(executor).connection(id_, weak_from_this(), executor, settings_);
    co_return co_await connection->execute(what, sql, std::move(params));
  }

  // One round, on the pruner's thread: the DELETE runs to completion on prune_loop_, which keeps
  // its connection from one round to the next, so that pruning never waits on (or keeps alive)
  // the caller's event loops. Throws what the statement threw (the pruner reports it); returns at
  // once, the statement abandoned, when the pruner is stopped.
  void prune_once(std::stop_token stop) {
    std::future<PgResult> result =
        boost::asio::co_spawn(prune_loop_, run("prune", statements_.prune, params(now_seconds())), boost::asio::use_future);
    prune_loop_.restart();
    // Registered after restart(): a stop requested before it still stops the loop (the callback runs at once).
    const std::stop_callback interrupt(stop, [this] { prune_loop_.stop(); });
    // run_one, not run: the round is over as soon as its statement is.
    while (result.wait_for(std::chrono::seconds::zero()) != std::future_status::ready) {
      if (prune_loop_.run_one() == 0) return;  // stopped
    }
    result.get();
  }

  const std::uint64_t id_ = next_store_id.fetch_add(1);
  std::shared_ptr<const PgSettings> settings_;
  PostgresOptions options_;
  Statements statements_;
  std::string description_;
  std::string owners_error_;  // why the owner table is missing; "" when it is there
  std::mutex subscriber_mutex_;
  std::unique_ptr<PgSubscriber> subscriber_;
  boost::asio::io_context prune_loop_{1};  // run only by the pruner's thread, one round at a time
  std::unique_ptr<detail::Pruner> pruner_;  // last: stopped and joined before what its rounds use goes
};

}  // namespace

std::shared_ptr<Store> postgres(std::string conninfo_or_url, PostgresOptions options) {
  auto settings = std::make_shared<const PgSettings>(
      PgSettings{std::move(conninfo_or_url), options.connect_timeout, options.command_timeout, options.prepare_statements});
  const std::string table = quoted_table(options);
  std::string description;
  std::string owners_error;
  {
    // Once, blocking: an unreachable server or a missing table fails here, at start-up.
    const PgConnPtr conn = pg_connect_blocking(*settings);
    ensure_table(conn.get(), table, options.create_table_if_missing);
    owners_error = ensure_owners_table(conn.get(), options, table);
    const std::string host = PQhost(conn.get());
    description = "postgres (" + (host.starts_with('/') ? host : host + ":" + PQport(conn.get())) + "/" +
                  PQdb(conn.get()) + ", table " + table + ")";
  }
  auto store = std::make_shared<PostgresStore>(std::move(settings), std::move(options), table, std::move(description),
                                               std::move(owners_error));
  store->start_pruning();
  return store;
}

}  // namespace cortado::stores
