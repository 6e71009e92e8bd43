#pragma once
/// Server: accepts connections on N threads and hands each parsed request to a Handler.

#include "cortado/http/exchange.hpp"
#include "cortado/http/server_options.hpp"
#include "cortado/http/tls_error.hpp"
#include "cortado/http/tls_options.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace cortado::http {

struct Worker;
class TlsContext;

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
  /// The same for HTTPS: every connection on this port speaks TLS with the certificate and key
  /// of `tls`. A server may listen on several ports, plain and TLS. Throws TlsError (one line)
  /// when the certificate or key cannot be used, before anything is bound.
  std::uint16_t listen(std::uint16_t port, const TlsOptions& tls, const std::string& host = "0.0.0.0");
  /// Reads every TLS listener's certificate and key files again: connections accepted from now
  /// on get the new certificate, open ones keep theirs. Throws TlsError when one cannot be used;
  /// that listener keeps its old certificate.
  void reload_certificates();
  /// Serves until stop(); blocks the calling thread, which becomes one of the I/O threads.
  /// With `handle_signals`, SIGINT and SIGTERM call stop(), and SIGHUP reload_certificates()
  /// (when a TLS port is open; a failure is logged on one line and the old certificate stays).
  void run(bool handle_signals = false);
  /// Stops accepting, lets requests in flight finish (up to the grace period), then makes run()
  /// return. Safe from any thread and from a handler.
  void stop();
  /// The port bound by the first listen().
  std::uint16_t port() const;

 private:
  struct Impl;
  friend struct Worker;
  std::uint16_t bind_listeners(std::uint16_t port, const std::string& host, const std::shared_ptr<TlsContext>& tls);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cortado::http
