#include "session/socket_registry.hpp"

#include <mutex>
#include <unordered_map>
#include <vector>

namespace cortado::detail {

namespace {

struct Entry {
  std::weak_ptr<http::WebSocketConnection> socket;
  /// The session the socket was opened on (for close_owner_sockets' exception).
  std::string session_id;
};

using Index = std::unordered_multimap<std::string, Entry>;

struct Registry {
  std::mutex mutex;
  Index sessions;
  Index owners;
  Index rooms;
  /// Entries after the last sweep of closed sockets: the next sweep comes when they have doubled,
  /// so sweeping costs O(1) per bind on average and the maps stay within twice the open sockets.
  std::size_t swept_size = 0;

  Index& index(Audience audience) {
    switch (audience) {
      case Audience::session: return sessions;
      case Audience::owner: return owners;
      case Audience::room: return rooms;
    }
    return rooms;
  }

  // Called under the mutex before each insertion.
  void sweep() {
    const std::size_t size = sessions.size() + owners.size() + rooms.size();
    if (size < 2 * swept_size + 64) return;
    for (Index* index : {&sessions, &owners, &rooms})
      std::erase_if(*index, [](const auto& entry) { return entry.second.socket.expired(); });
    swept_size = sessions.size() + owners.size() + rooms.size();
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

bool same(const std::weak_ptr<http::WebSocketConnection>& a, const std::weak_ptr<http::WebSocketConnection>& b) {
  return !a.owner_before(b) && !b.owner_before(a);
}

void close_all(std::vector<std::shared_ptr<http::WebSocketConnection>>& sockets) {
  // Outside the lock: close_soon only posts to each socket's own thread.
  for (auto& socket : sockets) socket->close_soon(session_ended_close_code, "session ended");
}

}  // namespace

void bind_socket(const std::string& session_id, std::weak_ptr<http::WebSocketConnection> socket) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.sweep();
  r.sessions.emplace(session_id, Entry{std::move(socket), session_id});
}

void bind_socket_owner(const std::string& owner, const std::string& session_id,
                       std::weak_ptr<http::WebSocketConnection> socket) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.sweep();
  r.owners.emplace(owner, Entry{std::move(socket), session_id});
}

void join_room(const std::string& room, std::weak_ptr<http::WebSocketConnection> socket) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto [first, last] = r.rooms.equal_range(room);
  for (auto it = first; it != last; ++it)
    if (same(it->second.socket, socket)) return;
  r.sweep();
  r.rooms.emplace(room, Entry{std::move(socket), {}});
}

void leave_room(const std::string& room, const http::WebSocketConnection* socket) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto [first, last] = r.rooms.equal_range(room);
  for (auto it = first; it != last;) {
    auto open = it->second.socket.lock();
    if (!open || open.get() == socket) it = r.rooms.erase(it);
    else ++it;
  }
}

void close_sockets_of(const std::string& session_id) {
  if (session_id.empty()) return;
  std::vector<std::shared_ptr<http::WebSocketConnection>> bound;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto [first, last] = r.sessions.equal_range(session_id);
    for (auto it = first; it != last; ++it)
      if (auto socket = it->second.socket.lock()) bound.push_back(std::move(socket));
    r.sessions.erase(first, last);
  }
  close_all(bound);
}

void close_owner_sockets(const std::string& owner, const std::optional<std::string>& except_session_id) {
  std::vector<std::shared_ptr<http::WebSocketConnection>> bound;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto [first, last] = r.owners.equal_range(owner);
    for (auto it = first; it != last;) {
      if (except_session_id && it->second.session_id == *except_session_id) {
        ++it;
        continue;
      }
      if (auto socket = it->second.socket.lock()) bound.push_back(std::move(socket));
      it = r.owners.erase(it);
    }
  }
  close_all(bound);
}

std::size_t deliver(Audience audience, const std::string& name, const std::string& data, bool binary,
                    const http::WebSocketConnection* except) {
  std::vector<std::shared_ptr<http::WebSocketConnection>> targets;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto [first, last] = r.index(audience).equal_range(name);
    for (auto it = first; it != last; ++it)
      if (auto socket = it->second.socket.lock(); socket && socket.get() != except) targets.push_back(std::move(socket));
  }
  // Each socket gets its own copy: it is queued on that socket's thread.
  for (auto& socket : targets) socket->send_soon(data, binary);
  return targets.size();
}

}  // namespace cortado::detail
