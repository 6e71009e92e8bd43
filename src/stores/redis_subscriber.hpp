#pragma once
// RedisSubscriber: the one SUBSCRIBE connection per Redis store and process that carries the
// store's events (Store::subscribe) from every process sharing the store.

#include "redis_url.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cortado::stores {

/// Subscribes to `channel` on a thread of its own and calls `on_message` there with each message.
/// A subscribed connection does nothing else, and waits on its socket without end: a blocking
/// hiredis connection on its own thread is simpler than one more pipelined connection on an
/// io_context, and no I/O thread waits for it. When the connection fails it connects again
/// (asking `where` again, so that a failover is followed), 200 ms apart; messages published
/// meanwhile are lost (pub/sub keeps nothing).
class RedisSubscriber {
 public:
  /// `where`: the servers to try, in order (it may block: it may ask the sentinels).
  RedisSubscriber(std::function<std::vector<RedisEndpoint>()> where, std::string channel,
                  std::function<void(std::string)> on_message);
  /// Ends the subscription and joins the thread.
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

 private:
  void run();
  // Subscribes on `endpoint` and reads messages until the connection fails or stop.
  void listen(const RedisEndpoint& endpoint);

  std::function<std::vector<RedisEndpoint>()> where_;
  std::string channel_;
  std::function<void(std::string)> on_message_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int fd_ = -1;  // the subscribed socket, shut down by the destructor to end a blocking read
  std::thread thread_;
};

}  // namespace cortado::stores
