// The request-level helpers over the store's owner index.
#include "cortado/session/owners.hpp"

#include "cortado/app/request.hpp"
#include "cortado/session/store.hpp"
#include "session/socket_events.hpp"

#include <optional>
#include <stdexcept>

namespace cortado {
namespace {

Store& store_of(const Request& req) {
  const auto& store = req.session_store();
  if (!store) throw std::logic_error("sessions_of()/destroy_all() used without the session middleware");
  return *store;
}

}  // namespace

Task<std::vector<std::pair<std::string, json::object>>> sessions_of(Request& req, std::string owner) {
  Store& store = store_of(req);
  co_return co_await store.sessions_of(std::move(owner));
}

Task<std::size_t> destroy_all(Request& req, std::string owner, bool keep_current) {
  Store& store = store_of(req);
  std::optional<std::string> except;
  if (keep_current && !req.session_id().empty()) except = req.session_id();
  auto count = co_await store.destroy_all(owner, except);
  // Their sockets close too (4401), in every process sharing the store.
  co_await detail::end_owner_sockets(store, std::move(owner), std::move(except));
  co_return count;
}

}  // namespace cortado
