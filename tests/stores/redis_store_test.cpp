// The Redis store: the store suite, then what only a Redis shared with connect-redis has (keys,
// values and TTLs as it writes them, its options), one pipelined connection per io_context, and
// outages against servers this file starts and kills. The shared server comes from
// services/redis.sh through CORTADO_TEST_REDIS_URL; without it every test here fails.
#include "cortado/core/one_thread.hpp"
#include "cortado/session/session_id.hpp"
#include "cortado/stores/redis.hpp"

#include "stores/store_suite.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace cortado {
namespace {

using testing::error_of;
using testing::run_on;

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using store_suite::session_ending_in;
using store_suite::session_with;
using store_suite::views_of;
using testing::run_task;

// The shared server's URL; a test without it fails, never skips.
std::string redis_url() {
  const char* value = std::getenv("CORTADO_TEST_REDIS_URL");
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(
        "CORTADO_TEST_REDIS_URL is not set: run the store tests through tests/stores/run.sh, "
        "whose services/redis.sh starts a server");
  }
  return value;
}

std::uint16_t port_of(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// A key prefix no other test (or earlier run) uses, so that tests on the shared server never meet.
std::string fresh_prefix() {
  static std::atomic<int> counter{0};
  return "cortado-test:" + std::to_string(::getpid()) + ":" + std::to_string(counter.fetch_add(1)) + ":";
}

// A port nothing listens on now.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("free_port: cannot bind");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// A plain blocking hiredis connection of the test's own, as Node's client would be.
class RawRedis {
 public:
  explicit RawRedis(std::uint16_t port) : context_(redisConnect("127.0.0.1", port)) {
    if (context_ == nullptr || context_->err != 0) {
      throw std::runtime_error("raw connection to port " + std::to_string(port) + " failed");
    }
  }
  ~RawRedis() { redisFree(context_); }
  RawRedis(const RawRedis&) = delete;
  RawRedis& operator=(const RawRedis&) = delete;

  // The reply as text: a string or status as is, an integer in decimal, nil as "<nil>".
  template <class... Args>
  std::string run(const Args&... args) {
    const std::array<std::string, sizeof...(Args)> words{std::string(args)...};
    std::array<const char*, sizeof...(Args)> argv{};
    std::array<std::size_t, sizeof...(Args)> lengths{};
    for (std::size_t i = 0; i < words.size(); ++i) {
      argv[i] = words[i].data();
      lengths[i] = words[i].size();
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(words.size()), argv.data(), lengths.data()));
    if (reply == nullptr) throw std::runtime_error(std::string("raw command failed: ") + context_->errstr);
    std::string out = reply->type == REDIS_REPLY_INTEGER ? std::to_string(reply->integer)
                      : reply->type == REDIS_REPLY_NIL   ? "<nil>"
                      : reply->str != nullptr            ? std::string(reply->str, reply->len)
                                                         : "<array>";
    freeReplyObject(reply);
    return out;
  }
  long long ttl(const std::string& key) { return std::stoll(run("TTL", key)); }
  // How many connections the server has accepted since it started.
  long long connections_received() {
    const std::string info = run("INFO", "stats");
    const std::string field = "total_connections_received:";
    return std::stoll(info.substr(info.find(field) + field.size()));
  }

 private:
  redisContext* context_;
};

