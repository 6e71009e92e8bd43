#pragma once
// The sockets open in this process, indexed by session id, by owner and by room: a session
// destroyed or regenerated closes the sockets bound to it (close code 4401), and a broadcast finds
// the sockets it goes to. Every call may come from any thread; sends and closes are posted to each
// socket's own thread.

#include "cortado/http/websocket.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace cortado::detail {

/// Close code of a socket whose session ended (4401: the app's range, "401" for readability).
inline constexpr std::uint16_t session_ended_close_code = 4401;

/// Binds an open socket to a session id; the registry holds it weakly (a closed socket drops out).
void bind_socket(const std::string& session_id, std::weak_ptr<http::WebSocketConnection> socket);

/// Indexes an open socket under the owner of its session (Session::owner()).
void bind_socket_owner(const std::string& owner, const std::string& session_id,
                       std::weak_ptr<http::WebSocketConnection> socket);

/// Room membership; joining twice is once; leaving a room not joined does nothing.
void join_room(const std::string& room, std::weak_ptr<http::WebSocketConnection> socket);
void leave_room(const std::string& room, const http::WebSocketConnection* socket);

/// Closes every socket bound to the session with 4401 (from any thread; returns at once).
void close_sockets_of(const std::string& session_id);

/// Closes with 4401 every socket of `owner` whose session is not `except_session_id`.
void close_owner_sockets(const std::string& owner, const std::optional<std::string>& except_session_id);

/// What a broadcast is addressed to.
enum class Audience : char { session = 's', owner = 'o', room = 'r' };

/// Queues `data` on every open socket of the audience `name` in this process, except `except`;
/// says how many sockets it was queued on.
std::size_t deliver(Audience audience, const std::string& name, const std::string& data, bool binary,
                    const http::WebSocketConnection* except = nullptr);

}  // namespace cortado::detail
