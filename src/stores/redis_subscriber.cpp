#include "redis_subscriber.hpp"

#include "redis_router.hpp"

#include <hiredis/hiredis.h>

#include <sys/socket.h>

#include <chrono>
#include <exception>
#include <iostream>

namespace cortado::stores {

RedisSubscriber::RedisSubscriber(std::function<std::vector<RedisEndpoint>()> where, std::string channel,
                                 std::function<void(std::string)> on_message)
    : where_(std::move(where)), channel_(std::move(channel)), on_message_(std::move(on_message)) {
  thread_ = std::thread([this] { run(); });
}

RedisSubscriber::~RedisSubscriber() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // wakes the read; the thread closes the socket
  }
  wake_.notify_all();
  thread_.join();
}

void RedisSubscriber::run() {
  bool reported = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    std::vector<RedisEndpoint> endpoints;
    try {
      endpoints = where_();
    } catch (const std::exception& e) {
      if (!reported) std::cerr << "cortado: redis events: " << e.what() << '\n';
      reported = true;
    }
    for (const RedisEndpoint& endpoint : endpoints) {
      try {
        listen(endpoint);
        reported = false;
      } catch (const std::exception& e) {
        // Said once per outage, not every 200 ms.
        if (!reported) std::cerr << "cortado: redis events: " << e.what() << " (retrying)\n";
        reported = true;
      }
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
  }
}

void RedisSubscriber::listen(const RedisEndpoint& endpoint) {
  BlockingRedisContext context = blocking_redis_connect(endpoint);
  const RedisReplyPtr subscribed = blocking_redis_run(context.get(), endpoint, {"SUBSCRIBE", channel_});
  if (subscribed->type == REDIS_REPLY_ERROR)
    throw std::runtime_error("SUBSCRIBE refused by " + endpoint.address() + ": " +
                             std::string(subscribed->str, subscribed->len));
  // From here the socket only waits for messages: no read timeout, TCP keep-alive instead.
  redisSetTimeout(context.get(), timeval{0, 0});
  redisEnableKeepAlive(context.get());
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    fd_ = context->fd;
  }
  struct Forget {  // the socket is closed with the context: the destructor must not touch it
    RedisSubscriber& self;
    ~Forget() {
      std::lock_guard lock(self.mutex_);
      self.fd_ = -1;
    }
  } forget{*this};
  for (;;) {
    void* raw = nullptr;
    if (redisGetReply(context.get(), &raw) != REDIS_OK || raw == nullptr) {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      throw std::runtime_error("lost the subscription on " + endpoint.address() + ": " + context->errstr);
    }
    const RedisReplyPtr reply(static_cast<redisReply*>(raw));
    // ["message", channel, payload]; anything else (a subscribe confirmation) is not an event.
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) continue;
    const redisReply& kind = *reply->element[0];
    const redisReply& payload = *reply->element[2];
    if (kind.type != REDIS_REPLY_STRING || std::string_view(kind.str, kind.len) != "message" ||
        payload.type != REDIS_REPLY_STRING)
      continue;
    try {
      on_message_(std::string(payload.str, payload.len));
    } catch (const std::exception& e) {
      std::cerr << "cortado: redis events: a message's handler failed: " << e.what() << '\n';
    }
  }
}

}  // namespace cortado::stores
