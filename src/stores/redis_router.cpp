// RedisRouter: the connections per server, the one-server router, and the blocking first check.
#include "redis_router.hpp"

#include "connection_registry.hpp"
#include "redis_cluster.hpp"
#include "redis_sentinel.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>

namespace cortado::stores {
namespace {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

// One server: the store's connection of each io_context, as before clusters, with no lookup by
// address on the way (the single-server path is the one the benchmarks measure).
class SingleRouter final : public RedisRouter {
 public:
  explicit SingleRouter(RedisEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

  Task<RedisReplyPtr> execute(std::string_view, std::string command) override {
    const auto executor = co_await asio::this_coro::executor;
    const std::shared_ptr<RedisConnection> connection = own_connection(executor);
    co_return co_await connection->execute(std::move(command));
  }

  Task<RedisReplyPtr> execute_then(std::string_view, std::string command, std::string then) override {
    const auto executor = co_await asio::this_coro::executor;
    const std::shared_ptr<RedisConnection> connection = own_connection(executor);
    // Both are queued before either reply is awaited, one after the other on one connection.
    co_return co_await connection->execute_pair(std::move(command), std::move(then));
  }

  // The store sends through the connection itself, execute_both included.
  std::shared_ptr<RedisConnection> direct(const asio::any_io_executor& executor) override {
    return own_connection(executor);
  }

  Task<std::vector<RedisEndpoint>> masters() override {
    std::vector<RedisEndpoint> all;
    all.push_back(endpoint_);
    co_return all;
  }

  Task<RedisReplyPtr> execute_at(const RedisEndpoint&, std::string command) override {
    return execute({}, std::move(command));
  }

  bool same_group(std::string_view, std::string_view) const override { return true; }

  std::string describe() const override { return "redis://" + endpoint_.address() + "/" + std::to_string(endpoint_.db); }

 private:
  std::shared_ptr<RedisConnection> own_connection(const asio::any_io_executor& executor) {
    // The last answer of this thread, kept: a thread runs one io_context and asks for the same
    // connection at every load, save and touch, and the registry's lookup (Asio's service registry,
    // then the registry's own lock and map) cost some 450 instructions. The entry is only ever the
    // connection of this store on that io_context: it expires when the io_context ends, since its
    // registry lets it go then, before another io_context could be made at the same address.
    struct Last {
      const void* context = nullptr;
      std::uint64_t router = 0;
      std::weak_ptr<RedisConnection> connection;
    };
    thread_local Last last;
    const void* context = &asio::query(executor, asio::execution::context);
    if (last.context == context && last.router == id) {
      if (std::shared_ptr<RedisConnection> kept = last.connection.lock()) return kept;
    }
    std::shared_ptr<RedisConnection> found =
        ConnectionRegistry<RedisConnection>::of(executor).connection(id, owner, executor, endpoint_);
    last = Last{context, id, found};
    return found;
  }

  RedisEndpoint endpoint_;
};

std::string reply_text(const redisReply& reply) { return std::string(reply.str, reply.len); }

}  // namespace

Task<RedisReplyPtr> RedisRouter::execute_both(std::string_view first_key, std::string first,
                                              std::string_view second_key, std::string second) {
  auto replies = co_await (execute(first_key, std::move(first)) && execute(second_key, std::move(second)));
  RedisReplyPtr both = redis_reply_pair(std::move(std::get<0>(replies)), std::move(std::get<1>(replies)));
  if (!both) throw std::bad_alloc();
  co_return both;
}

std::shared_ptr<RedisConnection> RedisNodeConnections::connection(const RedisEndpoint& endpoint) {
  std::string address = endpoint.address();
  const std::lock_guard lock(mutex_);
  if (const auto found = connections_.find(address); found != connections_.end()) return found->second;
  auto made = std::make_shared<RedisConnection>(executor_, endpoint);
  connections_.emplace(std::move(address), made);
  return made;
}

void RedisNodeConnections::shutdown() {
  std::unordered_map<std::string, std::shared_ptr<RedisConnection>> all;
  {
    const std::lock_guard lock(mutex_);
    all.swap(connections_);
  }
  for (auto& [address, connection] : all) connection->shutdown();
}

std::shared_ptr<RedisConnection> RedisRouter::connection(const asio::any_io_executor& executor,
                                                         const RedisEndpoint& endpoint) {
  return ConnectionRegistry<RedisNodeConnections>::of(executor).connection(id, owner, executor)->connection(endpoint);
}

RedisReplyPtr blocking_redis_command(const RedisEndpoint& endpoint, const std::vector<std::string>& args) {
  const BlockingRedisContext context = blocking_redis_connect(endpoint);
  return blocking_redis_run(context.get(), endpoint, args);
}

RedisReplyPtr blocking_redis_run(redisContext* context, const RedisEndpoint& endpoint,
                                 const std::vector<std::string>& words) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& word : words) {
    argv.push_back(word.data());
    lengths.push_back(word.size());
  }
  RedisReplyPtr reply(
      static_cast<redisReply*>(redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply) throw std::runtime_error("redis store: cannot reach " + endpoint.address() + ": " + context->errstr);
  return reply;
}

BlockingRedisContext blocking_redis_connect(const RedisEndpoint& endpoint) {
  const auto to_timeval = [](std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
  };
  BlockingRedisContext context(
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(endpoint.connect_timeout)), redisFree);
  if (!context) throw std::bad_alloc();
  if (context->err != 0) {
    throw std::runtime_error("redis store: cannot reach " + endpoint.address() + ": " + context->errstr);
  }
  use_own_replies(context.get());  // its replies are freed as RedisReplyPtr's
  redisSetTimeout(context.get(), to_timeval(endpoint.command_timeout));
  const auto login = [&](const std::vector<std::string>& words, const std::string& what) {
    const RedisReplyPtr reply = blocking_redis_run(context.get(), endpoint, words);
    if (reply->type == REDIS_REPLY_ERROR) {
      throw std::runtime_error("redis store: " + what + " refused by " + endpoint.address() + ": " +
                               reply_text(*reply));
    }
  };
  if (endpoint.needs_auth()) {
    if (endpoint.user.empty()) {
      login({"AUTH", endpoint.password}, "AUTH");
    } else {
      login({"AUTH", endpoint.user, endpoint.password}, "AUTH");
    }
  }
  if (endpoint.db != 0) login({"SELECT", std::to_string(endpoint.db)}, "SELECT " + std::to_string(endpoint.db));
  return context;
}

std::unique_ptr<RedisRouter> make_redis_router(RedisTarget target, const RedisOptions& options) {
  for (RedisEndpoint& node : target.nodes) {
    node.connect_timeout = options.connect_timeout;
    node.command_timeout = options.command_timeout;
  }
  target.login.connect_timeout = options.connect_timeout;
  target.login.command_timeout = options.command_timeout;
  switch (target.topology) {
    case RedisTopology::cluster:
      return make_cluster_router(std::move(target));
    case RedisTopology::sentinel:
      return make_sentinel_router(std::move(target));
    case RedisTopology::single:
      break;
  }
  const RedisReplyPtr pong = blocking_redis_command(target.nodes.front(), {"PING"});
  if (pong->type == REDIS_REPLY_ERROR) {
    throw std::runtime_error("redis store: PING refused by " + target.nodes.front().address() + ": " +
                             reply_text(*pong));
  }
  return std::make_unique<SingleRouter>(std::move(target.nodes.front()));
}

}  // namespace cortado::stores
