// redis_cluster: slots, the slot map, redirects, and the cluster router (see the Redis Cluster
// specification: "Keys distribution model", "Redirection and resharding").
#include "redis_cluster.hpp"

#include <boost/asio/this_coro.hpp>

#include <hiredis/hiredis.h>

#include <atomic>
#include <charconv>
#include <exception>
#include <mutex>
#include <stdexcept>

namespace cortado::stores {
namespace {

namespace asio = boost::asio;

// Redirects one command may follow before it fails: a slot moves once, and a resharding in
// progress may bounce it between two nodes a few times, never for long.
constexpr int max_redirects = 5;

constexpr std::array<std::uint16_t, 256> crc16_table = [] {
  std::array<std::uint16_t, 256> table{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte << 8;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = static_cast<std::uint16_t>(crc);
  }
  return table;
}();

std::string text_of(const redisReply& reply) { return std::string(reply.str, reply.len); }

[[noreturn]] void bad_map(const std::string& what) {
  throw std::runtime_error("redis store: the cluster's slot map is not as documented: " + what);
}

std::uint16_t slot_number(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_INTEGER || reply.integer < 0 || reply.integer >= std::int64_t(cluster_slots)) {
    bad_map("a slot is not a number from 0 to 16383");
  }
  return static_cast<std::uint16_t>(reply.integer);
}

std::uint16_t port_number(const redisReply& reply) {
  std::int64_t port = -1;
  if (reply.type == REDIS_REPLY_INTEGER) port = reply.integer;
  if (reply.type == REDIS_REPLY_STRING) std::from_chars(reply.str, reply.str + reply.len, port);
  if (port <= 0 || port > 65535) bad_map("a port is not a number from 1 to 65535");
  return static_cast<std::uint16_t>(port);
}

// A RESP2 map (a flat array of names and values): the value named `name`, or nullptr.
const redisReply* field(const redisReply& map, std::string_view name) {
  if (map.type != REDIS_REPLY_ARRAY) return nullptr;  // RESP2: hiredis here speaks no RESP3
  for (std::size_t i = 0; i + 1 < map.elements; i += 2) {
    const redisReply& key = *map.element[i];
    if (key.type == REDIS_REPLY_STRING && std::string_view(key.str, key.len) == name) return map.element[i + 1];
  }
  return nullptr;
}

std::string string_field(const redisReply& map, std::string_view name) {
  const redisReply* value = field(map, name);
  return value != nullptr && value->type == REDIS_REPLY_STRING ? text_of(*value) : std::string();
}

RedisEndpoint node_endpoint(const RedisEndpoint& login, std::string host, std::uint16_t port) {
  RedisEndpoint node = login;
  node.host = std::move(host);
  node.port = port;
  node.db = 0;
  return node;
}

class ClusterRouter final : public RedisRouter {
 public:
  ClusterRouter(RedisTarget target, SlotMap map)
      : seeds_(std::move(target.nodes)), login_(std::move(target.login)),
        map_(std::make_shared<const SlotMap>(std::move(map))) {}

  Task<RedisReplyPtr> execute(std::string_view key, std::string command) override {
    return route(hash_slot(key), std::move(command), std::string());
  }

  Task<RedisReplyPtr> execute_then(std::string_view key, std::string command, std::string then) override {
    return route(hash_slot(key), std::move(command), std::move(then));
  }

  Task<std::vector<RedisEndpoint>> masters() override { co_return map()->masters; }

  Task<RedisReplyPtr> execute_at(const RedisEndpoint& node, std::string command) override {
    const auto executor = co_await asio::this_coro::executor;
    std::exception_ptr lost;
    try {
      co_return co_await connection(executor, node)->execute(std::move(command));
    } catch (const ConnectionDropped&) {
      lost = std::current_exception();
    }
    co_await refresh(executor);  // the next walk over the masters sees the new map
    std::rethrow_exception(lost);
  }

  bool same_group(std::string_view a, std::string_view b) const override { return hash_slot(a) == hash_slot(b); }

  std::string describe() const override {
    std::string out = "redis-cluster://";
    for (std::size_t i = 0; i < seeds_.size(); ++i) {
      if (i > 0) out += ',';
      out += seeds_[i].address();
    }
    return out;
  }

 private:
  std::shared_ptr<const SlotMap> map() const {
    const std::lock_guard lock(map_mutex_);
    return map_;
  }

  void install(std::shared_ptr<const SlotMap> map) {
    const std::lock_guard lock(map_mutex_);
    map_ = std::move(map);
  }

  // Who serves `slot` now, as far as this router knows.
  std::optional<RedisEndpoint> owner_of(std::uint16_t slot) const {
    const std::shared_ptr<const SlotMap> current = map();
    const std::uint16_t index = current->owner[slot];
    if (index == SlotMap::unassigned) return std::nullopt;
    return current->masters[index];
  }

