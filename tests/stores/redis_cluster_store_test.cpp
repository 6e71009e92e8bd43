// The Redis store on a Redis Cluster of 3 masters and 3 replicas (services/redis_cluster.sh): the
// store suite, keys exactly as connect-redis writes them spread over every master, a slot
// migrated under the store (ASK while it moves, MOVED after), and a master killed (its replica
// takes over and the same store goes on). Without CORTADO_TEST_REDIS_CLUSTER_URL every test fails.
#include "cortado/stores/redis.hpp"

#include "stores/store_suite.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <hiredis/hiredis.h>

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <set>
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
                             "services/redis_cluster.sh starts a cluster");
  }
  return value;
}

std::string cluster_url() { return env("CORTADO_TEST_REDIS_CLUSTER_URL"); }

std::vector<std::uint16_t> cluster_ports() {
  std::istringstream words(env("CORTADO_TEST_REDIS_CLUSTER_PORTS"));
  std::vector<std::uint16_t> ports;
  for (int port = 0; words >> port;) ports.push_back(static_cast<std::uint16_t>(port));
  return ports;
}

// A key prefix no other test uses; `tag` puts every key of the prefix in one hash slot.
std::string fresh_prefix(bool tag = false) {
  static std::atomic<int> counter{0};
  const std::string unique = std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  return tag ? "cortado-cluster:{" + unique + "}:" : "cortado-cluster:" + unique + ":";
}

// A blocking hiredis connection of the test's own to one node, as redis-cli would be.
class Node {
 public:
  explicit Node(std::uint16_t port) : port_(port), context_(redisConnect("127.0.0.1", port)) {
    if (context_ == nullptr || context_->err != 0) {
      redisFree(context_);  // the destructor does not run for a constructor that throws
      throw std::runtime_error("cannot connect to node " + std::to_string(port));
    }
  }
  ~Node() { redisFree(context_); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  std::uint16_t port() const { return port_; }

  // The reply as text: a string, status or error as is, an integer in decimal, nil as "<nil>".
  std::string run(const std::vector<std::string>& words) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const std::string& word : words) {
      argv.push_back(word.data());
      lengths.push_back(word.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(words.size()), argv.data(), lengths.data()));
    if (reply == nullptr) throw std::runtime_error(std::string("command failed: ") + context_->errstr);
    std::string out = reply->type == REDIS_REPLY_INTEGER ? std::to_string(reply->integer)
                      : reply->type == REDIS_REPLY_NIL   ? "<nil>"
                      : reply->type == REDIS_REPLY_ARRAY ? array_text(*reply)
                                                         : std::string(reply->str, reply->len);
    freeReplyObject(reply);
    return out;
  }
  bool is_master() { return run({"ROLE"}).starts_with("master"); }

 private:
  static std::string array_text(const redisReply& reply) {
    std::string out;
    for (std::size_t i = 0; i < reply.elements; ++i) {
      const redisReply& e = *reply.element[i];
      if (e.type == REDIS_REPLY_STRING || e.type == REDIS_REPLY_STATUS) out += std::string(e.str, e.len) + "\n";
      if (e.type == REDIS_REPLY_INTEGER) out += std::to_string(e.integer) + "\n";
    }
    return out;
  }

  std::uint16_t port_;
  redisContext* context_;
};

// The port of the master that serves `key` now (the one that answers GET without a redirect).
std::uint16_t master_of(const std::string& key) {
  for (const std::uint16_t port : cluster_ports()) {
    try {
      Node node(port);
      if (!node.is_master()) continue;
      const std::string answer = node.run({"GET", key});
      if (!answer.starts_with("MOVED") && !answer.starts_with("ASK") && !answer.starts_with("CLUSTERDOWN")) return port;
    } catch (const std::runtime_error&) {
      // a node that is down serves nothing
    }
  }
  return 0;
}

// Waits (a bound against hanging, not a timed assertion) until every live node says cluster_state:ok.
void wait_cluster_ok() {
  for (const auto deadline = steady_clock::now() + 60s; steady_clock::now() < deadline;
       std::this_thread::sleep_for(50ms)) {
    bool ok = true;
    for (const std::uint16_t port : cluster_ports()) {
      try {
        Node node(port);
        ok = ok && node.run({"CLUSTER", "INFO"}).find("cluster_state:ok") != std::string::npos;
      } catch (const std::runtime_error&) {
        // a node that is down does not vote
      }
    }
    if (ok) return;
  }
  throw std::runtime_error("the cluster did not come back to cluster_state:ok");
}

