#pragma once
// Socket events between the processes that share a store (Store::publish/subscribe): a session
// ended (destroyed, regenerated), a user logged out everywhere, a broadcast. Each is acted on in
// this process at once and published; every process acts on what the others published and skips
// its own message, which comes back to it too (it has acted already: nothing is closed or
// delivered twice).

#include "session/socket_registry.hpp"

#include "cortado/core/task.hpp"
#include "cortado/session/store.hpp"

#include <memory>
#include <optional>
#include <string>

namespace cortado::detail {

/// Subscribes this process to the store's events (once per store; nothing for a store without
/// events).
void subscribe_socket_events(const std::shared_ptr<Store>& store);

/// Closes the session's sockets here (4401) and in the other processes.
Task<> end_session_sockets(Store& store, std::string session_id);

/// Closes the sockets of `owner`'s sessions other than `except_session_id`, here and elsewhere.
Task<> end_owner_sockets(Store& store, std::string owner, std::optional<std::string> except_session_id);

/// Delivers here (leaving `except` out) and publishes to the other processes.
Task<> broadcast(Store* store, Audience audience, std::string name, std::string data, bool binary,
                 const http::WebSocketConnection* except);

/// The wire form of an event (exposed for the unit test): fields as netstrings, so that names and
/// binary data need no escaping.
struct SocketEvent {
  std::string from;   // the publishing process
  char kind = 0;      // 'e' session ended, 'o' owner's sessions ended, 'b' broadcast
  Audience audience = Audience::session;
  std::string name;   // session id, owner or room
  std::string data;   // the message; for 'o', the session id left out ("" none)
  bool binary = false;
  bool has_except = false;
};
std::string encode(const SocketEvent& event);
/// nullopt when `text` is not an event this version reads (it is then ignored).
std::optional<SocketEvent> decode(std::string_view text);

}  // namespace cortado::detail