  // A MOVED answer is the old owner's word: it holds until a fresher map says otherwise.
  void note_moved(std::uint16_t slot, const RedisEndpoint& node) {
    auto changed = std::make_shared<SlotMap>(*map());
    changed->assign(slot, slot, node);
    install(std::move(changed));
  }

  Task<RedisReplyPtr> route(std::uint16_t slot, std::string command, std::string then) {
    const auto executor = co_await asio::this_coro::executor;
    for (int attempt = 0;; ++attempt) {
      std::optional<RedisEndpoint> node = owner_of(slot);
      if (!node) {
        co_await refresh(executor);
        node = owner_of(slot);
        if (!node) {
          throw std::runtime_error("redis store: no master of the cluster serves slot " + std::to_string(slot));
        }
      }
      RedisReplyPtr reply;
      std::exception_ptr lost;
      try {
        const std::shared_ptr<RedisConnection> to = connection(executor, *node);
        if (then.empty()) {
          reply = co_await to->execute(command);
        } else {
          reply = co_await to->execute_pair(command, then);
        }
      } catch (const ConnectionDropped&) {
        lost = std::current_exception();
      }
      if (lost) {
        // The master may have failed over to its replica: read the map again, and try at once
        // when another node serves the slot now; otherwise the caller fails (a failover window).
        co_await refresh(executor);
        const std::optional<RedisEndpoint> now = owner_of(slot);
        if (attempt < max_redirects && now && now->address() != node->address()) continue;
        std::rethrow_exception(lost);
      }
      if (reply->type != REDIS_REPLY_ERROR) co_return reply;
      const std::optional<ClusterRedirect> redirect = parse_redirect(std::string_view(reply->str, reply->len));
      if (!redirect) co_return reply;
      if (attempt >= max_redirects) {
        throw std::runtime_error("redis store: slot " + std::to_string(slot) + " redirected more than " +
                                 std::to_string(max_redirects) + " times, last: " + text_of(*reply));
      }
      const RedisEndpoint target =
          node_endpoint(login_, redirect->host.empty() ? node->host : redirect->host, redirect->port);
      if (redirect->ask) {
        // The slot is being migrated and this key has gone already: ASKING lets the importing
        // node answer the next command only, so the two go as one pair; the map stays as is.
        const std::shared_ptr<RedisConnection> to = connection(executor, target);
        RedisReplyPtr asked = co_await to->execute_pair(redis_command("ASKING"), command);
        if (!then.empty() && asked->type != REDIS_REPLY_ERROR) asked = co_await to->execute(then);
        co_return asked;
      }
      co_await refresh(executor);
      note_moved(redirect->slot, target);
    }
  }

  // Reads the slot map from the first node that answers (the known masters, then the seeds).
  // One refresh at a time: a caller that finds one under way goes on with the map it has.
  Task<> refresh(const asio::any_io_executor& executor) {
    if (refreshing_.exchange(true)) co_return;
    struct Done {
      std::atomic<bool>& flag;
      ~Done() { flag = false; }
    } done{refreshing_};
    std::vector<RedisEndpoint> candidates = map()->masters;
    candidates.insert(candidates.end(), seeds_.begin(), seeds_.end());
    for (const RedisEndpoint& candidate : candidates) {
      try {
        const std::shared_ptr<RedisConnection> to = connection(executor, candidate);
        RedisReplyPtr reply = co_await to->execute(redis_command("CLUSTER", "SHARDS"));
        SlotMap fresh;
        if (reply->type == REDIS_REPLY_ERROR) {
          reply = co_await to->execute(redis_command("CLUSTER", "SLOTS"));
          if (reply->type == REDIS_REPLY_ERROR) continue;
          fresh = parse_cluster_slots(*reply, login_);
        } else {
          fresh = parse_cluster_shards(*reply, login_);
        }
        if (fresh.masters.empty()) continue;
        install(std::make_shared<const SlotMap>(std::move(fresh)));
        co_return;
      } catch (const std::exception&) {
        // This node is down or answers nonsense: the next one may do.
      }
    }
  }

  std::vector<RedisEndpoint> seeds_;
  RedisEndpoint login_;
  mutable std::mutex map_mutex_;
  std::shared_ptr<const SlotMap> map_;  // replaced whole, never changed in place: readers keep theirs
  std::atomic<bool> refreshing_{false};
};

}  // namespace

std::uint16_t crc16_xmodem(std::string_view data) {
  std::uint16_t crc = 0;
  for (const char c : data) {
    crc = static_cast<std::uint16_t>((crc << 8) ^ crc16_table[((crc >> 8) ^ static_cast<unsigned char>(c)) & 0xff]);
  }
  return crc;
}

std::uint16_t hash_slot(std::string_view key) {
  if (const std::size_t open = key.find('{'); open != std::string_view::npos) {
    const std::size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
  }
  return crc16_xmodem(key) & (cluster_slots - 1);
}

void SlotMap::assign(std::uint16_t first, std::uint16_t last, const RedisEndpoint& master) {
  std::size_t index = 0;
  while (index < masters.size() && masters[index].address() != master.address()) ++index;
  if (index == masters.size()) masters.push_back(master);
  for (std::size_t slot = first; slot <= last && slot < cluster_slots; ++slot) {
    owner[slot] = static_cast<std::uint16_t>(index);
  }
}

