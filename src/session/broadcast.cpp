#include "cortado/session/broadcast.hpp"

#include "cortado/app/request.hpp"
#include "cortado/app/websocket.hpp"
#include "session/socket_events.hpp"

namespace cortado {

namespace {

Task<> send_to(Request& req, detail::Audience audience, std::string name, std::string message,
               BroadcastOptions options) {
  // Without the session middleware there is no store: the message stays in this process.
  Store* store = req.session_store().get();
  const http::WebSocketConnection* except = options.except ? options.except->connection().get() : nullptr;
  co_await detail::broadcast(store, audience, std::move(name), std::move(message), options.binary, except);
}

}  // namespace

void join(WebSocket& sock, const std::string& room) { detail::join_room(room, sock.connection()); }

void leave(WebSocket& sock, const std::string& room) { detail::leave_room(room, sock.connection().get()); }

Task<> send_to_session(Request& req, std::string session_id, std::string message, BroadcastOptions options) {
  return send_to(req, detail::Audience::session, std::move(session_id), std::move(message), options);
}

Task<> send_to_owner(Request& req, std::string owner, std::string message, BroadcastOptions options) {
  return send_to(req, detail::Audience::owner, std::move(owner), std::move(message), options);
}

Task<> send_to_room(Request& req, std::string room, std::string message, BroadcastOptions options) {
  return send_to(req, detail::Audience::room, std::move(room), std::move(message), options);
}

}  // namespace cortado
