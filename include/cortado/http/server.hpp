#pragma once
/// Server: accepts connections on N threads and hands each parsed request to a Handler.

#include "cortado/http/exchange.hpp"
#include "cortado/http/server_options.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace cortado::http {

struct Worker;

/// An HTTP/1.1 server: keep-alive, pipelining, limits, timeouts and graceful shutdown.
/// Knows nothing of routes; it calls one Handler per request.
class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds host:port on every thread (SO_REUSEPORT); port 0 picks a free one. Returns the port.
  std::uint16_t listen(std::uint16_t port, const std::string& host = "0.0.0.0");
  /// Serves until stop(); blocks the calling thread, which becomes one of the I/O threads.
  /// With `handle_signals`, SIGINT and SIGTERM call stop().
  void run(bool handle_signals = false);
  /// Stops accepting, lets requests in flight finish (up to the grace period), then makes run()
  /// return. Safe from any thread and from a handler.
  void stop();
  /// The port bound by listen().
  std::uint16_t port() const;

 private:
  struct Impl;
  friend struct Worker;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cortado::http
