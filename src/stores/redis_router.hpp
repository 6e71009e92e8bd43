#pragma once
// RedisRouter: which server a Redis store's command goes to (one server, the master of a key's
// cluster slot, or the master the sentinels name), with one pipelined connection per server per
// io_context.

#include "redis_connection.hpp"
#include "redis_url.hpp"

#include "cortado/core/task.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct redisContext;

namespace cortado::stores {

/// The connections of one store on one io_context, one per server address, made on first use;
/// kept in a ConnectionRegistry so that they close with the io_context.
class RedisNodeConnections {
 public:
  explicit RedisNodeConnections(const boost::asio::any_io_executor& executor) : executor_(executor) {}

  /// The connection to `endpoint` (by its address), made when missing.
  std::shared_ptr<RedisConnection> connection(const RedisEndpoint& endpoint);
  /// Closes every connection (the io_context is going).
  void shutdown();

 private:
  boost::asio::any_io_executor executor_;
  std::mutex mutex_;  // a second thread may run the same io_context
  std::unordered_map<std::string, std::shared_ptr<RedisConnection>> connections_;
};

/// Where a store's commands go. Error replies come back as replies (redirects excepted, which are
/// followed); a server that cannot be reached throws ConnectionDropped.
class RedisRouter {
 public:
  virtual ~RedisRouter() = default;

  /// Sends `command`, which reads or writes `key` only, to the server that holds the key.
  virtual Task<RedisReplyPtr> execute(std::string_view key, std::string command) = 0;
  /// Sends `command` and then `then` on the same connection to the server that holds `key`, and
  /// resumes with the reply to `then` (WAIT after a write counts that connection's writes).
  virtual Task<RedisReplyPtr> execute_then(std::string_view key, std::string command, std::string then) = 0;
  /// Sends `first` (on `first_key`) and `second` (on `second_key`) and resumes with both replies,
  /// as an array of two (redis_reply_pair). Both commands are sent before either reply is
  /// awaited: here on the two keys' servers side by side; a router whose keys share one server
  /// sends them as one request on its connection.
  virtual Task<RedisReplyPtr> execute_both(std::string_view first_key, std::string first, std::string_view second_key,
                                           std::string second);
  /// The connection every command of this io_context goes to, as it is, when the router has
  /// nothing to do on the way (one server: no redirects, no failover); null otherwise. The store
  /// then awaits the connection itself, without a coroutine frame of the router's per command.
  virtual std::shared_ptr<RedisConnection> direct(const boost::asio::any_io_executor&) { return nullptr; }
  /// The masters that together hold every key (SCAN runs on each).
  virtual Task<std::vector<RedisEndpoint>> masters() = 0;
  /// Sends a keyless command (SCAN) to one of masters().
  virtual Task<RedisReplyPtr> execute_at(const RedisEndpoint& node, std::string command) = 0;
  /// Whether two keys may share one multi-key command (MGET, DEL): always on one server, in a
  /// cluster only within one hash slot.
  virtual bool same_group(std::string_view a, std::string_view b) const = 0;
  /// How the store is named in messages and describe(): "redis://host:port/0" and the like.
  virtual std::string describe() const = 0;

 protected:
  /// This io_context's connections of this router; `owner` expires with the store.
  std::shared_ptr<RedisConnection> connection(const boost::asio::any_io_executor& executor,
                                              const RedisEndpoint& endpoint);

 public:
  /// Set by the store: the registry key and the token that tells io_contexts the store is alive.
  std::uint64_t id = 0;
  std::weak_ptr<const void> owner;
};

/// The router of `target` (one server, a cluster or sentinels); blocking: it checks the server,
/// reads the cluster's slot map or asks the sentinels now, and throws std::runtime_error when
/// nothing answers. Every endpoint gets the options' timeouts.
std::unique_ptr<RedisRouter> make_redis_router(RedisTarget target, const RedisOptions& options);

/// One command on a blocking hiredis connection of its own (with AUTH and SELECT as `endpoint`
/// says), for what a store does once when it is made; throws std::runtime_error when `endpoint`
/// cannot be reached or refuses the login. An error reply is returned.
RedisReplyPtr blocking_redis_command(const RedisEndpoint& endpoint, const std::vector<std::string>& args);

/// A blocking hiredis connection (what blocking_redis_command and the events subscriber use).
using BlockingRedisContext = std::unique_ptr<redisContext, void (*)(redisContext*)>;
/// Connects to `endpoint` with its connect timeout and logs in (AUTH, SELECT); commands then
/// wait at most its command timeout. Throws std::runtime_error as blocking_redis_command does.
BlockingRedisContext blocking_redis_connect(const RedisEndpoint& endpoint);
/// One command on such a connection; throws std::runtime_error when the connection fails.
RedisReplyPtr blocking_redis_run(redisContext* context, const RedisEndpoint& endpoint,
                                 const std::vector<std::string>& words);

}  // namespace cortado::stores
