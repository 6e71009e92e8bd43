#pragma once
// The sockets open on each session in this process, so that a session destroyed or regenerated
// by one request closes the WebSockets bound to it (close code 4401) at once, on their threads.

#include "cortado/http/websocket.hpp"

#include <memory>
#include <string>

namespace cortado::detail {

/// Close code of a socket whose session ended (4401: the app's range, "401" for readability).
inline constexpr std::uint16_t session_ended_close_code = 4401;

/// Binds an open socket to a session id; the registry holds it weakly (a closed socket drops out).
void bind_socket(const std::string& session_id, std::weak_ptr<http::WebSocketConnection> socket);

/// Closes every socket bound to the session with 4401 (from any thread; returns at once).
void close_sockets_of(const std::string& session_id);

}  // namespace cortado::detail