struct RedisClusterFactory {
  static std::shared_ptr<Store> make() { return stores::redis(cluster_url() + "?prefix=" + fresh_prefix()); }
};
INSTANTIATE_STORE_SUITE(RedisCluster, RedisClusterFactory);

TEST(RedisClusterStore, KeysAreConnectRedisAndSpreadOverEveryMaster) {
  const std::string prefix = fresh_prefix();
  const auto store = stores::redis(cluster_url(), {.prefix = prefix});
  boost::asio::io_context ctx;
  std::set<std::uint16_t> masters;
  for (int i = 0; i < 30; ++i) {
    const json::object session = session_ending_in(1h, i);
    const std::string sid = store_suite::numbered("s", i);
    run_on(ctx, store->set(sid, session));
    const std::string key = prefix + sid;
    const std::uint16_t port = master_of(key);
    ASSERT_NE(port, 0) << key;
    masters.insert(port);
    Node node(port);
    EXPECT_EQ(node.run({"GET", key}), stringify(session));
    EXPECT_NEAR(std::stoll(node.run({"TTL", key})), 3600, 1);
  }
  EXPECT_EQ(masters.size(), 3u);
  EXPECT_EQ(run_on(ctx, store->length()), 30u);
  EXPECT_EQ(run_on(ctx, store->all()).size(), 30u);
  EXPECT_EQ(views_of(run_on(ctx, store->get("s7"))), 7);
  run_on(ctx, store->clear());
  EXPECT_EQ(run_on(ctx, store->length()), 0u);
  EXPECT_NE(store->describe().find("redis-cluster://"), std::string::npos) << store->describe();
}

TEST(RedisClusterStore, FollowsAskWhileASlotMigratesAndMovedAfter) {
  const std::string prefix = fresh_prefix(true);  // every key in one slot
  const auto store = stores::redis(cluster_url(), {.prefix = prefix});
  boost::asio::io_context ctx;
  run_on(ctx, store->set("a", session_ending_in(1h, 1)));
  run_on(ctx, store->set("b", session_ending_in(1h, 2)));

  const std::string slot = Node(cluster_ports().front()).run({"CLUSTER", "KEYSLOT", prefix + "a"});
  Node source(master_of(prefix + "a"));
  std::unique_ptr<Node> target;
  for (const std::uint16_t port : cluster_ports()) {
    auto node = std::make_unique<Node>(port);
    if (port != source.port() && node->is_master()) {
      target = std::move(node);
      break;
    }
  }
  ASSERT_TRUE(target);
  const std::string source_id = source.run({"CLUSTER", "MYID"});
  const std::string target_id = target->run({"CLUSTER", "MYID"});

  // The migration as redis-cli --cluster reshard does it, with a stop halfway: "a" has moved, "b" not yet.
  ASSERT_EQ(target->run({"CLUSTER", "SETSLOT", slot, "IMPORTING", source_id}), "OK");
  ASSERT_EQ(source.run({"CLUSTER", "SETSLOT", slot, "MIGRATING", target_id}), "OK");
  ASSERT_EQ(source.run({"MIGRATE", "127.0.0.1", std::to_string(target->port()), prefix + "a", "0", "5000"}), "OK");
  EXPECT_EQ(source.run({"GET", prefix + "a"}).substr(0, 4), "ASK ");
  EXPECT_EQ(views_of(run_on(ctx, store->get("a"))), 1);  // ASK followed
  EXPECT_EQ(views_of(run_on(ctx, store->get("b"))), 2);  // still on the source
  run_on(ctx, store->set("c", session_ending_in(1h, 3)));  // a new key goes to the target (ASK)
  target->run({"ASKING"});  // the target answers for the importing slot after ASKING only
  EXPECT_EQ(target->run({"EXISTS", prefix + "c"}), "1");

  ASSERT_EQ(source.run({"MIGRATE", "127.0.0.1", std::to_string(target->port()), prefix + "b", "0", "5000"}), "OK");
  // As redis-cli's reshard does, every key of the slot moves before the slot is handed over:
  // keys that other tests left in this slot (any prefix may hash to it) go along, or SETSLOT NODE
  // refuses with "I still hold keys for this hash slot".
  for (std::string keys; !(keys = source.run({"CLUSTER", "GETKEYSINSLOT", slot, "100"})).empty();) {
    std::istringstream lines(keys);
    for (std::string key; std::getline(lines, key);)
      ASSERT_EQ(source.run({"MIGRATE", "127.0.0.1", std::to_string(target->port()), key, "0", "5000"}), "OK") << key;
  }
  for (const std::uint16_t port : cluster_ports()) {
    Node node(port);
    if (node.is_master()) {
      ASSERT_EQ(node.run({"CLUSTER", "SETSLOT", slot, "NODE", target_id}), "OK");
    }
  }
  EXPECT_EQ(source.run({"GET", prefix + "b"}).substr(0, 6), "MOVED ");
  EXPECT_EQ(views_of(run_on(ctx, store->get("b"))), 2);  // MOVED followed
  run_on(ctx, store->set("b", session_ending_in(1h, 20)));
  EXPECT_EQ(views_of(run_on(ctx, store->get("b"))), 20);
  EXPECT_EQ(run_on(ctx, store->length()), 3u);
  run_on(ctx, store->destroy("a"));
  EXPECT_EQ(target->run({"EXISTS", prefix + "a"}), "0");
  run_on(ctx, store->clear());
  wait_cluster_ok();
}

