#include "session/socket_registry.hpp"

#include <mutex>
#include <unordered_map>
#include <vector>

namespace cortado::detail {

namespace {

struct Registry {
  std::mutex mutex;
  std::unordered_multimap<std::string, std::weak_ptr<http::WebSocketConnection>> sockets;
  /// Size after the last sweep of closed sockets: the next sweep comes when it has doubled, so
  /// sweeping costs O(1) per bind on average and the map stays within twice the open sockets.
  std::size_t swept_size = 0;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void bind_socket(const std::string& session_id, std::weak_ptr<http::WebSocketConnection> socket) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (r.sockets.size() >= 2 * r.swept_size + 64) {
    std::erase_if(r.sockets, [](const auto& entry) { return entry.second.expired(); });
    r.swept_size = r.sockets.size();
  }
  r.sockets.emplace(session_id, std::move(socket));
}

void close_sockets_of(const std::string& session_id) {
  if (session_id.empty()) return;
  std::vector<std::shared_ptr<http::WebSocketConnection>> bound;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto [first, last] = r.sockets.equal_range(session_id);
    for (auto it = first; it != last; ++it)
      if (auto socket = it->second.lock()) bound.push_back(std::move(socket));
    r.sockets.erase(first, last);
  }
  // Outside the lock: close_soon only posts to each socket's own thread.
  for (auto& socket : bound) socket->close_soon(session_ended_close_code, "session ended");
}

}  // namespace cortado::detail
