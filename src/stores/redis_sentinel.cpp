// redis_sentinel: SENTINEL get-master-addr-by-name, asked at the start and after every sign of a
// failover (see the Sentinel client guidelines: ask the sentinels in turn, reconnect on a change).
#include "redis_sentinel.hpp"

#include <boost/asio/this_coro.hpp>

#include <hiredis/hiredis.h>

#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace cortado::stores {
namespace {

namespace asio = boost::asio;

std::string text_of(const redisReply& reply) { return std::string(reply.str, reply.len); }

// The master's address in a get-master-addr-by-name reply: [ip, port]; nullopt for a nil (the
// sentinel does not know the name) or anything else.
std::optional<RedisEndpoint> master_in(const redisReply& reply, const RedisEndpoint& login) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 2 || reply.element[0]->type != REDIS_REPLY_STRING ||
      reply.element[1]->type != REDIS_REPLY_STRING) {
    return std::nullopt;
  }
  RedisEndpoint master = login;
  master.host = text_of(*reply.element[0]);
  try {
    const int port = std::stoi(text_of(*reply.element[1]));
    if (port <= 0 || port > 65535) return std::nullopt;
    master.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return master;
}

// A write sent to a server that is a replica now.
bool refused_by_replica(const redisReply& reply) {
  return reply.type == REDIS_REPLY_ERROR && std::string_view(reply.str, reply.len).starts_with("READONLY");
}

class SentinelRouter final : public RedisRouter {
 public:
  SentinelRouter(RedisTarget target, RedisEndpoint master)
      : sentinels_(std::move(target.nodes)), login_(std::move(target.login)), name_(std::move(target.master_name)),
        master_(std::move(master)) {}

  Task<RedisReplyPtr> execute(std::string_view, std::string command) override {
    return send(std::move(command), std::string(), RedisReplies::one);
  }

  Task<RedisReplyPtr> execute_then(std::string_view, std::string command, std::string then) override {
    return send(std::move(command), std::move(then), RedisReplies::last_of_two);
  }

  // The one master holds both keys: one request on its connection.
  Task<RedisReplyPtr> execute_both(std::string_view, std::string first, std::string_view,
                                   std::string second) override {
    return send(std::move(first), std::move(second), RedisReplies::both);
  }

  Task<std::vector<RedisEndpoint>> masters() override {
    std::vector<RedisEndpoint> all;
    all.push_back(master());
    co_return all;
  }

  // The one master holds every key: SCAN goes to whichever it is now.
  Task<RedisReplyPtr> execute_at(const RedisEndpoint&, std::string command) override {
    return send(std::move(command), std::string(), RedisReplies::one);
  }

  bool same_group(std::string_view, std::string_view) const override { return true; }

  std::string describe() const override {
    std::string out = "redis-sentinel://";
    for (std::size_t i = 0; i < sentinels_.size(); ++i) {
      if (i > 0) out += ',';
      out += sentinels_[i].address();
    }
    return out + "/" + name_ + " (master " + master().address() + ")";
  }

 private:
  RedisEndpoint master() const {
    const std::lock_guard lock(mutex_);
    return master_;
  }

  Task<RedisReplyPtr> send(std::string command, std::string then, RedisReplies replies) {
    const auto executor = co_await asio::this_coro::executor;
    for (int attempt = 0;; ++attempt) {
      const RedisEndpoint node = master();
      RedisReplyPtr reply;
      std::exception_ptr lost;
      try {
        const std::shared_ptr<RedisConnection> to = connection(executor, node);
        if (replies == RedisReplies::one) {
          reply = co_await to->execute(command);
        } else if (replies == RedisReplies::last_of_two) {
          reply = co_await to->execute_pair(command, then);
        } else {
          reply = co_await to->execute_both(command, then);
        }
      } catch (const ConnectionDropped&) {
        lost = std::current_exception();
      }
      // A lost connection, or a write refused because the server is a replica now: the master
      // may have moved, so the sentinels are asked; a command that got an answer is tried again
      // once on the new master (every command the store sends may run twice).
      const bool demoted = !lost && (replies == RedisReplies::both
                                         ? refused_by_replica(*reply->element[0]) || refused_by_replica(*reply->element[1])
                                         : refused_by_replica(*reply));
      if (!lost && !demoted) co_return reply;
      co_await ask_sentinels(executor);
      if (attempt == 0 && master().address() != node.address()) continue;
      if (lost) std::rethrow_exception(lost);
      co_return reply;
    }
  }

  Task<> ask_sentinels(const asio::any_io_executor& executor) {
    for (const RedisEndpoint& sentinel : sentinels_) {
      try {
        const std::shared_ptr<RedisConnection> to = connection(executor, sentinel);
        const RedisReplyPtr reply = co_await to->execute(redis_command("SENTINEL", "get-master-addr-by-name", name_));
        std::optional<RedisEndpoint> found = master_in(*reply, login_);
        if (!found) continue;
        const std::lock_guard lock(mutex_);
        master_ = std::move(*found);
        co_return;
      } catch (const std::exception&) {
        // This sentinel is down: the next one may answer.
      }
    }
  }

  std::vector<RedisEndpoint> sentinels_;
  RedisEndpoint login_;
  std::string name_;
  mutable std::mutex mutex_;
  RedisEndpoint master_;
};

}  // namespace

std::unique_ptr<RedisRouter> make_sentinel_router(RedisTarget target) {
  // The URL's user and password are the master's; the sentinels are asked without them.
  for (RedisEndpoint& sentinel : target.nodes) {
    sentinel.user.clear();
    sentinel.password.clear();
    sentinel.db = 0;
  }
  std::string failures;
  for (const RedisEndpoint& sentinel : target.nodes) {
    try {
      const RedisReplyPtr reply =
          blocking_redis_command(sentinel, {"SENTINEL", "get-master-addr-by-name", target.master_name});
      std::optional<RedisEndpoint> master = master_in(*reply, target.login);
      if (!master) {
        throw std::runtime_error("redis store: sentinel " + sentinel.address() + " knows no master named '" +
                                 target.master_name + "'");
      }
      const RedisReplyPtr pong = blocking_redis_command(*master, {"PING"});
      if (pong->type == REDIS_REPLY_ERROR) {
        throw std::runtime_error("redis store: PING refused by " + master->address() + ": " + text_of(*pong));
      }
      return std::make_unique<SentinelRouter>(std::move(target), std::move(*master));
    } catch (const std::runtime_error& e) {
      failures += failures.empty() ? e.what() : std::string("; ") + e.what();
    }
  }
  throw std::runtime_error(failures);
}

}  // namespace cortado::stores
