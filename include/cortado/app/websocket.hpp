#pragma once
/// WebSocket: the socket a route added with app.ws(path, handler) gets, once the upgrade request
/// has gone through the middleware chain (session, cookies, logger) like any other request.

#include "cortado/app/request.hpp"
#include "cortado/http/websocket.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cortado {

class Session;

/// An open WebSocket. The upgrade request goes through the middleware chain as any request does,
/// and that walk ends when the socket opens (code a middleware runs after its `co_await next()`
/// runs then, not when the socket closes). The handler runs after it, on the connection's own
/// thread, with the request kept: req.session() and the rest of the request stay valid until it
/// returns, and the socket is closed (1000) when it returns. Only the request and the socket are
/// kept for the socket's life, not the frames of the walk (an idle socket's memory).
///
///   app.ws("/echo", [](WebSocket& sock) -> Task<> {
///     while (auto text = co_await sock.receive()) co_await sock.send(*text);
///   });
class WebSocket {
 public:
  WebSocket(std::shared_ptr<http::WebSocketConnection> connection, Request& req)
      : connection_(std::move(connection)), req_(req) {}

  /// The next message (text or binary, see binary()); nullopt once the socket is closed.
  Task<std::optional<std::string>> receive() { return connection_->receive(binary_); }
  /// Whether the last message received was binary.
  bool binary() const { return binary_; }
  /// Sends a text message (must be UTF-8). Queued when called, in call order; co_await the Task
  /// (it writes the queue: a send whose Task is dropped unawaited leaves its message unwritten).
  Task<> send(std::string text) { return connection_->send(std::move(text), false); }
  Task<> send_binary(std::string bytes) { return connection_->send(std::move(bytes), true); }
  /// The close handshake (RFC 6455 7.4: 1000 normal, 4000-4999 the app's own).
  Task<> close(std::uint16_t code = 1000, std::string reason = {}) { return connection_->close(code, std::move(reason)); }
  /// Closes from any thread, without waiting.
  void close_soon(std::uint16_t code, std::string reason = {}) { connection_->close_soon(code, std::move(reason)); }
  bool is_open() const { return connection_->is_open(); }
  /// The close code the peer sent, or 0.
  std::uint16_t close_code() const { return connection_->close_code(); }

  /// The upgrade request, as the middleware left it.
  Request& request() { return req_; }
  /// The session as loaded for the upgrade (the session middleware must run before the route).
  /// Its save() and reload() follow the store's rules as for an HTTP request.
  Session& session() { return req_.session(); }

  /// The HTTP layer's socket (for the layers above: the session registry).
  const std::shared_ptr<http::WebSocketConnection>& connection() const { return connection_; }

 private:
  std::shared_ptr<http::WebSocketConnection> connection_;
  Request& req_;
  bool binary_ = false;
};

/// What app.ws() calls for each socket.
using WebSocketHandler = std::function<Task<>(WebSocket& sock)>;

/// For middleware: runs `hook` once this request's upgrade has been accepted, before the route's
/// handler, in the order added (the session middleware saves the session there and binds the
/// socket to it). Only worth calling when the request is an upgrade (req.get("upgrade")).
void on_websocket_open(Request& req, std::function<Task<>(WebSocket&)> hook);
/// For middleware: runs `hook` once the route's handler has returned and the socket is closed
/// (the session middleware stops the socket's expiry timer there).
void on_websocket_close(Request& req, std::function<void()> hook);

namespace detail {
/// Where on_websocket_open() keeps its hooks (a slot of the request: nothing for other requests).
struct WebSocketOpenHooks {
  std::vector<std::function<Task<>(WebSocket&)>> hooks;
};
/// Set by the session middleware on an upgrade request whose session it loaded from the store
/// (WebSocketOptions::require_session reads it; the app layer knows no sessions).
struct WebSocketCloseHooks {
  std::vector<std::function<void()>> hooks;
};
struct UpgradeSession {
  bool loaded = false;
};
}  // namespace detail

}  // namespace cortado
