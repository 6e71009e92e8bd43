// What every store shares: the defaults of the optional methods, how stored sessions are read and when they expire.
#include "cortado/session/store.hpp"

#include "cortado/core/dates.hpp"

#include <stdexcept>

namespace cortado {

Task<> Store::touch(std::string sid, json::object session) {
  // Awaited into a variable: GCC 12 miscompiles a co_await inside an if's condition here.
  auto current = co_await get(sid);
  if (!current) co_return;
  co_await set(std::move(sid), std::move(session));
}

Task<std::vector<std::pair<std::string, json::object>>> Store::all() {
  throw std::logic_error(describe() + " does not implement all()");
  co_return std::vector<std::pair<std::string, json::object>>{};
}

Task<std::size_t> Store::length() {
  throw std::logic_error(describe() + " does not implement length()");
  co_return 0;
}

Task<> Store::clear() {
  throw std::logic_error(describe() + " does not implement clear()");
  co_return;
}

Task<> Store::publish(std::string) { co_return; }

void Store::subscribe(std::function<void(std::string)>) {}

namespace {
[[noreturn]] void no_owner_index(const Store& store, const char* call) {
  throw std::logic_error(store.describe() + " does not keep an owner index: " + call +
                         "() needs a store that implements set_owner, owner_of, sessions_of and destroy_all");
}
}  // namespace

Task<> Store::set_owner(std::string, std::string, json::object) {
  no_owner_index(*this, "set_owner");
  co_return;
}

Task<std::optional<std::string>> Store::owner_of(std::string) {
  no_owner_index(*this, "owner_of");
  co_return std::nullopt;
}

Task<std::vector<std::pair<std::string, json::object>>> Store::sessions_of(std::string) {
  no_owner_index(*this, "sessions_of");
  co_return std::vector<std::pair<std::string, json::object>>{};
}

Task<std::size_t> Store::destroy_all(std::string, std::optional<std::string>) {
  no_owner_index(*this, "destroy_all");
  co_return 0;
}

json::value parse_stored_session(std::string_view text) { return parse_json(text, max_session_depth); }

std::optional<std::chrono::system_clock::time_point> session_expiry(const json::object& session) {
  const json::value* cookie = session.if_contains("cookie");
  if (cookie == nullptr || !cookie->is_object()) return std::nullopt;
  const json::value* expires = cookie->get_object().if_contains("expires");
  // express-session's MemoryStore does `new Date(expires)`; an unreadable date never expires there either.
  if (expires == nullptr || !expires->is_string()) return std::nullopt;
  return parse_iso_date(expires->get_string());
}

}  // namespace cortado
