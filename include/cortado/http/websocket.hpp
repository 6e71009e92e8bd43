#pragma once
/// The HTTP layer's WebSocket: what an upgraded connection offers the layers above, its limits,
/// and the hook (Exchange::upgrader) through which a handler takes a connection over.

#include "cortado/core/task.hpp"

#include "cortado/http/fields.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>


namespace cortado::http {

/// Limits and defences of one WebSocket route; each is on by default.
struct WebSocketOptions {
  /// Origins (scheme://host[:port]) allowed to open the socket. Empty: only the request's own
  /// host (Origin's host equal to Host), which stops cross-site WebSocket hijacking: a browser
  /// sends the session cookie with an upgrade from any page. A request without Origin (not a
  /// browser) is allowed.
  std::vector<std::string> allowed_origins{};
  /// Largest message (all its frames); larger → closed with 1009.
  std::size_t max_message = 64 * 1024;
  /// Bytes queued for sending and not yet written; past this the reader is too slow and its
  /// connection is dropped, rather than the queue growing the server's memory.
  std::size_t max_send_queue = 1024 * 1024;
  /// Nothing received for this long closes the socket; pings go out at half of it, so a live
  /// client that is merely quiet answers them and stays.
  std::chrono::milliseconds idle_timeout{60'000};
  /// permessage-deflate: off by default, because compressing secrets next to attacker-chosen
  /// text leaks them by the compressed length (CRIME/BREACH).
  bool permessage_deflate = false;
  /// The upgrade needs a session loaded from the store (a logged-in or at least known visitor):
  /// without one (no cookie, a forged one, a session ended or expired) it gets 401 before the
  /// upgrade. The app layer checks it with what the session middleware recorded; without that
  /// middleware before the route, every upgrade is refused.
  bool require_session = false;
};

/// One message, as queued for sending.
struct WebSocketMessage {
  std::string data;
  bool binary = false;
};

/// An open WebSocket over a connection the HTTP layer has handed over. receive() and send()
/// run on the connection's own thread; close_soon() may be called from any thread.
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  /// The next message, text or binary as `binary` then says (it must outlive the call); nullopt
  /// once the socket is closed (by either side, a limit or an error).
  virtual Task<std::optional<std::string>> receive(bool& binary) = 0;
  /// Queues a message and returns once it is written, or at once when another send is writing
  /// (it writes this one after its own). A closed socket drops it.
  virtual Task<> send(std::string data, bool binary) = 0;
  /// The close handshake with this code and reason; receive() then returns nullopt.
  virtual Task<> close(std::uint16_t code, std::string reason) = 0;
  /// Starts the close handshake from any thread (logout elsewhere, shutdown).
  virtual void close_soon(std::uint16_t code, std::string reason) = 0;
  /// Queues a message from any thread (a broadcast): it is sent on the socket's own thread, under
  /// the same send queue bound as send() (past it the reader is dropped). A closed socket drops it.
  virtual void send_soon(std::string data, bool binary) = 0;
  /// The code of the close frame received, or 0.
  virtual std::uint16_t close_code() const = 0;
  virtual bool is_open() const = 0;
};

/// Set in Exchange::upgrader for a WebSocket upgrade request (null otherwise).
class Upgrader {
 public:
  virtual ~Upgrader() = default;
  /// Answers the upgrade with 101 and the given extra header fields (Set-Cookie), and hands the
  /// connection over; null when the handshake failed (the connection is then closed). Either way
  /// the connection serves no more HTTP requests.
  virtual Task<std::shared_ptr<WebSocketConnection>> accept(const Fields& extra,
                                                            const WebSocketOptions& options) = 0;
};

}  // namespace cortado::http
