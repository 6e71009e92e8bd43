// The PostgreSQL store: the store suite, then what only a table shared with connect-pg-simple
// has (its schema, its rows, its expiry and pruning), and outages. The server comes from
// services/postgres.sh through CORTADO_TEST_POSTGRES_URL; without it every test here fails.
#include "cortado/stores/postgres.hpp"

#include "stores/store_suite.hpp"
#include "stores/tcp_relay.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <libpq-fe.h>
#include <signal.h>

#include <algorithm>
#include <regex>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace cortado {
namespace {

using testing::error_of;
using testing::run_on;

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::system_clock;
using store_suite::session_ending_in;
using store_suite::session_with;
using store_suite::views_of;
using testing::run_task;

// An environment variable services/postgres.sh exports; a test without it fails, never skips.
std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) + " is not set: run the store tests through tests/stores/run.sh, "
                             "whose services/postgres.sh starts a server");
  }
  return value;
}

std::string postgres_url() { return required_env("CORTADO_TEST_POSTGRES_URL"); }

std::int64_t now_seconds_ceil() {
  const auto ms = std::chrono::duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  return (ms + 999) / 1000;
}

// A plain blocking connection of the test's own, as another process (or Node) has.
class RawPg {
 public:
  RawPg() : conn_(PQconnectdb(postgres_url().c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string message = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("raw connection: " + message);
    }
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // "schema ... does not exist, skipping"
  }
  ~RawPg() { PQfinish(conn_); }
  RawPg(const RawPg&) = delete;
  RawPg& operator=(const RawPg&) = delete;

  // Every row as text ("<null>" for NULL); throws on an error.
  std::vector<std::vector<std::string>> rows(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* result =
        PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const std::string message = PQresultErrorMessage(result);
      PQclear(result);
      throw std::runtime_error(sql + ": " + message);
    }
    std::vector<std::vector<std::string>> out;
    for (int r = 0; r < PQntuples(result); ++r) {
      auto& row = out.emplace_back();
      for (int c = 0; c < PQnfields(result); ++c) row.emplace_back(PQgetisnull(result, r, c) ? "<null>" : PQgetvalue(result, r, c));
    }
    PQclear(result);
    return out;
  }
  // The first column of the first row.
  std::string value(const std::string& sql, const std::vector<std::string>& params = {}) {
    const auto all = rows(sql, params);
    if (all.empty()) throw std::runtime_error(sql + ": no row");
    return all[0].at(0);
  }
  void exec(const std::string& sql, const std::vector<std::string>& params = {}) { rows(sql, params); }

 private:
  PGconn* conn_;
};

// A schema of the test's own, emptied first, so that each test starts from nothing.
std::string fresh_schema(RawPg& db, const std::string& name) {
  db.exec("DROP SCHEMA IF EXISTS " + name + " CASCADE");
  db.exec("CREATE SCHEMA " + name);
  return name;
}


// Whether `message` is one line that starts with `prefix` and says something after it.
bool one_line_starting(const std::string& message, const std::string& prefix) {
  return message.starts_with(prefix) && message.size() > prefix.size() && message.find('\n') == std::string::npos;
}

// The suite, on the default table in the default schema, emptied before each test.
struct PostgresFactory {
  static std::shared_ptr<Store> make() {
    auto store = stores::postgres(postgres_url(), {.create_table_if_missing = true});
    run_task(store->clear());
    return store;
  }
};
INSTANTIATE_STORE_SUITE(Postgres, PostgresFactory);

// The suite again with names that only survive when every identifier is quoted as connect-pg-simple does.
struct PostgresQuotedNamesFactory {
  static std::shared_ptr<Store> make() {
    RawPg db;
    db.exec(R"(CREATE SCHEMA IF NOT EXISTS "Odd ""schema"" name")");
    auto store = stores::postgres(
        postgres_url(), {.table = "Session \"x\"", .schema = "Odd \"schema\" name", .create_table_if_missing = true});
    run_task(store->clear());
    return store;
  }
};
INSTANTIATE_STORE_SUITE(PostgresQuotedNames, PostgresQuotedNamesFactory);

