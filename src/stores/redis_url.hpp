#pragma once
// redis_url: reads redis://[user:password@]HOST[:PORT][/DB][?prefix=P&ttl=S...] into where to
// connect and the store's options.

#include "cortado/stores/redis.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cortado::stores {

/// Where a Redis store connects and how it logs in; shared by every connection of the store.
struct RedisEndpoint {
  std::string host;  // a name, an IPv4 address or an IPv6 address without brackets
  std::uint16_t port = 6379;
  std::string user;      // empty: AUTH with the password alone (the "default" user)
  std::string password;  // empty with an empty user: no AUTH
  int db = 0;            // nonzero: SELECT it after connecting
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{2000};

  /// "host:port" ("[::1]:port" for IPv6), the form every error message names the server by.
  std::string address() const;
  /// Whether AUTH is sent after connecting.
  bool needs_auth() const { return !user.empty() || !password.empty(); }
};

/// Parses `url` into an endpoint and applies its query (prefix, ttl, scan_count, disable_touch,
/// disable_ttl) over `options`; throws std::invalid_argument with a one-line reason when malformed.
RedisEndpoint parse_redis_url(std::string_view url, RedisOptions& options);

/// Which servers a Redis store talks to: one server, a cluster, or the master Sentinel names.
enum class RedisTopology { single, cluster, sentinel };

/// What a redis://, redis-cluster:// or redis-sentinel:// URL names.
struct RedisTarget {
  RedisTopology topology = RedisTopology::single;
  /// single: the server; cluster: the seed nodes; sentinel: the sentinels (default port 26379).
  std::vector<RedisEndpoint> nodes;
  /// The user and password of the data nodes (cluster nodes, the master); sentinels get none.
  RedisEndpoint login;
  /// sentinel: the name the sentinels know the master by.
  std::string master_name;
};

/// Parses any of the three URL forms, `redis-cluster://[user:pw@]HOST:PORT[,HOST:PORT...][?query]`
/// and `redis-sentinel://[user:pw@]HOST:PORT[,HOST:PORT...]/MASTER_NAME[?query]` besides
/// parse_redis_url's; throws std::invalid_argument with a one-line reason when malformed.
RedisTarget parse_redis_target(std::string_view url, RedisOptions& options);

/// Reads "HOST[:PORT]" or "[IPv6][:PORT]" into `endpoint` (the port is kept when absent).
void parse_host_port(std::string_view host_port, RedisEndpoint& endpoint);

}  // namespace cortado::stores
