// What every store shares: the defaults of the optional methods, how stored sessions are read and when they expire.
#include "cortado/session/store.hpp"

#include "cortado/core/dates.hpp"

#include "core/flat_json.hpp"
#include "session/session_text.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>

namespace cortado {

Task<> Store::touch(std::string sid, json::object session) {
  // Awaited into a variable: GCC 12 miscompiles a co_await inside an if's condition here.
  auto current = co_await get(sid);
  if (!current) co_return;
  co_await set(std::move(sid), std::move(session));
}

Task<> Store::touch_until(std::string, std::optional<std::chrono::system_clock::time_point>) {
  throw std::logic_error(describe() + " does not implement touch_until()");
}

Task<> Store::set_text(std::string sid, std::string text, std::optional<std::chrono::system_clock::time_point>) {
  json::value session = parse_stored_session(text);
  if (!session.is_object()) throw std::invalid_argument("set_text(): the session's text is no JSON object");
  co_await set(std::move(sid), std::move(session.get_object()));
}

Task<std::optional<StoredSession>> Store::load(std::string sid, json::storage_ptr storage) {
  std::optional<json::object> stored = co_await get_into(std::move(sid), std::move(storage));
  if (!stored) co_return std::nullopt;
  std::optional<StoredSession> out(std::in_place);
  std::tie(out->cookie, out->cookie_position) = detail::split_stored_session(*stored);
  detail::take_object(out->data, std::move(*stored));
  co_return out;
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

json::value parse_stored_session(std::string_view text, json::storage_ptr storage) {
  return parse_json(text, max_session_depth, std::move(storage));
}

std::optional<std::chrono::system_clock::time_point> session_expiry(const json::object& session) {
  const json::value* cookie = session.if_contains("cookie");
  if (cookie == nullptr || !cookie->is_object()) return std::nullopt;
  const json::value* expires = cookie->get_object().if_contains("expires");
  // express-session's MemoryStore does `new Date(expires)`; an unreadable date never expires there either.
  if (expires == nullptr || !expires->is_string()) return std::nullopt;
  return parse_iso_date(expires->get_string());
}

std::optional<StoredSession> read_stored_session(std::string_view text, json::storage_ptr storage) {
  std::optional<StoredSession> out(std::in_place);
  const std::size_t end = detail::read_leading_cookie(text, out->cookie);
  if (end != 0 && text[end] == '}' && end + 1 == text.size()) {
    detail::take_object(out->data, json::object(storage));
    out->data_text = "{}";
    return out;
  }
  if (end != 0 && text[end] == ',') {
    // The data alone, `{"cookie":{…},"a":1}` read as `{"a":1}`.
    thread_local std::string data;
    data.assign(1, '{');
    data.append(text.substr(end + 1));
    json::value flat(storage);
    // An empty data object means `{"cookie":{…},}`, which is no JSON: the whole text's parse says so below.
    if (detail::parse_flat_object(data, flat) && !flat.get_object().empty() && !flat.get_object().contains("cookie")) {
      detail::take_object(out->data, std::move(flat.get_object()));
      if (std::none_of(out->data.begin(), out->data.end(), [](const auto& e) { return detail::key_may_move(e.key()); }))
        out->data_text = data;
      return out;
    }
    // Nested data: the parser reads the data alone (an error is reported on the whole text, below).
    try {
      json::value nested = parse_stored_session(data, storage);
      if (!nested.get_object().empty() && !nested.get_object().contains("cookie")) {
        detail::take_object(out->data, std::move(nested.get_object()));
        return out;
      }
    } catch (const std::invalid_argument&) {
    }
  }
  // Anything else whole, as get() reads it: nested data, another cookie's form, a second "cookie".
  json::value parsed = parse_stored_session(text, std::move(storage));
  if (!parsed.is_object()) return std::nullopt;
  std::tie(out->cookie, out->cookie_position) = detail::split_stored_session(parsed.get_object());
  detail::take_object(out->data, std::move(parsed.get_object()));
  return out;
}

}  // namespace cortado
