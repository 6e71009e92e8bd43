#pragma once
/// ServerOptions: the HTTP layer's limits, timeouts and threads.

#include "cortado/http/fields.hpp"

#include <boost/beast/http/message.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace cortado::http {

/// A request's head (method, target, version, fields) before its body is read.
using RequestHead = boost::beast::http::request_header<Fields>;

/// The body of a response the HTTP layer sends itself (a malformed head, 431, 408, 503 over the cap).
struct RefusalBody {
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// Every limit has the status a client expects when it is crossed (see each field).
struct ServerOptions {
  /// I/O threads, each with its own event loop; 0 = one per core.
  std::size_t threads = 0;
  /// Request line + headers; larger → 431 and close. A chunked body's trailer section larger
  /// than this plus 16 KiB (what the connection's read buffer holds) → 431 and close.
  std::size_t header_limit = 16 * 1024;
  /// Request body; larger → 413 and close. A chunk-size line whose extensions outgrow the read
  /// buffer (header_limit + 16 KiB) → 413 and close.
  std::uint64_t body_limit = 1024 * 1024;
  /// From the first byte of a request to the end of its headers (cuts off slowloris).
  std::chrono::milliseconds head_timeout{10'000};
  /// To read the whole body once the headers are in.
  std::chrono::milliseconds body_timeout{30'000};
  /// How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{5'000};
  /// Writing one response to a client that does not read.
  std::chrono::milliseconds write_timeout{30'000};
  /// Open connections across all threads; beyond it a new one gets 503 and is closed.
  std::size_t max_connections = 10'000;
  /// From accepting a TLS connection to the end of its handshake (cuts off a client that never
  /// finishes it, as head_timeout does slowloris).
  std::chrono::milliseconds handshake_timeout{10'000};
  /// The body of the HTTP layer's own refusals, by status; unset: the status phrase as text/plain.
  /// Refusals of a body (413, 400 after the head) are not these: they reach the handler (Exchange::refused).
  std::function<RefusalBody(unsigned status)> refusal_body;
  /// On stop: how long requests in flight may take to finish before connections are cut.
  std::chrono::milliseconds shutdown_grace{10'000};
  /// Asked once a request's head with a body has passed the checks: true streams the body (the
  /// handler is called at once and reads it from Exchange::body, under a limit and timeout it may
  /// raise), false reads it whole first, as without this. Unset: every body is read whole.
  std::function<bool(const RequestHead& head)> stream_body;
};

}  // namespace cortado::http
