// Hash slots, slot maps, redirects and the cluster/sentinel URL forms, without a server: replies
// are parsed from RESP text by hiredis, as they come off the socket.
#include "stores/redis_cluster.hpp"
#include "stores/redis_url.hpp"

#include <gtest/gtest.h>

#include <hiredis/hiredis.h>

#include <stdexcept>

namespace cortado::stores {
namespace {

RedisReplyPtr parse_resp(const std::string& text) {
  const RedisReader reader = make_redis_reader();
  redisReaderFeed(reader.get(), text.data(), text.size());
  void* reply = nullptr;
  if (redisReaderGetReply(reader.get(), &reply) != REDIS_OK || reply == nullptr) throw std::runtime_error("bad RESP");
  return RedisReplyPtr(static_cast<redisReply*>(reply));
}

std::string bulk(const std::string& text) { return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n"; }

TEST(RedisClusterSlots, Crc16IsXmodem) {
  EXPECT_EQ(crc16_xmodem("123456789"), 0x31C3);  // the check value the cluster spec gives
  EXPECT_EQ(crc16_xmodem(""), 0);
}

TEST(RedisClusterSlots, SlotsAsRedisComputesThem) {
  // Values from CLUSTER KEYSLOT on Redis 7.
  EXPECT_EQ(hash_slot("foo"), 12182);
  EXPECT_EQ(hash_slot("bar"), 5061);
  EXPECT_EQ(hash_slot("sess:abc"), hash_slot("sess:abc"));
}

TEST(RedisClusterSlots, HashTagsAsTheSpecSays) {
  EXPECT_EQ(hash_slot("{user1000}.following"), hash_slot("user1000"));
  EXPECT_EQ(hash_slot("{user1000}.followers"), hash_slot("user1000"));
  EXPECT_EQ(hash_slot("foo{}{bar}"), crc16_xmodem("foo{}{bar}") % 16384);  // empty tag: the whole key
  EXPECT_EQ(hash_slot("foo{{bar}}zap"), hash_slot("{bar"));                 // up to the first '}'
  EXPECT_EQ(hash_slot("foo{bar}{zap}"), hash_slot("bar"));                  // the first tag only
  EXPECT_EQ(hash_slot("foo{bar"), crc16_xmodem("foo{bar") % 16384);         // unclosed: the whole key
}

TEST(RedisClusterRedirects, MovedAndAsk) {
  const auto moved = parse_redirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_FALSE(moved->ask);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->host, "127.0.0.1");
  EXPECT_EQ(moved->port, 6381);
  const auto ask = parse_redirect("ASK 12 [::1]:7000");
  ASSERT_TRUE(ask);
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->host, "::1");
  const auto unknown_host = parse_redirect("MOVED 1 :7001");
  ASSERT_TRUE(unknown_host);
  EXPECT_EQ(unknown_host->host, "");
  EXPECT_FALSE(parse_redirect("ERR wrong number of arguments"));
  EXPECT_FALSE(parse_redirect("MOVED 99999 127.0.0.1:1"));
  EXPECT_FALSE(parse_redirect("MOVED x 127.0.0.1:1"));
}

TEST(RedisClusterMap, FromClusterShards) {
  auto node = [](const std::string& port, const std::string& role, const std::string& health) {
    return "*14\r\n" + bulk("id") + bulk("abc") + bulk("port") + ":" + port + "\r\n" + bulk("ip") +
           bulk("127.0.0.1") + bulk("endpoint") + bulk("127.0.0.1") + bulk("role") + bulk(role) +
           bulk("replication-offset") + ":0\r\n" + bulk("health") + bulk(health);
  };
  const std::string shards = "*2\r\n"
                             "*4\r\n" + bulk("slots") + "*4\r\n:0\r\n:99\r\n:200\r\n:299\r\n" + bulk("nodes") + "*2\r\n" +
                             node("7001", "replica", "online") + node("7000", "master", "online") +
                             "*4\r\n" + bulk("slots") + "*2\r\n:100\r\n:199\r\n" + bulk("nodes") + "*2\r\n" +
                             node("7002", "master", "failed") + node("7003", "master", "online");
  RedisEndpoint login;
  login.password = "pw";
  const SlotMap map = parse_cluster_shards(*parse_resp(shards), login);
  ASSERT_EQ(map.masters.size(), 2u);
  EXPECT_EQ(map.masters[map.owner[0]].port, 7000);
  EXPECT_EQ(map.masters[map.owner[250]].port, 7000);
  EXPECT_EQ(map.masters[map.owner[150]].port, 7003);  // the master that is up
  EXPECT_EQ(map.masters[map.owner[150]].password, "pw");
  EXPECT_EQ(map.owner[300], SlotMap::unassigned);
  EXPECT_THROW(parse_cluster_shards(*parse_resp(":1\r\n"), login), std::runtime_error);
}

TEST(RedisClusterMap, FromClusterSlots) {
  const std::string slots = "*1\r\n*4\r\n:0\r\n:16383\r\n*3\r\n" + bulk("10.0.0.1") + ":7000\r\n" + bulk("id1") +
                            "*3\r\n" + bulk("10.0.0.2") + ":7001\r\n" + bulk("id2");
  const SlotMap map = parse_cluster_slots(*parse_resp(slots), RedisEndpoint{});
  ASSERT_EQ(map.masters.size(), 1u);
  EXPECT_EQ(map.masters[0].address(), "10.0.0.1:7000");
  EXPECT_EQ(map.owner[16383], 0);
}

TEST(RedisTargetUrl, ClusterAndSentinelForms) {
  RedisOptions options;
  const RedisTarget cluster =
      parse_redis_target("redis-cluster://u:p%40w@127.0.0.1:7000,[::1]:7001,host?prefix=s:&wait_replicas=1", options);
  EXPECT_EQ(cluster.topology, RedisTopology::cluster);
  ASSERT_EQ(cluster.nodes.size(), 3u);
  EXPECT_EQ(cluster.nodes[1].address(), "[::1]:7001");
  EXPECT_EQ(cluster.nodes[2].address(), "host:6379");
  EXPECT_EQ(cluster.nodes[0].password, "p@w");
  EXPECT_EQ(cluster.login.user, "u");
  EXPECT_EQ(options.prefix, "s:");
  EXPECT_EQ(options.wait_replicas, 1u);

  const RedisTarget sentinel = parse_redis_target("redis-sentinel://a:1,b/mymaster?ttl=60&wait_timeout=250", options);
  EXPECT_EQ(sentinel.topology, RedisTopology::sentinel);
  EXPECT_EQ(sentinel.master_name, "mymaster");
  EXPECT_EQ(sentinel.nodes[1].address(), "b:26379");
  EXPECT_EQ(options.wait_timeout.count(), 250);

  EXPECT_EQ(parse_redis_target("redis://h:1/2", options).topology, RedisTopology::single);
  EXPECT_THROW(parse_redis_target("redis-cluster://h:1/0", options), std::invalid_argument);
  EXPECT_THROW(parse_redis_target("redis-sentinel://h:1", options), std::invalid_argument);
  EXPECT_THROW(parse_redis_target("redis-cluster://", options), std::invalid_argument);
  EXPECT_THROW(parse_redis_target("redis-cluster://h:99999", options), std::invalid_argument);
}

}  // namespace
}  // namespace cortado::stores
