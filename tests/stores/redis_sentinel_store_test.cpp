// The Redis store through Redis Sentinel (services/redis_sentinel.sh: a master, its replica and 3
// sentinels): the store suite, and a failover (SENTINEL FAILOVER) followed by the same store
// without a restart. Without CORTADO_TEST_REDIS_SENTINEL_URL every test fails.
#include "cortado/stores/redis.hpp"

#include "stores/store_suite.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <hiredis/hiredis.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace cortado {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;
using store_suite::session_ending_in;
using store_suite::views_of;
using testing::run_on;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run the store tests through tests/stores/run.sh, whose "
                             "services/redis_sentinel.sh starts the sentinels");
  }
  return value;
}

std::string sentinel_url() { return env("CORTADO_TEST_REDIS_SENTINEL_URL"); }

std::uint16_t first_sentinel() {
  std::istringstream words(env("CORTADO_TEST_REDIS_SENTINEL_PORTS"));
  int port = 0;
  words >> port;
  return static_cast<std::uint16_t>(port);
}

std::string fresh_prefix() {
  static std::atomic<int> counter{0};
  return "cortado-sentinel:" + std::to_string(::getpid()) + ":" + std::to_string(counter.fetch_add(1)) + ":";
}

// One command on a blocking connection of the test's own; an array reply's strings joined by ':'.
std::string command(std::uint16_t port, const std::vector<std::string>& words) {
  redisContext* context = redisConnect("127.0.0.1", port);
  if (context == nullptr || context->err != 0) {
    redisFree(context);
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& word : words) {
    argv.push_back(word.data());
    lengths.push_back(word.size());
  }
  auto* reply =
      static_cast<redisReply*>(redisCommandArgv(context, static_cast<int>(words.size()), argv.data(), lengths.data()));
  std::string out;
  if (reply != nullptr && reply->type == REDIS_REPLY_ARRAY) {
    for (std::size_t i = 0; i < reply->elements; ++i) {
      if (i > 0) out += ':';
      out += std::string(reply->element[i]->str, reply->element[i]->len);
    }
  } else if (reply != nullptr && reply->type == REDIS_REPLY_INTEGER) {
    out = std::to_string(reply->integer);
  } else if (reply != nullptr && reply->str != nullptr) {
    out.assign(reply->str, reply->len);
  }
  freeReplyObject(reply);
  redisFree(context);
  return out;
}

// "127.0.0.1:PORT" of the master the sentinels name now.
std::string current_master() { return command(first_sentinel(), {"SENTINEL", "get-master-addr-by-name", "cortado"}); }

struct RedisSentinelFactory {
  static std::shared_ptr<Store> make() { return stores::redis(sentinel_url() + "?prefix=" + fresh_prefix()); }
};
INSTANTIATE_STORE_SUITE(RedisSentinel, RedisSentinelFactory);

TEST(RedisSentinelStore, FollowsAFailoverWithoutARestart) {
  const std::string prefix = fresh_prefix();
  const auto store = stores::redis(sentinel_url(), {.prefix = prefix});
  // The durable store's saves are on the replica before they count, so they survive the failover.
  const auto durable = stores::redis(sentinel_url(), {.prefix = prefix, .wait_replicas = 1});
  boost::asio::io_context ctx;
  run_on(ctx, durable->set("kept", session_ending_in(1h, 3)));
  EXPECT_EQ(views_of(run_on(ctx, store->get("kept"))), 3);
  const std::string before = current_master();
  EXPECT_NE(store->describe().find(before), std::string::npos) << store->describe();

  ASSERT_EQ(command(first_sentinel(), {"SENTINEL", "FAILOVER", "cortado"}), "OK");
  std::string after = before;
  for (const auto deadline = steady_clock::now() + 60s; after == before && steady_clock::now() < deadline;
       std::this_thread::sleep_for(50ms)) {
    after = current_master();
  }
  ASSERT_NE(after, before) << "the sentinels did not fail over";
  // Until the sentinels demote it, the old master still takes writes (Sentinel's own window, for
  // every client); once it is a replica, the store must notice.
  const auto old_port = static_cast<std::uint16_t>(std::stoi(before.substr(before.find(':') + 1)));
  std::string old_role;
  for (const auto deadline = steady_clock::now() + 60s; !old_role.starts_with("slave") && steady_clock::now() < deadline;
       std::this_thread::sleep_for(50ms)) {
    old_role = command(old_port, {"ROLE"});
  }
  ASSERT_TRUE(old_role.starts_with("slave")) << old_role;

  // The same store, no restart: a write lands on the new master (after at most a failed call or
  // two while the roles change).
  std::string last_error = "not tried";
  for (const auto deadline = steady_clock::now() + 60s; !last_error.empty() && steady_clock::now() < deadline;
       std::this_thread::sleep_for(50ms)) {
    last_error = testing::error_of(ctx, store->set("written", session_ending_in(1h, 4)));
  }
  EXPECT_EQ(last_error, "");
  const auto new_port = static_cast<std::uint16_t>(std::stoi(after.substr(after.find(':') + 1)));
  EXPECT_EQ(command(new_port, {"EXISTS", prefix + "written"}), "1");
  EXPECT_EQ(views_of(run_on(ctx, store->get("kept"))), 3);
  EXPECT_NE(store->describe().find(after), std::string::npos) << store->describe();
  run_on(ctx, store->clear());
}

}  // namespace
}  // namespace cortado
