#include "postgres_subscriber.hpp"

#include <libpq-fe.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>

namespace cortado::stores {

PgSubscriber::PgSubscriber(std::shared_ptr<const PgSettings> settings, std::string channel,
                           std::function<void(std::string)> on_message)
    : settings_(std::move(settings)), channel_(std::move(channel)), on_message_(std::move(on_message)),
      wake_fd_(eventfd(0, EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw std::runtime_error("postgres store: eventfd failed for the events listener");
  thread_ = std::thread([this] { run(); });
}

PgSubscriber::~PgSubscriber() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  wake_.notify_all();
  thread_.join();
  ::close(wake_fd_);
}

void PgSubscriber::run() {
  bool reported = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    try {
      listen();
      reported = false;
    } catch (const std::exception& e) {
      // Said once per outage, not every 200 ms.
      if (!reported) std::cerr << "cortado: postgres events: " << e.what() << " (retrying)\n";
      reported = true;
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; })) return;
  }
}

void PgSubscriber::listen() {
  const PgConnPtr conn = pg_connect_blocking(*settings_);
  // The channel is an identifier: quoted, quotes doubled.
  std::string quoted = "\"";
  for (const char c : channel_) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted += '"';
  const PgResult listening(PQexec(conn.get(), ("LISTEN " + quoted).c_str()));
  if (PQresultStatus(listening.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error("LISTEN failed: " + pg_result_error(listening.get()));
  for (;;) {
    pollfd fds[2] = {{PQsocket(conn.get()), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents != 0) return;       // stopping
    if (PQconsumeInput(conn.get()) == 0)
      throw std::runtime_error("lost the LISTEN connection: " + pg_first_line(PQerrorMessage(conn.get())));
    while (PGnotify* notify = PQnotifies(conn.get())) {
      std::string payload = notify->extra ? notify->extra : "";
      PQfreemem(notify);
      try {
        on_message_(std::move(payload));
      } catch (const std::exception& e) {
        std::cerr << "cortado: postgres events: a message's handler failed: " << e.what() << '\n';
      }
    }
  }
}

}  // namespace cortado::stores
