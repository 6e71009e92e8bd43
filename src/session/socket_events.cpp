#include "session/socket_events.hpp"

#include "cortado/session/session_id.hpp"

#include <charconv>
#include <iostream>
#include <mutex>
#include <set>

namespace cortado::detail {

namespace {

// A version tag first: a later format, or anything else published on the channel, is ignored.
constexpr std::string_view tag = "cortado-ws1 ";

const std::string& process_id() {
  static const std::string id = generate_session_id();  // 32 random characters
  return id;
}

void put(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

bool take(std::string_view& in, std::string& field) {
  auto colon = in.find(':');
  if (colon == std::string_view::npos) return false;
  std::size_t size = 0;
  auto [end, ec] = std::from_chars(in.data(), in.data() + colon, size);
  if (ec != std::errc() || end != in.data() + colon || size > in.size() - colon - 1) return false;
  field.assign(in.substr(colon + 1, size));
  in.remove_prefix(colon + 1 + size);
  return true;
}

// What an event does in one process.
void act(const SocketEvent& e) {
  switch (e.kind) {
    case 'e': close_sockets_of(e.name); break;
    case 'o': close_owner_sockets(e.name, e.has_except ? std::optional<std::string>(e.data) : std::nullopt); break;
    case 'b': deliver(e.audience, e.name, e.data, e.binary); break;
  }
}

Task<> publish(Store& store, const SocketEvent& e) {
  if (!store.shares_events()) co_return;
  co_await store.publish(encode(e));
}

}  // namespace

std::string encode(const SocketEvent& e) {
  std::string out(tag);
  put(out, e.from);
  put(out, std::string_view(&e.kind, 1));
  const char audience = static_cast<char>(e.audience);
  put(out, std::string_view(&audience, 1));
  put(out, e.name);
  put(out, e.data);
  put(out, e.binary ? "1" : "0");
  put(out, e.has_except ? "1" : "0");
  return out;
}

std::optional<SocketEvent> decode(std::string_view in) {
  if (!in.starts_with(tag)) return std::nullopt;
  in.remove_prefix(tag.size());
  SocketEvent e;
  std::string kind, audience, binary, has_except;
  if (!take(in, e.from) || !take(in, kind) || !take(in, audience) || !take(in, e.name) || !take(in, e.data) ||
      !take(in, binary) || !take(in, has_except) || !in.empty())
    return std::nullopt;
  if (kind.size() != 1 || (kind[0] != 'e' && kind[0] != 'o' && kind[0] != 'b')) return std::nullopt;
  if (audience.size() != 1 || (audience[0] != 's' && audience[0] != 'o' && audience[0] != 'r')) return std::nullopt;
  e.kind = kind[0];
  e.audience = static_cast<Audience>(audience[0]);
  e.binary = binary == "1";
  e.has_except = has_except == "1";
  return e;
}

void subscribe_socket_events(const std::shared_ptr<Store>& store) {
  if (!store || !store->shares_events()) return;
  // Once per store: an app may mount several session middlewares on one store. The set keeps
  // the stores alive for the process's life, as their subscriptions run that long anyway.
  static std::mutex mutex;
  static std::set<std::shared_ptr<Store>> subscribed;
  {
    std::lock_guard lock(mutex);
    if (!subscribed.insert(store).second) return;
  }
  store->subscribe([](std::string text) {
    auto event = decode(text);
    if (!event) {
      std::cerr << "cortado: ignored a malformed socket event on the store's channel\n";
      return;
    }
    if (event->from == process_id()) return;  // acted on when published
    act(*event);
  });
}

Task<> end_session_sockets(Store& store, std::string session_id) {
  if (session_id.empty()) co_return;
  SocketEvent e;
  e.from = process_id();
  e.kind = 'e';
  e.name = std::move(session_id);
  act(e);
  co_await publish(store, e);
}

Task<> end_owner_sockets(Store& store, std::string owner, std::optional<std::string> except_session_id) {
  SocketEvent e;
  e.from = process_id();
  e.kind = 'o';
  e.name = std::move(owner);
  e.has_except = except_session_id.has_value();
  if (except_session_id) e.data = std::move(*except_session_id);
  act(e);
  co_await publish(store, e);
}

Task<> broadcast(Store* store, Audience audience, std::string name, std::string data, bool binary,
                 const http::WebSocketConnection* except) {
  deliver(audience, name, data, binary, except);
  if (!store) co_return;
  SocketEvent e;
  e.from = process_id();
  e.kind = 'b';
  e.audience = audience;
  e.name = std::move(name);
  e.data = std::move(data);
  e.binary = binary;
  co_await publish(*store, e);
}

}  // namespace cortado::detail
