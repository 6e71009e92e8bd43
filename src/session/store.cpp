// What every store needs to know of the session's shape: when it expires.
#include "cortado/session/store.hpp"

#include "cortado/app/dates.hpp"

namespace cortado {

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