// A redis-server of the test's own on a fixed port, to kill, stop and restart.
class OwnRedis {
 public:
  explicit OwnRedis(std::vector<std::string> extra = {}) : port_(free_port()), extra_(std::move(extra)) { start(); }
  ~OwnRedis() { kill(); }
  OwnRedis(const OwnRedis&) = delete;
  OwnRedis& operator=(const OwnRedis&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  // Starts it (again) on the same port and waits until it answers PING.
  void start() {
    std::vector<std::string> args{
        "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save",   "",
        "--appendonly", "no",     "--daemonize",         "no",     "--logfile", "/dev/null"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start redis-server: is it installed?");
    }
    for (auto deadline = steady_clock::now() + 5s; steady_clock::now() < deadline; std::this_thread::sleep_for(20ms)) {
      redisContext* probe = redisConnect("127.0.0.1", port_);
      const bool up = probe != nullptr && probe->err == 0;
      redisFree(probe);
      if (up) return;
    }
    throw std::runtime_error("redis-server on port " + std::to_string(port_) + " did not start");
  }
  // SIGKILL: the server vanishes, as in a crash; its sockets are closed by the kernel.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void signal(int number) { ::kill(pid_, number); }

 private:
  std::uint16_t port_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
};


// The suite, each test under a prefix of its own on the shared server.
struct RedisFactory {
  static std::shared_ptr<Store> make() { return stores::redis(redis_url(), {.prefix = fresh_prefix()}); }
};
INSTANTIATE_STORE_SUITE(Redis, RedisFactory);

// A store on the shared server under a fresh prefix, with the raw connection to look at it.
class RedisStoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<Store> open(stores::RedisOptions options = {}) {
    if (options.prefix == "sess:") options.prefix = prefix_;
    return stores::redis(redis_url(), std::move(options));
  }
  RawRedis raw_{port_of(redis_url())};
  std::string prefix_ = fresh_prefix();
};

TEST_F(RedisStoreTest, KeyValueAndTtlAreConnectRedis) {
  const auto store = open();
  const json::object session = session_ending_in(1h, 4);
  run_task(store->set("abc", session));
  EXPECT_EQ(raw_.run("GET", prefix_ + "abc"), stringify(session));
  EXPECT_NEAR(raw_.ttl(prefix_ + "abc"), 3600, 1);
  EXPECT_EQ(raw_.run("TYPE", prefix_ + "abc"), "string");
}

TEST_F(RedisStoreTest, DefaultPrefixIsSess) {
  const auto store = stores::redis(redis_url());
  const std::string sid = "cortado-default-prefix-" + std::to_string(::getpid());
  run_task(store->set(sid, session_ending_in(1h)));
  EXPECT_EQ(raw_.run("EXISTS", "sess:" + sid), "1");
  run_task(store->destroy(sid));
  EXPECT_EQ(raw_.run("EXISTS", "sess:" + sid), "0");
  EXPECT_NE(store->describe().find("prefix \"sess:\""), std::string::npos) << store->describe();
}

TEST_F(RedisStoreTest, HostNamesAreResolved) {
  // Resolved without blocking on the connection (Asio's resolver), whichever address comes first.
  const auto store = stores::redis("redis://localhost:" + std::to_string(port_of(redis_url())), {.prefix = prefix_});
  run_task(store->set("named", session_ending_in(1h, 6)));
  EXPECT_EQ(views_of(run_task(store->get("named"))), 6);
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "named"), "1");
}

TEST_F(RedisStoreTest, BrowserSessionTakesTheTtlOption) {
  run_task(open()->set("default", session_with(std::nullopt)));
  EXPECT_NEAR(raw_.ttl(prefix_ + "default"), 86400, 1);
  run_task(open({.ttl = 120s})->set("short", session_with(std::nullopt)));
  EXPECT_NEAR(raw_.ttl(prefix_ + "short"), 120, 1);
  run_task(open({.ttl = 0s})->set("zero", session_with(std::nullopt)));  // connect-redis: `ttl || 86400`
  EXPECT_NEAR(raw_.ttl(prefix_ + "zero"), 86400, 1);
}

TEST_F(RedisStoreTest, TtlRoundsUpAndNonPositiveDeletes) {
  const auto store = open();
  run_task(store->set("soon", session_ending_in(400ms)));
  EXPECT_EQ(raw_.ttl(prefix_ + "soon"), 1);  // Math.ceil(0.4)
  run_task(store->set("gone", session_ending_in(1h)));
  run_task(store->set("gone", session_ending_in(-5s)));
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "gone"), "0");
  EXPECT_FALSE(run_task(store->get("gone")));
}

