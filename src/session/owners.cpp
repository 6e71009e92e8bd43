// The request-level helpers over the store's owner index.
#include "cortado/session/owners.hpp"

#include "cortado/app/request.hpp"
#include "cortado/session/store.hpp"

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
  co_return co_await store.destroy_all(std::move(owner), std::move(except));
}

}  // namespace cortado