TEST(PostgresStore, CreatesConnectPgSimplesSchemaExactly) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_schema_test");
  stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true});
  const auto columns = db.rows(
      "SELECT column_name, data_type, is_nullable, coalesce(character_maximum_length::text, '-'), "
      "coalesce(datetime_precision::text, '-') FROM information_schema.columns "
      "WHERE table_schema = $1 AND table_name = 'session' ORDER BY ordinal_position",
      {schema});
  const std::vector<std::vector<std::string>> expected{
      {"sid", "character varying", "NO", "-", "-"},
      {"sess", "json", "NO", "-", "-"},
      {"expire", "timestamp without time zone", "NO", "-", "6"},
  };
  EXPECT_EQ(columns, expected);
  EXPECT_EQ(db.rows("SELECT tc.constraint_name, kcu.column_name FROM information_schema.table_constraints tc "
                    "JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name) "
                    "WHERE tc.table_schema = $1 AND tc.table_name = 'session' AND tc.constraint_type = 'PRIMARY KEY'",
                    {schema}),
            (std::vector<std::vector<std::string>>{{"session_pkey", "sid"}}));
  EXPECT_EQ(db.rows("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'session' "
                    "AND indexname <> 'session_pkey'",
                    {schema}),
            (std::vector<std::vector<std::string>>{
                {"IDX_session_expire", "CREATE INDEX \"IDX_session_expire\" ON " + schema + ".session USING btree (expire)"}}));
}

TEST(PostgresStore, MissingTableFailsAtCreationUnlessAskedToCreateIt) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_create_test");
  try {
    stores::postgres(postgres_url(), {.schema = schema});
    ADD_FAILURE() << "no exception for a missing table";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find("postgres store: table \"cortado_create_test\".\"session\" does not exist"), 0u)
        << e.what();
  }
  EXPECT_EQ(db.value("SELECT to_regclass('cortado_create_test.session') IS NULL"), "t");
  auto store = stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true});
  run_task(store->set("kept", session_ending_in(1h, 5)));
  // On an existing table the option changes nothing, and the rows stay.
  auto again = stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true});
  EXPECT_EQ(views_of(run_task(again->get("kept"))), 5);
  EXPECT_NE(again->describe().find("cortado_test, table \"cortado_create_test\".\"session\""), std::string::npos)
      << again->describe();
}

TEST(PostgresStore, StoredTextIsStringifyOutputByteForByte) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_text_test");
  auto store = stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true});
  auto session = session_ending_in(1h, 3);
  session["zeta"] = "ünïcode \"quoted\" </script>";
  session["alpha"] = json::array{1.5, nullptr, true, json::object{{"b", 2}, {"a", 1}}};
  session["tiny"] = 1e-7;
  run_task(store->set("text", session));
  EXPECT_EQ(db.value("SELECT sess FROM " + schema + ".session WHERE sid = 'text'"), stringify(session));
  // It is JSON to the server too, so that SQL (and Node) can look inside.
  EXPECT_EQ(db.value("SELECT sess->>'views' FROM " + schema + ".session WHERE sid = 'text'"), "3");
}

TEST(PostgresStore, ReadsRowsWrittenTheWayConnectPgSimpleWritesThem) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_node_test");
  auto store = stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true});
  const std::string text = stringify(session_ending_in(1h, 42));
  // node-postgres sends untyped text parameters, exactly like this.
  db.exec("INSERT INTO " + schema +
              ".session (sess, expire, sid) SELECT $1, to_timestamp($2), $3 ON CONFLICT (sid) DO UPDATE SET sess=$1, "
              "expire=to_timestamp($2) RETURNING sid",
          {text, std::to_string(now_seconds_ceil() + 3600), "from-node"});
  const auto got = run_task(store->get("from-node"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), text);
}

