#pragma once
// redis_url: reads redis://[user:password@]HOST[:PORT][/DB][?prefix=P&ttl=S...] into where to
// connect and the store's options.

#include "cortado/stores/redis.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

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

}  // namespace cortado::stores
