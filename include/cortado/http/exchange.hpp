#pragma once
/// The HTTP layer's request/response pair and the handler it calls for each request.

#include "cortado/http/body_reader.hpp"
#include "cortado/http/fields.hpp"
#include "cortado/http/file_body.hpp"
#include "cortado/http/websocket.hpp"
#include "cortado/core/task.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <optional>
#include <vector>

namespace cortado::http {

namespace beast_http = boost::beast::http;

/// A parsed HTTP/1.x request with its whole body.
using RawRequest = beast_http::request<beast_http::string_body, Fields>;
/// The response the handler fills; the connection adds Date, Content-Length and Connection.
using RawResponse = beast_http::response<beast_http::string_body, Fields>;

/// What the server knows of a request besides its message, and what the handler hands back
/// besides the response.
struct Exchange {
  /// The other end of the connection the request came on.
  boost::asio::ip::tcp::endpoint remote;
  /// The trailer fields of a chunked body. Kept apart from the message's head, whose fields the
  /// server's checks approved before the body was read (Node's req.trailers).
  Fields trailers;
  /// Set by the handler to send part of a file as the body (the response's Content-Length gives
  /// its length, its body stays empty): the server reads it as the client takes it.
  std::optional<FileBody> file;
  /// The request came over TLS (req.secure()).
  bool secure = false;
  /// Nonzero when the server refused the request's body after reading its head: 413 (larger than
  /// body_limit, by Content-Length or once the chunks outgrew it) or 400 (malformed chunks). The
  /// body was not read (it is empty); the handler answers the refusal, and the connection closes
  /// after the response.
  unsigned refused = 0;
  /// Run once the response has been written to the socket (or, for a pipelined request, added
  /// to the batch the connection sends next), in the order added, then cleared: npm on-finished,
  /// for request logs and metrics. Small captures (two pointers) cost no allocation, and the
  /// list keeps its capacity from request to request on a connection. Must not throw.
  std::vector<std::function<void(const RawResponse& res)>> on_finished{};
  /// Set when ServerOptions::stream_body chose to stream this request's body: the request's body
  /// is empty and the handler reads it from here. Null when the body was read whole (always
  /// without stream_body).
  BodyReader* body = nullptr;
  /// Set for a WebSocket upgrade request (Upgrade: websocket on a GET): a handler that takes the
  /// connection over calls its accept(). Null for every other request.
  Upgrader* upgrader = nullptr;
  /// Set once accept() was called: the handler's response is not sent, the connection ends with
  /// the handler.
  bool upgraded = false;
  /// Set by a handler that accepted the upgrade and goes on with the socket: the server runs it
  /// once the handler has returned, so that the socket keeps nothing of the request's handling
  /// (its coroutine frames) but what this holds. The connection ends when it returns.
  std::function<Task<>()> socket_run{};
};

/// Called once per request, on the connection's own thread; it fills `res`.
using Handler = std::function<Task<>(RawRequest& req, RawResponse& res, Exchange& exchange)>;

}  // namespace cortado::http
