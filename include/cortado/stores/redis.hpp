#pragma once
/// Redis store: sessions as connect-redis keeps them, shared with Node processes through one Redis.

#include "cortado/session/store.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace cortado::stores {

/// connect-redis's options (prefix, ttl, disableTouch, disableTTL, scanCount) and how long to wait.
struct RedisOptions {
  /// Put before every session id to make the key; sessions of other prefixes are never seen.
  std::string prefix = "sess:";
  /// Lifetime of a session whose cookie has no expires; zero means the default, as connect-redis's `ttl || 86400`.
  std::chrono::seconds ttl{86400};
  /// touch() does nothing: a session then lives for its TTL from the last save, not from the last visit.
  bool disable_touch = false;
  /// Keys are written without expiry and touch() does nothing; something else must clean up.
  bool disable_ttl = false;
  /// The COUNT hint of the SCAN that all(), length() and clear() walk the keys with; zero means 100.
  std::size_t scan_count = 100;
  /// Keeps the owner index (Session::set_owner, sessions_of, destroy_all) in keys beside the
  /// sessions: a set "owner:" + prefix + OWNER of session ids and a string "owner-of:" + prefix + ID,
  /// both expiring with the sessions they name. Costs one more command, in the same round trip,
  /// per save, touch and destroy. false: the owner calls throw std::logic_error.
  bool owners = true;
  /// How long connecting (and AUTH, SELECT) may take before calls fail with "cannot reach".
  std::chrono::milliseconds connect_timeout{1000};
  /// How long a connection may wait for its next reply before it is dropped and its calls fail;
  /// zero: no limit.
  std::chrono::milliseconds command_timeout{2000};
  /// Durability: after each save, `WAIT wait_replicas wait_timeout` on the same connection, and the
  /// save fails unless that many replicas acknowledged it. Zero (the default): no WAIT. It costs a
  /// replication round trip per save, and since replies come in order, every command pipelined
  /// behind the WAIT on that connection waits with it (up to wait_timeout when a replica is down);
  /// keep command_timeout above wait_timeout.
  std::size_t wait_replicas = 0;
  std::chrono::milliseconds wait_timeout{1000};
};

/// Opens a store on the Redis at `url`, `redis://[user:password@]HOST[:PORT][/DB][?query]`, where
/// the query may set prefix, ttl (seconds), scan_count, disable_touch and disable_ttl (1/0, true/false)
/// over `options`. Sessions are stored as connect-redis writes them: key prefix + id, value
/// JSON.stringify(session), expiry from cookie.expires (else `ttl`). Every call is asynchronous on
/// the caller's io_context over one pipelined connection per io_context, made on first use and
/// remade after an outage. Connects once now (blocking) and throws std::runtime_error when Redis
/// cannot be reached or refuses AUTH/SELECT; throws std::invalid_argument when the URL is malformed.
/// The query may also set wait_replicas and wait_timeout (milliseconds).
///
/// `redis-cluster://HOST:PORT[,HOST:PORT...][?query]` opens it on a Redis Cluster: each key goes to
/// the master of its hash slot (the slot map read from the seed nodes with CLUSTER SHARDS, or
/// CLUSTER SLOTS), MOVED and ASK redirects are followed and the map is read again after a redirect
/// or a lost connection; all(), length() and clear() walk every master. One pipelined connection
/// per node per io_context. `redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER_NAME[?query]` asks
/// the sentinels where the master is, and asks again after a lost connection or a READONLY reply,
/// so a failover is followed without a restart.
std::shared_ptr<Store> redis(std::string url, RedisOptions options = {});

}  // namespace cortado::stores
