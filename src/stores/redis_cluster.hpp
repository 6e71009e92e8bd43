#pragma once
// redis_cluster: a key's hash slot, the slot map as CLUSTER SHARDS / CLUSTER SLOTS give it, the
// MOVED and ASK redirects, and the router that follows them.

#include "redis_router.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

struct redisReply;

namespace cortado::stores {

/// How many hash slots a Redis Cluster has.
inline constexpr std::size_t cluster_slots = 16384;

/// CRC16 as Redis Cluster computes it (XMODEM: polynomial 0x1021, initial value 0, not reflected).
std::uint16_t crc16_xmodem(std::string_view data);

/// The key's hash slot: CRC16 of the key modulo 16384, or of the text between the first `{` and
/// the first `}` after it when that text is not empty (a hash tag), as the cluster spec says.
std::uint16_t hash_slot(std::string_view key);

/// Which master serves each slot.
struct SlotMap {
  std::vector<RedisEndpoint> masters;  // each once
  /// Index into masters per slot; `unassigned` for a slot no master serves.
  std::array<std::uint16_t, cluster_slots> owner{};
  static constexpr std::uint16_t unassigned = 0xffff;

  SlotMap() { owner.fill(unassigned); }
  /// Gives the slots from `first` to `last` (inclusive) to `master` (added when new).
  void assign(std::uint16_t first, std::uint16_t last, const RedisEndpoint& master);
};

/// The slot map in a CLUSTER SHARDS reply (Redis 7); each master gets `login`'s user, password and
/// timeouts. Throws std::runtime_error when the reply is not shaped as documented.
SlotMap parse_cluster_shards(const redisReply& reply, const RedisEndpoint& login);
/// The same from a CLUSTER SLOTS reply (before Redis 7).
SlotMap parse_cluster_slots(const redisReply& reply, const RedisEndpoint& login);

/// A `MOVED slot host:port` or `ASK slot host:port` error.
struct ClusterRedirect {
  bool ask = false;
  std::uint16_t slot = 0;
  std::string host;
  std::uint16_t port = 0;
};
/// The redirect an error reply's text asks for; nullopt for every other error.
std::optional<ClusterRedirect> parse_redirect(std::string_view error);

/// The router over a cluster whose seed nodes are `target.nodes`; reads the slot map now
/// (blocking), from the first seed that answers.
std::unique_ptr<RedisRouter> make_cluster_router(RedisTarget target);

}  // namespace cortado::stores