TEST(PostgresStore, ExpireColumnFollowsCookieExpiresOrTtl) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_expire_test");
  auto store = stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true, .ttl = 600s});
  const std::string epoch = "SELECT extract(epoch FROM expire::timestamptz)::bigint FROM " + schema + ".session WHERE sid = $1";
  // connect-pg-simple rounds cookie.expires up to the second: .123 goes to the next one.
  const auto expires = *parse_iso_date("2031-05-06T07:08:09.123Z");
  const auto expires_s = std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
  run_task(store->set("dated", session_with(expires, 1)));
  EXPECT_EQ(db.value(epoch, {"dated"}), std::to_string(expires_s + 1));
  run_task(store->set("whole", session_with(system_clock::time_point(std::chrono::seconds(expires_s)), 1)));
  EXPECT_EQ(db.value(epoch, {"whole"}), std::to_string(expires_s));
  // A browser-session cookie lives `ttl`.
  const std::int64_t before = now_seconds_ceil();
  run_task(store->set("browser", session_with(std::nullopt, 1)));
  const std::int64_t browser = std::stoll(db.value(epoch, {"browser"}));
  EXPECT_GE(browser, before + 600);
  EXPECT_LE(browser, now_seconds_ceil() + 600);
  // ttl zero is connect-pg-simple's `ttl || ONE_DAY`.
  auto one_day = stores::postgres(postgres_url(), {.schema = schema, .ttl = 0s});
  run_task(one_day->set("day", session_with(std::nullopt, 1)));
  const std::int64_t day = std::stoll(db.value(epoch, {"day"}));
  EXPECT_GE(day, before + 86400);
  EXPECT_LE(day, now_seconds_ceil() + 86400);
}

TEST(PostgresStore, TouchMovesOnlyTheExpireColumn) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_touch_test");
  auto store = stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true});
  const std::string sess = "SELECT sess FROM " + schema + ".session WHERE sid = $1";
  const std::string epoch = "SELECT extract(epoch FROM expire::timestamptz)::bigint FROM " + schema + ".session WHERE sid = $1";
  const std::int64_t first_s = now_seconds_ceil() + 3600;
  const auto first = system_clock::time_point(std::chrono::seconds(first_s));
  const auto original = session_with(first, 1);
  run_task(store->set("s", original));
  run_task(store->touch("s", session_with(first + 1h, 99)));
  // connect-pg-simple's touch: the row lives longer, its JSON stays as saved.
  EXPECT_EQ(db.value(sess, {"s"}), stringify(original));
  EXPECT_EQ(db.value(epoch, {"s"}), std::to_string(first_s + 3600));

  auto untouching = stores::postgres(postgres_url(), {.schema = schema, .disable_touch = true});
  run_task(untouching->set("u", original));
  run_task(untouching->touch("u", session_with(first + 1h, 99)));
  EXPECT_EQ(db.value(epoch, {"u"}), std::to_string(first_s));
}

TEST(PostgresStore, ExpiredRowsAreNotReturnedButStayUntilPruned) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_expired_test");
  auto store = stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true});
  const std::string insert = "INSERT INTO " + schema + ".session (sid, sess, expire) VALUES ($1, $2, to_timestamp($3))";
  db.exec(insert, {"old", stringify(session_ending_in(-10s)), std::to_string(now_seconds_ceil() - 5)});
  db.exec(insert, {"live", stringify(session_ending_in(1h)), std::to_string(now_seconds_ceil() + 3600)});
  EXPECT_FALSE(run_task(store->get("old")));
  EXPECT_TRUE(run_task(store->get("live")));
  EXPECT_EQ(run_task(store->length()), 1u);
  ASSERT_EQ(run_task(store->all()).size(), 1u);
  EXPECT_EQ(db.value("SELECT count(*) FROM " + schema + ".session"), "2");
}