TEST_F(RedisStoreTest, TouchSetsTheExpiryOnly) {
  const auto store = open();
  const json::object session = session_ending_in(1h, 5);
  run_task(store->set("t", session));
  run_task(store->touch("t", session_ending_in(2h, 99)));
  EXPECT_NEAR(raw_.ttl(prefix_ + "t"), 7200, 1);
  EXPECT_EQ(raw_.run("GET", prefix_ + "t"), stringify(session));  // EXPIRE only: the value is untouched
  run_task(store->touch("t", session_ending_in(-5s)));
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "t"), "0");
}

TEST_F(RedisStoreTest, DisableTouchAndDisableTtl) {
  const auto no_touch = open({.disable_touch = true});
  run_task(no_touch->set("a", session_ending_in(1h)));
  run_task(no_touch->touch("a", session_ending_in(2h)));
  EXPECT_NEAR(raw_.ttl(prefix_ + "a"), 3600, 1);

  const auto no_ttl = open({.disable_ttl = true});
  run_task(no_ttl->set("b", session_ending_in(1h)));
  EXPECT_EQ(raw_.ttl(prefix_ + "b"), -1);  // no expiry at all
  run_task(no_ttl->touch("b", session_ending_in(2h)));
  EXPECT_EQ(raw_.ttl(prefix_ + "b"), -1);
  run_task(no_ttl->set("b", session_ending_in(-1s)));  // still deleted: ttl <= 0 wins
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "b"), "0");
}

TEST_F(RedisStoreTest, PrefixesSeparateStores) {
  const auto one = open();
  const auto other = stores::redis(redis_url(), {.prefix = prefix_ + "x*"});  // a glob character, matched literally
  run_task(one->set("s", session_ending_in(1h, 1)));
  run_task(other->set("s", session_ending_in(1h, 2)));
  raw_.run("SET", prefix_ + "xy", "{}");  // would match the glob `x*` unescaped
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "x*s"), "1");
  EXPECT_EQ(views_of(run_task(one->get("s"))), 1);
  EXPECT_EQ(views_of(run_task(other->get("s"))), 2);
  EXPECT_EQ(run_task(other->length()), 1u);
  run_task(other->clear());
  EXPECT_EQ(views_of(run_task(one->get("s"))), 1);
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "xy"), "1");
}

TEST_F(RedisStoreTest, UrlQueryDatabaseAndScanCount) {
  const auto store = stores::redis(redis_url() + "/3?prefix=" + prefix_ + "q:&ttl=60&scan_count=1");
  for (int i = 0; i < 25; ++i) run_task(store->set(store_suite::numbered("k", i), session_with(std::nullopt, i)));
  EXPECT_EQ(run_task(store->length()), 25u);  // many SCAN rounds with COUNT 1
  EXPECT_EQ(run_task(store->all()).size(), 25u);
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "q:k0"), "0");  // not in database 0
  raw_.run("SELECT", "3");
  EXPECT_NEAR(raw_.ttl(prefix_ + "q:k0"), 60, 1);
  run_task(store->clear());
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "q:k0"), "0");
}

TEST_F(RedisStoreTest, ReadsWhatNodeWrote) {
  const auto store = open();
  const std::string text =
      R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"user":"ada"})";
  raw_.run("SET", prefix_ + "node", text);
  const auto got = run_task(store->get("node"));
  ASSERT_TRUE(got);
  EXPECT_EQ(stringify(*got), text);
  raw_.run("SET", prefix_ + "empty", "");
  EXPECT_FALSE(run_task(store->get("empty")));  // connect-redis: `if (!data)`
  raw_.run("SET", prefix_ + "broken", "{not json");
  try {
    run_task(store->get("broken"));
    ADD_FAILURE() << "malformed JSON was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not hold JSON"), std::string::npos) << e.what();
  }
}

