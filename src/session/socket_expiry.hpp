#pragma once
// A socket whose session expires in the store (its cookie's expires passes without a request
// touching it) is closed with 4401, as one destroyed is: a timer per socket, at the session's
// expiry, reads the session from the store and closes the socket when it is gone, else waits
// for the new expiry (a rolling or touched session lives on).

#include "cortado/http/websocket.hpp"
#include "cortado/session/store.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <string>

namespace cortado::detail {

/// Starts watching on the calling coroutine's executor (the socket's thread); `session` is the
/// session as saved when the socket opened. Returns what stops the watch (call it when the socket
/// closes). Nothing is watched for a session without expires (a browser-session cookie, kept
/// until destroyed).
Task<std::function<void()>> watch_socket_expiry(std::weak_ptr<http::WebSocketConnection> socket,
                                                std::shared_ptr<Store> store, std::string session_id,
                                                json::object session);

}  // namespace cortado::detail