TEST(PostgresStore, PruningDeletesExpiredRowsOnItsInterval) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_prune_test");
  const std::string insert = "INSERT INTO " + schema + ".session (sid, sess, expire) VALUES ($1, $2, to_timestamp($3))";
  const std::string count = "SELECT count(*) FROM " + schema + ".session";
  const std::string text = stringify(session_ending_in(-1h));
  {
    auto store = stores::postgres(postgres_url(),
                                  {.schema = schema, .create_table_if_missing = true, .prune_interval = 200ms});
    for (int i = 0; i < 3; ++i) db.exec(insert, {store_suite::numbered("old", i), text, std::to_string(now_seconds_ceil() - 3600)});
    run_task(store->set("live", session_ending_in(1h)));
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (db.value(count) != "1" && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    EXPECT_EQ(db.value(count), "1");
    EXPECT_TRUE(run_task(store->get("live")));
  }
  // Zero turns it off.
  auto store = stores::postgres(postgres_url(), {.schema = schema, .prune_interval = 0ms});
  db.exec(insert, {"old", text, std::to_string(now_seconds_ceil() - 3600)});
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(db.value(count), "2");
}

TEST(PostgresStore, OneConnectionPerIoContextClosedWithIt) {
  RawPg db;
  const std::string url = postgres_url() + "?application_name=cortado_count_test";
  const std::string connections = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cortado_count_test'";
  const auto wait_for = [&](const std::string& expected) {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (db.value(connections) != expected && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    return db.value(connections);
  };
  auto store = stores::postgres(url, {.create_table_if_missing = true});
  boost::asio::io_context first;
  store_suite::Failures failures;
  for (int i = 0; i < 20; ++i) boost::asio::co_spawn(first, store_suite::exercise(*store, "conn", i), failures.handler());
  first.run();
  EXPECT_EQ(failures.text(), "");
  EXPECT_EQ(wait_for("1"), "1");
  {
    boost::asio::io_context second;
    run_on(second, store->length());
    EXPECT_EQ(wait_for("2"), "2");
  }
  EXPECT_EQ(wait_for("1"), "1");  // the io_context took its connection with it
  run_on(first, store->length());
  EXPECT_EQ(wait_for("1"), "1");  // and the first one still uses its own
}

TEST(PostgresStore, AnSqlErrorFailsOnlyItsOwnCall) {
  auto store = stores::postgres(postgres_url(), {.create_table_if_missing = true});
  run_task(store->clear());
  boost::asio::io_context ctx;
  std::string bad_error;
  std::vector<std::int64_t> views;
  // Sent back to back on one connection: the bad one's error must not touch its neighbours.
  const auto call = [&](int i) -> Task<> {
    if (i == 2) {
      try {
        co_await store->get("not \xff UTF-8");
      } catch (const std::runtime_error& e) {
        bad_error = e.what();
      }
      co_return;
    }
    co_await store->set(store_suite::numbered("neighbour", i), session_ending_in(1h, i));
    views.push_back(views_of(co_await store->get(store_suite::numbered("neighbour", i))));
  };
  for (int i = 0; i < 5; ++i) boost::asio::co_spawn(ctx, call(i), boost::asio::detached);
  ctx.run();
  EXPECT_TRUE(one_line_starting(bad_error, "postgres store: get: invalid byte sequence for encoding \"UTF8\"")) << bad_error;
  std::sort(views.begin(), views.end());
  EXPECT_EQ(views, (std::vector<std::int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(run_on(ctx, store->length()), 4u);
}

// The store's statements are prepared once per connection, at their first use. A Prepare that
// fails (here: the table went between the store's creation and that first use) fails its call,
// and the statement is prepared again at its next use rather than run under a name the server
// never kept.
TEST(PostgresStore, AStatementWhosePrepareFailedIsPreparedAgainAtItsNextUse) {
  RawPg db;
  const std::string schema = fresh_schema(db, "cortado_prepare_test");
  auto store = stores::postgres(postgres_url(), {.schema = schema, .create_table_if_missing = true});
  db.exec("ALTER TABLE " + schema + ".session RENAME TO away");
  boost::asio::io_context ctx;  // one io_context: every call below goes over one connection
  const std::string error = error_of(ctx, store->get("s"));
  EXPECT_EQ(error, "postgres store: get: relation \"cortado_prepare_test.session\" does not exist");
  db.exec("ALTER TABLE " + schema + ".away RENAME TO session");
  EXPECT_FALSE(run_on(ctx, store->get("s")).has_value());
  run_on(ctx, store->set("s", session_ending_in(1h, 7)));
  EXPECT_EQ(views_of(run_on(ctx, store->get("s"))), 7);
}

// A column's type changed under a prepared statement: the server refuses to run its plan once
// ("cached plan must not change result type"); that call fails, and the next prepares it again.
// Unprepared statements (prepare_statements off) never meet this.
TEST(PostgresStore, AColumnTypeChangedUnderAPreparedStatementFailsOneCallThenIsPreparedAgain) {
  RawPg db;
  for (const bool prepare : {true, false}) {
    SCOPED_TRACE(prepare ? "prepared" : "unnamed");
    const std::string schema = fresh_schema(db, "cortado_retype_test");
    auto store = stores::postgres(postgres_url(),
                                  {.schema = schema, .create_table_if_missing = true, .prepare_statements = prepare});
    boost::asio::io_context ctx;
    run_on(ctx, store->set("s", session_ending_in(1h, 4)));
    EXPECT_EQ(views_of(run_on(ctx, store->get("s"))), 4);
    db.exec("ALTER TABLE " + schema + ".session ALTER COLUMN sess TYPE jsonb");
    if (prepare) {
      const std::string error = error_of(ctx, store->get("s"));
      EXPECT_EQ(error, "postgres store: get: cached plan must not change result type");
    }
    EXPECT_EQ(views_of(run_on(ctx, store->get("s"))), 4);
  }
}

// Statements larger than the socket's buffers, many in flight on one connection: libpq cannot
// send them at once, so the connection waits to write while it reads the replies to those sent.
TEST(PostgresStore, LargeStatementsPipelineOnOneConnection) {
  auto store = stores::postgres(postgres_url(), {.create_table_if_missing = true});
  run_task(store->clear());
  boost::asio::io_context ctx;
  store_suite::Failures failures;
  const std::string blob(512 * 1024, 'x');
  const auto round_trip = [&](int i) -> Task<> {
    auto session = session_ending_in(1h, i);
    session["blob"] = blob;
    co_await store->set(store_suite::numbered("large", i), std::move(session));
    const auto got = co_await store->get(store_suite::numbered("large", i));
    EXPECT_EQ(views_of(got), i);
    EXPECT_TRUE(got && got->at("blob").as_string().size() == blob.size());
  };
  for (int i = 0; i < 40; ++i) boost::asio::co_spawn(ctx, round_trip(i), failures.handler());
  ctx.run();
  EXPECT_EQ(failures.text(), "");
  EXPECT_EQ(run_on(ctx, store->length()), 40u);
}

// Stops the test server; starts it again at the end of the scope whatever happened meanwhile.
class ServerOutage {
 public:
  ServerOutage() { EXPECT_EQ(std::system(required_env("CORTADO_TEST_POSTGRES_STOP").c_str()), 0) << "could not stop"; }
  ~ServerOutage() { end(); }
  ServerOutage(const ServerOutage&) = delete;
  ServerOutage& operator=(const ServerOutage&) = delete;
  void end() {
    if (over_) return;
    over_ = true;
    EXPECT_EQ(std::system(required_env("CORTADO_TEST_POSTGRES_START").c_str()), 0) << "could not start";
  }

 private:
  bool over_ = false;
};

TEST(PostgresStore, OutageGivesOneLineReasonsThenRecoversByItself) {
  const std::string url = postgres_url();
  auto store = stores::postgres(url, {.create_table_if_missing = true});
  boost::asio::io_context ctx;  // one event loop throughout, as a server's
  run_on(ctx, store->set("before", session_ending_in(1h, 1)));
  {
    ServerOutage outage;
    const auto started = std::chrono::steady_clock::now();
    const std::string get = error_of(ctx, store->get("before"));
    EXPECT_TRUE(one_line_starting(get, "postgres store: get: ")) << get;
    EXPECT_NE(get.find("127.0.0.1"), std::string::npos) << get;  // libpq's reason names the server
    for (const auto& [what, message] : std::vector<std::pair<std::string, std::string>>{
             {"set", error_of(ctx, store->set("during", session_ending_in(1h)))},
             {"touch", error_of(ctx, store->touch("before", session_ending_in(1h)))},
             {"destroy", error_of(ctx, store->destroy("before"))},
             {"all", error_of(ctx, store->all())},
             {"length", error_of(ctx, store->length())},
             {"clear", error_of(ctx, store->clear())},
         }) {
      EXPECT_TRUE(one_line_starting(message, "postgres store: " + what + ": ")) << message;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    // A store made now fails at once, as session-lab's start-up needs.
    try {
      stores::postgres(url);
      ADD_FAILURE() << "no exception while the server is down";
    } catch (const std::runtime_error& e) {
      EXPECT_TRUE(one_line_starting(e.what(), "postgres store: cannot connect: ")) << e.what();
    }
  }
  // Back: the same store on the same event loop reconnects by itself, and nothing was lost.
  EXPECT_EQ(views_of(run_on(ctx, store->get("before"))), 1);
  run_on(ctx, store->set("after", session_ending_in(1h, 2)));
  EXPECT_EQ(views_of(run_on(ctx, store->get("after"))), 2);
  // A restart between two calls is not even seen: the stale connection is replaced before use.
  {
    ServerOutage outage;
    outage.end();
  }
  EXPECT_EQ(error_of(ctx, store->get("after")), "");
}

TEST(PostgresStore, AStalledServerTimesOutAndTheNextCallReconnects) {
  RawPg db;
  auto store = stores::postgres(postgres_url() + "?application_name=cortado_stall_test",
                                {.create_table_if_missing = true, .command_timeout = 300ms});
  boost::asio::io_context ctx;
  run_on(ctx, store->set("stall", session_ending_in(1h, 4)));
  const int backend = std::stoi(db.value("SELECT pid FROM pg_stat_activity WHERE application_name = 'cortado_stall_test'"));
  ASSERT_EQ(::kill(backend, SIGSTOP), 0);
  const auto started = std::chrono::steady_clock::now();
  const std::string message = error_of(ctx, store->get("stall"));
  const auto waited = std::chrono::steady_clock::now() - started;
  ::kill(backend, SIGCONT);
  EXPECT_EQ(message, "postgres store: get: timed out after 300 ms");
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 3s);
  EXPECT_EQ(views_of(run_on(ctx, store->get("stall"))), 4);
}

// The test server's URL with another port: the same server reached through a relay.
std::string url_with_port(const std::string& url, std::uint16_t port) {
  // Appended piece by piece: GCC 12 warns falsely (-Wstringop-overflow) on `":" + std::to_string(port)` at -O3.
  std::string replacement = ":";
  replacement += std::to_string(port);
  replacement += '/';
  return std::regex_replace(url, std::regex(R"(:\d+/)"), replacement);
}

std::uint16_t port_of(const std::string& url) {
  std::smatch match;
  if (!std::regex_search(url, match, std::regex(R"(:(\d+)/)"))) throw std::runtime_error("no port in " + url);
  return static_cast<std::uint16_t>(std::stoi(match[1]));
}

// A statement (A) waits for its reply when its connection is reset and the server's address stops
// answering, as a host that drops packets does. Statements sent after the reset find the
// connection broken (libpq reports a failed write at the next flush: the second statement's),
// drop it and connect again; A wakes after that connect began. The connect gives up after
// connect_timeout, counted from its start (libpq ignores connect_timeout in PQconnectPoll), and
// every statement waiting for it with it. When each statement re-armed a watchdog shared by every
// wait, A disarmed the connect's and all of them waited for the kernel to give up (minutes, or
// for ever).
TEST(PostgresStore, AReconnectToAHostThatStopsAnsweringKeepsItsTimeout) {
  testing::TcpRelay relay(port_of(postgres_url()));
  auto store = stores::postgres(url_with_port(postgres_url(), relay.port()),
                                {.create_table_if_missing = true, .prune_interval = 0ms,
                                 .connect_timeout = 1000ms, .command_timeout = 60s});
  boost::asio::io_context ctx;
  run_on(ctx, store->set("relayed", session_ending_in(1h, 8)));
  relay.hold();
  std::vector<std::string> errors;
  const auto record = [&](std::exception_ptr error, const std::optional<json::object>&) {
    try {
      if (error) std::rethrow_exception(error);
      errors.emplace_back("");
    } catch (const std::exception& e) {
      errors.emplace_back(e.what());
    }
  };
  boost::asio::co_spawn(ctx, store->get("relayed"), record);  // A: sent, no reply comes
  ctx.restart();
  ctx.poll();  // A is now waiting on the socket for its reply
  relay.cut();
  // The reset crosses the loopback device before the next statements are sent (a margin only:
  // it crosses at once).
  std::this_thread::sleep_for(50ms);
  // They run before this thread looks at its sockets again, so before A learns of the reset.
  for (int i = 0; i < 3; ++i) boost::asio::co_spawn(ctx, store->get("relayed"), record);
  const auto started = std::chrono::steady_clock::now();
  while (errors.size() < 4 && std::chrono::steady_clock::now() - started < 10s) ctx.run_for(100ms);
  ASSERT_EQ(errors.size(), 4u) << "statements still wait 10 s after their connect should have timed out at 1 s";
  for (const std::string& message : errors) EXPECT_EQ(message, "postgres store: get: timed out after 1000 ms");
}

// The pruner's round is interrupted when the store goes: a round stuck connecting (the relay
// passes nothing on) must not hold up the destructor for connect_timeout.
TEST(PostgresStore, DestructionDoesNotWaitForAPruneInFlight) {
  testing::TcpRelay relay(port_of(postgres_url()));
  auto store = stores::postgres(url_with_port(postgres_url(), relay.port()),
                                {.create_table_if_missing = true, .prune_interval = 100ms,
                                 .connect_timeout = 10s, .command_timeout = 10s});
  relay.hold();  // before the first round (50 to 150 ms from now) connects through it
  std::this_thread::sleep_for(400ms);
  const auto started = std::chrono::steady_clock::now();
  store.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST(PostgresStore, AnIoContextDestroyedMidStatementLeavesTheStoreWorking) {
  RawPg db;
  auto store = stores::postgres(postgres_url() + "?application_name=cortado_midway_test", {.create_table_if_missing = true});
  int backend = 0;
  int ended = 0;
  {
    boost::asio::io_context ctx;
    run_on(ctx, store->set("midway", session_ending_in(1h, 6)));
    backend = std::stoi(db.value("SELECT pid FROM pg_stat_activity WHERE application_name = 'cortado_midway_test'"));
    ASSERT_EQ(::kill(backend, SIGSTOP), 0);
    // Statements sent (or queued behind the first) whose replies never come before the loop goes away.
    for (int i = 0; i < 5; ++i) {
      boost::asio::co_spawn(ctx, store->get("midway"), [&](std::exception_ptr, std::optional<json::object>) { ++ended; });
    }
    ctx.restart();
    ctx.run_for(200ms);
  }
  ::kill(backend, SIGCONT);
  EXPECT_EQ(ended, 0);  // they were still waiting when their io_context went
  EXPECT_EQ(views_of(run_task(store->get("midway"))), 6);
}

}  // namespace
}  // namespace cortado