SlotMap parse_cluster_shards(const redisReply& reply, const RedisEndpoint& login) {
  if (reply.type != REDIS_REPLY_ARRAY) bad_map("CLUSTER SHARDS did not answer an array");
  SlotMap map;
  for (std::size_t i = 0; i < reply.elements; ++i) {
    const redisReply& shard = *reply.element[i];
    const redisReply* slots = field(shard, "slots");
    const redisReply* nodes = field(shard, "nodes");
    if (slots == nullptr || nodes == nullptr || slots->type != REDIS_REPLY_ARRAY || nodes->type != REDIS_REPLY_ARRAY ||
        slots->elements % 2 != 0) {
      bad_map("a shard without slots and nodes");
    }
    if (slots->elements == 0) continue;  // a master with no slots serves nothing
    // The master that is up; a failed one is listed until its replica takes over.
    const redisReply* master = nullptr;
    for (std::size_t n = 0; n < nodes->elements; ++n) {
      const redisReply& node = *nodes->element[n];
      if (string_field(node, "role") != "master") continue;
      if (master == nullptr || string_field(node, "health") == "online") master = &node;
    }
    if (master == nullptr) continue;
    std::string host = string_field(*master, "ip");
    if (host.empty()) host = string_field(*master, "endpoint");
    const redisReply* port = field(*master, "port");
    if (host.empty() || port == nullptr) bad_map("a master without ip and port");
    const RedisEndpoint endpoint = node_endpoint(login, host, port_number(*port));
    for (std::size_t s = 0; s < slots->elements; s += 2) {
      map.assign(slot_number(*slots->element[s]), slot_number(*slots->element[s + 1]), endpoint);
    }
  }
  return map;
}

SlotMap parse_cluster_slots(const redisReply& reply, const RedisEndpoint& login) {
  if (reply.type != REDIS_REPLY_ARRAY) bad_map("CLUSTER SLOTS did not answer an array");
  SlotMap map;
  for (std::size_t i = 0; i < reply.elements; ++i) {
    const redisReply& range = *reply.element[i];
    if (range.type != REDIS_REPLY_ARRAY || range.elements < 3) bad_map("a slot range without its master");
    const redisReply& master = *range.element[2];
    if (master.type != REDIS_REPLY_ARRAY || master.elements < 2 || master.element[0]->type != REDIS_REPLY_STRING) {
      bad_map("a master without ip and port");
    }
    const RedisEndpoint endpoint = node_endpoint(login, text_of(*master.element[0]), port_number(*master.element[1]));
    map.assign(slot_number(*range.element[0]), slot_number(*range.element[1]), endpoint);
  }
  return map;
}

std::optional<ClusterRedirect> parse_redirect(std::string_view error) {
  ClusterRedirect redirect;
  if (error.starts_with("MOVED ")) {
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    redirect.ask = true;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const std::size_t space = error.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  unsigned slot = 0;
  const auto [end, ec] = std::from_chars(error.data(), error.data() + space, slot);
  if (ec != std::errc() || end != error.data() + space || slot >= cluster_slots) return std::nullopt;
  redirect.slot = static_cast<std::uint16_t>(slot);
  // Redis 7 sends "MOVED 3999 :6381" when the target's address is unknown to it: the host stays
  // empty, meaning the host of the node that answered.
  const std::string_view address = error.substr(space + 1);
  const bool no_host = address.starts_with(':');
  RedisEndpoint where;
  try {
    parse_host_port(no_host ? "x" + std::string(address) : std::string(address), where);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  redirect.host = no_host ? std::string() : std::move(where.host);
  redirect.port = where.port;
  return redirect;
}

std::unique_ptr<RedisRouter> make_cluster_router(RedisTarget target) {
  std::string failures;
  for (const RedisEndpoint& seed : target.nodes) {
    try {
      RedisReplyPtr reply = blocking_redis_command(seed, {"CLUSTER", "SHARDS"});
      SlotMap map;
      if (reply->type == REDIS_REPLY_ERROR) {
        reply = blocking_redis_command(seed, {"CLUSTER", "SLOTS"});
        if (reply->type == REDIS_REPLY_ERROR) {
          throw std::runtime_error("redis store: " + seed.address() + " is not a cluster node: " + text_of(*reply));
        }
        map = parse_cluster_slots(*reply, target.login);
      } else {
        map = parse_cluster_shards(*reply, target.login);
      }
      if (map.masters.empty()) throw std::runtime_error("redis store: " + seed.address() + " knows no master");
      return std::make_unique<ClusterRouter>(std::move(target), std::move(map));
    } catch (const std::runtime_error& e) {
      failures += failures.empty() ? e.what() : std::string("; ") + e.what();
    }
  }
  throw std::runtime_error(failures);
}

}  // namespace cortado::stores
