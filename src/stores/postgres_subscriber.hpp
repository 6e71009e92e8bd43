#pragma once
// PgSubscriber: the one LISTEN connection per PostgreSQL store and process that carries the
// store's events (Store::subscribe) from every process sharing the database.

#include "postgres_connection.hpp"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace cortado::stores {

/// LISTENs on `channel` on a thread of its own and calls `on_message` there with each
/// notification's payload. A blocking libpq connection polled with an eventfd beside it, so that
/// the destructor wakes it at once; on a lost connection it connects again 200 ms later
/// (notifications sent meanwhile are lost: NOTIFY keeps nothing for a listener that is gone).
class PgSubscriber {
 public:
  PgSubscriber(std::shared_ptr<const PgSettings> settings, std::string channel,
               std::function<void(std::string)> on_message);
  /// Ends the subscription and joins the thread.
  ~PgSubscriber();
  PgSubscriber(const PgSubscriber&) = delete;
  PgSubscriber& operator=(const PgSubscriber&) = delete;

 private:
  void run();
  // LISTENs and hands over notifications until the connection fails or stop.
  void listen();

  std::shared_ptr<const PgSettings> settings_;
  std::string channel_;
  std::function<void(std::string)> on_message_;
  int wake_fd_;  // an eventfd the destructor writes
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cortado::stores
