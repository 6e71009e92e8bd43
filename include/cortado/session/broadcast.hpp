#pragma once
/// Broadcasting to WebSockets: to the sockets of one session, of one user (the session's owner),
/// or of a named room, as socket.io's `socket.join(room)` and `io.to(room).emit(...)`.

#include "cortado/core/task.hpp"

#include <string>

namespace cortado {

class Request;
class WebSocket;

/// How a broadcast is sent.
struct BroadcastOptions {
  /// A binary message instead of text (text must be UTF-8).
  bool binary = false;
  /// A socket left out (the sender, as socket.io's `socket.to(room).emit`), or null.
  const WebSocket* except = nullptr;
};

/// Puts the socket in a named room; it leaves when it closes. Rooms are per socket, not per
/// session: another tab of the same session joins its own.
void join(WebSocket& sock, const std::string& room);
/// Takes the socket out of the room (nothing when it was not in it).
void leave(WebSocket& sock, const std::string& room);

// Each send below is queued on every open socket it is addressed to, on that socket's own thread,
// and returns without waiting for the writes; a socket past its send queue bound
// (WebSocketOptions::max_send_queue) is dropped rather than queue more. `req` is any request (an
// HTTP one, or sock.request()) that went through the session middleware: when its store is shared
// by several processes and carries events (the Redis store), the message reaches the sockets of
// every process sharing the store too. Throws what the store throws when it cannot publish.

/// Sends to every socket opened on the session `session_id`.
Task<> send_to_session(Request& req, std::string session_id, std::string message, BroadcastOptions options = {});
/// Sends to every socket opened on a session bound to `owner` (Session::set_owner, as at login).
Task<> send_to_owner(Request& req, std::string owner, std::string message, BroadcastOptions options = {});
/// Sends to every socket in the room.
Task<> send_to_room(Request& req, std::string room, std::string message, BroadcastOptions options = {});

}  // namespace cortado