TEST(RedisClusterStore, GoesOnAfterAMasterIsKilledAndItsReplicaTakesOver) {
  const std::string prefix = fresh_prefix(true);
  // WAIT for the replica: the session must be on it before the master dies.
  const auto store = stores::redis(cluster_url(), {.prefix = prefix, .wait_replicas = 1});
  boost::asio::io_context ctx;
  run_on(ctx, store->set("kept", session_ending_in(1h, 5)));
  const std::uint16_t victim = master_of(prefix + "kept");
  ASSERT_NE(victim, 0);

  ASSERT_EQ(std::system((env("CORTADO_TEST_REDIS_CLUSTER_KILL") + " " + std::to_string(victim)).c_str()), 0);
  // Calls fail while the cluster notices and promotes the replica, then succeed on the same store.
  std::string last_error;
  int failures = 0;
  std::optional<json::object> got;
  for (const auto deadline = steady_clock::now() + 60s; steady_clock::now() < deadline;
       std::this_thread::sleep_for(100ms)) {
    try {
      got = run_on(ctx, store->get("kept"));
      break;
    } catch (const std::exception& e) {
      last_error = e.what();
      ++failures;
    }
  }
  EXPECT_EQ(views_of(got), 5) << "last error: " << last_error;
  EXPECT_GT(failures, 0) << "the master's death went unnoticed: was it killed?";
  EXPECT_NE(master_of(prefix + "kept"), victim);
  // The promoted master has no replica now: a save that asks for one fails, and says why.
  const std::string refused = testing::error_of(ctx, store->set("after", session_ending_in(1h, 6)));
  EXPECT_NE(refused.find("0 of the 1 replicas"), std::string::npos) << refused;
  const auto relaxed = stores::redis(cluster_url(), {.prefix = prefix});
  run_on(ctx, relaxed->set("after", session_ending_in(1h, 6)));
  EXPECT_EQ(views_of(run_on(ctx, relaxed->get("after"))), 6);

  // The old master comes back as the new one's replica, and saves that wait for one succeed again.
  ASSERT_EQ(std::system((env("CORTADO_TEST_REDIS_CLUSTER_START") + " " + std::to_string(victim)).c_str()), 0);
  wait_cluster_ok();
  std::string waited = "not tried";
  for (const auto deadline = steady_clock::now() + 60s; !waited.empty() && steady_clock::now() < deadline;) {
    waited = testing::error_of(ctx, store->set("again", session_ending_in(1h, 7)));
  }
  EXPECT_EQ(waited, "");
  run_on(ctx, store->clear());
}

}  // namespace
}  // namespace cortado
