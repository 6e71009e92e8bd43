#include "cortado/app/websocket.hpp"

#include "app/access.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/app/response.hpp"
#include "cortado/app/router.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <iostream>

namespace cortado {


void on_websocket_open(Request& req, std::function<Task<>(WebSocket&)> hook) {
  req.slot<detail::WebSocketOpenHooks>().hooks.push_back(std::move(hook));
}

void on_websocket_close(Request& req, std::function<void()> hook) {
  req.slot<detail::WebSocketCloseHooks>().hooks.push_back(std::move(hook));
}

namespace {

// The host[:port] of an origin ("https://a.example:8443" → "a.example:8443"); "" when it has none.
std::string_view origin_host(std::string_view origin) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return {};
  return origin.substr(scheme_end + 3);
}

// Cross-site WebSocket hijacking: a page on any site may open a socket to us, and the browser
// sends our cookies with it. The browser always sends Origin on a WebSocket, so an Origin
// that is not allowed is refused; a client without one is not a browser and has no cookie of a
// victim to ride on.
bool origin_allowed(Request& req, const http::WebSocketOptions& options) {
  std::string_view origin = req.get("origin");
  if (origin.empty()) return true;
  if (options.allowed_origins.empty()) {
    auto host = origin_host(origin);
    return !host.empty() && boost::beast::iequals(host, req.get("host"));
  }
  return std::any_of(options.allowed_origins.begin(), options.allowed_origins.end(),
                     [origin](const std::string& allowed) { return boost::beast::iequals(allowed, origin); });
}

}  // namespace

namespace {

using WebSocketRoute = std::pair<WebSocketHandler, http::WebSocketOptions>;

// The socket's life, run by the server once the upgrade request's walk through the middleware
// has ended (Exchange::socket_run): the request (and its session) is kept, the frames of the
// walk are not.
Task<> run_socket(std::shared_ptr<WebSocketRoute> route, std::shared_ptr<http::WebSocketConnection> connection,
                  Request& req) {
  WebSocket sock(std::move(connection), req);
  std::exception_ptr failure;
  try {
    if (auto* open = req.find_slot<detail::WebSocketOpenHooks>()) {
      for (auto& hook : open->hooks) co_await hook(sock);
      open->hooks = {};  // run once; what they captured is not kept for the socket's life
    }
    co_await route->first(sock);
  } catch (const std::exception& e) {
    std::cerr << "cortado: WebSocket handler failed: " << e.what() << '\n';
    failure = std::current_exception();
  }
  // 1011: the server met a condition it could not handle (RFC 6455 7.4.1).
  if (failure) co_await sock.close(1011, "internal error");
  else co_await sock.close(1000, "");
  if (auto* closed = req.find_slot<detail::WebSocketCloseHooks>())
    for (auto& hook : closed->hooks) hook();
}

}  // namespace

Router& Router::ws(std::string_view path, WebSocketHandler handler, http::WebSocketOptions options) {
  auto shared = std::make_shared<WebSocketRoute>(std::move(handler), std::move(options));
  return route("GET", path, {make_middleware([shared](Request& req, Response& res) -> Task<> {
                 auto& exchange = detail::AppAccess::exchange(res);
                 if (!exchange.upgrader || req.method() != "GET") {
                   // RFC 9110 15.5.22: the route speaks only WebSocket.
                   res.set("Upgrade", "websocket");
                   res.status(426).type("txt").end("Upgrade Required");
                   co_return;
                 }
                 if (!origin_allowed(req, shared->second)) throw HttpError(403, "origin not allowed");
                 if (shared->second.require_session) {
                   const auto* session = req.find_slot<detail::UpgradeSession>();
                   if (!session || !session->loaded) throw HttpError(401, "a session is required");
                 }
                 // The 101 carries what the middleware set for the response (the session cookie).
                 detail::AppAccess::run_header_hooks(res);
                 auto& raw = detail::AppAccess::raw(res);
                 auto connection = co_await exchange.upgrader->accept(raw.base(), shared->second);
                 if (!connection) co_return;  // the handshake failed; the connection is closed
                 // The socket runs once this request's walk has ended (the app keeps req for it).
                 exchange.socket_run = [shared, connection = std::move(connection), &req]() {
                   return run_socket(shared, connection, req);
                 };
               })});
}

}  // namespace cortado