// Errors reach logs and error pages: they name a session by the digest of its id, never by the
// id (nor by its key, which holds the id), since the id is a bearer credential.
TEST_F(RedisStoreTest, ErrorsNameTheSessionByDigestOnly) {
  const auto store = open();
  const std::string sid = generate_session_id();
  const auto message_of = [](auto task) {
    try {
      run_task(std::move(task));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  raw_.run("SET", prefix_ + sid, "{not json");
  const std::vector<std::string> messages{
      message_of(store->get(sid)),
      message_of(store->all()),
      message_of(store->touch(sid, store_suite::object_of(R"({"cookie":{"expires":"not a date"}})"))),
  };
  EXPECT_EQ(messages[0], messages[1]);
  EXPECT_TRUE(messages[0].starts_with("redis store: session " + session_id_digest(sid) + " does not hold JSON: "))
      << messages[0];
  EXPECT_EQ(messages[2],
            "redis store: cannot touch session " + session_id_digest(sid) + ": cookie.expires is not a date");
  for (const std::string& message : messages) EXPECT_EQ(message.find(sid), std::string::npos) << message;
}

TEST_F(RedisStoreTest, BadUrlsAndUnreachableServers) {
  for (const char* url : {"http://127.0.0.1:6379", "redis://", "redis://h:99999", "redis://h:1/x",
                          "redis://h:1?bogus=1", "redis://h:1?ttl=-5", "rediss://h:1"}) {
    EXPECT_THROW(stores::redis(url), std::invalid_argument) << url;
  }
  const std::uint16_t port = free_port();
  try {
    stores::redis("redis://127.0.0.1:" + std::to_string(port));
    ADD_FAILURE() << "a store on a port nobody listens on was opened";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "redis store: cannot reach 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  }
}

TEST_F(RedisStoreTest, OneConnectionPerIoContextWithManyCommandsInFlight) {
  const auto store = open();
  const long long before = raw_.connections_received();
  boost::asio::io_context ctx;
  store_suite::Failures failures;
  for (int i = 0; i < 200; ++i) boost::asio::co_spawn(ctx, store_suite::exercise(*store, "p", i), failures.handler());
  const auto started = steady_clock::now();
  ctx.run();
  EXPECT_EQ(failures.text(), "");
  EXPECT_EQ(raw_.connections_received() - before, 1);  // some 900 commands, one connection
  // Idle, the connection leaves nothing pending: run() returned without waiting out any timer.
  EXPECT_LT(steady_clock::now() - started, 1500ms);
  run_on(ctx, store->get("p0"));
  EXPECT_EQ(raw_.connections_received() - before, 1);  // kept between calls

  std::thread other([&] { run_task(store->get("p0")); });  // another io_context, another connection
  other.join();
  EXPECT_EQ(raw_.connections_received() - before, 2);
  EXPECT_EQ(run_on(ctx, store->length()), 100u);
}

// As on a server's worker: an io_context marked as run by one thread, where each caller resumes
// inside the read that brought its reply, and sends its next command from there.
TEST_F(RedisStoreTest, ManyCommandsInFlightOnAnIoContextOfOneThread) {
  const auto store = open();
  boost::asio::io_context ctx;
  mark_one_thread(ctx);
  store_suite::Failures failures;
  for (int i = 0; i < 200; ++i) boost::asio::co_spawn(ctx, store_suite::exercise(*store, "t", i), failures.handler());
  ctx.run();
  EXPECT_EQ(failures.text(), "");
  EXPECT_EQ(run_on(ctx, store->length()), 100u);
}

// A server that answers one command with a nil and closes the connection, the reply and the
// close in one segment (corked, so that the client can never read the one without the other).
// The caller, resumed inside that read, sends its next command at once; the connection sees the
// close, connects again and sends it there, where it is answered.
TEST_F(RedisStoreTest, NextCommandSentAsTheServerClosesGoesOnANewConnection) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::atomic<int> accepted = 0;
  std::thread server([&] {
    for (;;) {
      const int client = ::accept(listener, nullptr, nullptr);
      if (client < 0) return;  // the listener was shut down: the test is over
      ++accepted;
      std::array<char, 4096> command{};
      if (::recv(client, command.data(), command.size(), 0) > 0) {
        const int cork = 1;  // held until the close, which sends it with the FIN
        ::setsockopt(client, IPPROTO_TCP, TCP_CORK, &cork, sizeof cork);
        const std::string_view nil = "$-1\r\n";
        (void)!::send(client, nil.data(), nil.size(), MSG_NOSIGNAL);
      }
      ::close(client);
    }
  });
  int absent = 0;
  std::string error;
  try {  // the server thread is joined whatever happens here
    const auto store = stores::redis("redis://127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
    boost::asio::io_context ctx;
    mark_one_thread(ctx);
    const auto two_gets = [&]() -> Task<int> {
      int nils = 0;
      for (int i = 0; i < 2; ++i) nils += (co_await store->get("s" + std::to_string(i))) ? 0 : 1;
      co_return nils;
    };
    absent = run_on(ctx, two_gets());
  } catch (const std::exception& e) {
    error = e.what();
  }
  ::shutdown(listener, SHUT_RDWR);
  server.join();
  ::close(listener);
  EXPECT_EQ(error, "");
  EXPECT_EQ(absent, 2);
  EXPECT_EQ(accepted.load(), 3);  // the store's PING at its opening, then one connection per GET
}

TEST_F(RedisStoreTest, PasswordAndDatabaseOnEveryConnection) {
  OwnRedis server({"--requirepass", "s3cret"});
  const std::string at = "127.0.0.1:" + std::to_string(server.port());
  try {
    stores::redis("redis://:wrong@" + at);
    ADD_FAILURE() << "a wrong password was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("redis store: AUTH refused by " + at + ": WRONGPASS", 0), 0u) << e.what();
  }
  EXPECT_THROW(stores::redis("redis://" + at), std::runtime_error);  // NOAUTH
  const auto store = stores::redis("redis://default:s3cret@" + at + "/2");
  EXPECT_EQ(store->describe().find("s3cret"), std::string::npos) << store->describe();
  run_task(store->set("x", session_ending_in(1h, 3)));  // the async connection's own AUTH and SELECT
  EXPECT_EQ(views_of(run_task(store->get("x"))), 3);
  RawRedis raw(server.port());
  raw.run("AUTH", "s3cret");
  raw.run("SELECT", "2");
  EXPECT_EQ(raw.run("EXISTS", "sess:x"), "1");
  raw.run("CONFIG", "SET", "requirepass", "changed");
  try {
    run_task(store->get("x"));  // a fresh io_context: a new connection, refused
    ADD_FAILURE() << "AUTH with an old password succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("redis store: AUTH refused by " + at + ": WRONGPASS", 0), 0u) << e.what();
  }
}

TEST_F(RedisStoreTest, OutageFailsFastAndRecoversByItself) {
  OwnRedis server;
  const std::string at = "127.0.0.1:" + std::to_string(server.port());
  const auto store = stores::redis(server.url());
  boost::asio::io_context ctx;  // one event loop throughout, as a server's
  run_on(ctx, store->set("s", session_ending_in(1h, 1)));
  EXPECT_EQ(views_of(run_on(ctx, store->get("s"))), 1);

  server.kill();
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto started = steady_clock::now();
    const std::string error = error_of(ctx, store->get("s"));
    EXPECT_EQ(error, "redis store: cannot reach " + at + ": Connection refused");
    EXPECT_EQ(error.find('\n'), std::string::npos);
    EXPECT_LT(steady_clock::now() - started, 1000ms);
  }
  EXPECT_THROW(stores::redis(server.url()), std::runtime_error);

  server.start();  // same port, empty (no persistence)
  EXPECT_FALSE(run_on(ctx, store->get("s")));
  run_on(ctx, store->set("s", session_ending_in(1h, 2)));
  EXPECT_EQ(views_of(run_on(ctx, store->get("s"))), 2);
}

TEST_F(RedisStoreTest, ServerThatStopsAnsweringTimesOut) {
  OwnRedis server;
  const auto store = stores::redis(server.url(), {.command_timeout = 300ms});
  boost::asio::io_context ctx;
  run_on(ctx, store->set("s", session_ending_in(1h, 1)));
  server.signal(SIGSTOP);  // connected and silent
  const auto started = steady_clock::now();
  const std::string error = error_of(ctx, store->get("s"));
  const auto waited = steady_clock::now() - started;
  server.signal(SIGCONT);
  EXPECT_EQ(error, "redis store: no reply from 127.0.0.1:" + std::to_string(server.port()) + " within 300 ms");
  EXPECT_GE(waited, 290ms);
  EXPECT_LT(waited, 1500ms);
  EXPECT_EQ(views_of(run_on(ctx, store->get("s"))), 1);
}

// Zero is no limit, as for the PostgreSQL store: the connection never gives up waiting.
TEST_F(RedisStoreTest, ZeroCommandTimeoutIsNoLimit) {
  const auto store = open({.command_timeout = 0ms});
  run_task(store->set("s", session_ending_in(1h, 7)));
  EXPECT_EQ(views_of(run_task(store->get("s"))), 7);
}

TEST_F(RedisStoreTest, IoContextDestroyedWithACallInFlight) {
  OwnRedis server;
  const auto store = stores::redis(server.url());
  server.signal(SIGSTOP);  // the call below is sent and never answered
  bool finished = false;
  {
    boost::asio::io_context ctx;
    boost::asio::co_spawn(
        ctx,
        [&]() -> Task<> {
          co_await store->get("s");
          finished = true;
        },
        boost::asio::detached);
    ctx.run_for(200ms);
  }  // its connection and the suspended call go with it, before its sockets' services
  server.signal(SIGCONT);
  EXPECT_FALSE(finished);
  EXPECT_FALSE(run_task(store->get("s")));  // the store itself is unaffected
}

TEST_F(RedisStoreTest, ConnectTimesOutWhenNobodyAccepts) {
  OwnRedis server;
  const auto store = stores::redis(server.url(), {.connect_timeout = 300ms});
  boost::asio::io_context ctx;
  run_on(ctx, store->set("s", session_ending_in(1h, 1)));
  server.kill();
  // A listener with a full backlog on the same port: SYNs are dropped, connect() hangs.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int yes = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(server.port());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    fillers.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    ::connect(fillers.back(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  }
  std::this_thread::sleep_for(100ms);
  const auto started = steady_clock::now();
  const std::string error = error_of(ctx, store->get("s"));
  const auto waited = steady_clock::now() - started;
  for (const int fd : fillers) ::close(fd);
  ::close(listener);
  EXPECT_EQ(error,
            "redis store: cannot reach 127.0.0.1:" + std::to_string(server.port()) + ": no answer within 300 ms");
  EXPECT_GE(waited, 290ms);
  EXPECT_LT(waited, 1500ms);
  server.start();
  run_on(ctx, store->set("s", session_ending_in(1h, 2)));
  EXPECT_EQ(views_of(run_on(ctx, store->get("s"))), 2);
}

// The durability option on a server with no replica: the write happens, the save still fails
// (it did not reach a replica), and a failed write is reported as the write's own error.
TEST_F(RedisStoreTest, WaitForReplicasFailsTheSaveWhenNoneAcknowledges) {
  const auto store = open({.wait_replicas = 1, .wait_timeout = 50ms});
  boost::asio::io_context ctx;
  const std::string error = error_of(ctx, store->set("w", session_ending_in(1h, 1)));
  EXPECT_EQ(error, "redis store: the save reached 0 of the 1 replicas asked for within 50 ms (WAIT)");
  EXPECT_EQ(raw_.run("EXISTS", prefix_ + "w"), "1");
  const auto plain = stores::redis(redis_url() + "?prefix=" + prefix_ + "&wait_replicas=0");
  run_on(ctx, plain->set("w", session_ending_in(1h, 2)));
  EXPECT_EQ(views_of(run_on(ctx, plain->get("w"))), 2);

  raw_.run("CONFIG", "SET", "min-replicas-to-write", "1");  // every write is refused now
  const std::string refused = error_of(ctx, store->set("w", session_ending_in(1h, 3)));
  raw_.run("CONFIG", "SET", "min-replicas-to-write", "0");
  EXPECT_NE(refused.find("SET failed"), std::string::npos) << refused;
  EXPECT_NE(refused.find("NOREPLICAS"), std::string::npos) << refused;
}

}  // namespace
}  // namespace cortado
