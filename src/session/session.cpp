#include "cortado/session/session.hpp"

#include "cortado/app/request.hpp"
#include "session/session_context.hpp"
#include "session/socket_events.hpp"
#include "session/session_slot.hpp"
#include "session/session_text.hpp"

#include <boost/core/demangle.hpp>

#include <algorithm>
#include <array>
#include <exception>
#include <stdexcept>

namespace cortado {
namespace detail {

namespace {

// The type's name as written in code: std::string, std::vector<Line>, not the allocators.
std::string readable_type(const std::type_info& type) {
  std::string name = boost::core::demangle(type.name());
  auto replace_all = [&](std::string_view from, std::string_view to) {
    for (auto at = name.find(from); at != std::string::npos; at = name.find(from, at + to.size()))
      name.replace(at, from.size(), to);
  };
  replace_all("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string");
  replace_all("std::__cxx11::", "std::");
  // ", std::allocator<…> >" and ", std::less<…>" arguments that only repeat the defaults.
  for (std::string_view defaulted : {", std::allocator<", ", std::less<"}) {
    for (auto at = name.find(defaulted); at != std::string::npos; at = name.find(defaulted, at)) {
      std::size_t end = at + defaulted.size();
      for (int depth = 1; end < name.size() && depth > 0; ++end) depth += name[end] == '<' ? 1 : name[end] == '>' ? -1 : 0;
      name.erase(at, end - at);
    }
  }
  replace_all(" >", ">");
  return name;
}

std::string_view kind_of(const json::value& v) {
  return v.is_object() ? "an object" : v.is_array() ? "an array" : v.is_string() ? "a string" : v.is_bool() ? "a boolean"
         : v.is_null() ? "null" : "a number";
}

}  // namespace

void throw_session_value_error(std::string_view key, const std::type_info& type, const Misfit* misfit) {
  std::string message = "session value \"" + std::string(key) + "\"";
  if (!misfit) throw SessionValueError(std::string(key), message + " is absent (expected " + readable_type(type) + ")");
  message += " does not fit " + readable_type(type) + ": ";
  if (!misfit->path.empty()) message += "at " + misfit->path + ", ";
  message += misfit->reason;
  // What is there, by kind only: the message may reach a client (an error page in development).
  if (misfit->found) message += " (it holds " + std::string(kind_of(*misfit->found)) + ")";
  throw SessionValueError(std::string(key), message);
}

}  // namespace detail

namespace {

// Keys a stored session cannot bring back: express-session's Session merges stored keys only
// when they are not already "in" the object (its own id and req, its methods, Object.prototype).
bool reserved_key(std::string_view key) {
  static constexpr std::array<std::string_view, 20> reserved{
      "id",          "req",           "regenerate",       "destroy",          "reload",
      "save",        "touch",         "resetMaxAge",      "constructor",      "hasOwnProperty",
      "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString",   "valueOf",
      "__proto__",   "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__"};
  for (auto r : reserved)
    if (r == key) return true;
  return false;
}

}  // namespace

Session::Session(std::shared_ptr<detail::SessionHost> host, std::string id, SessionCookie cookie)
    : host_(std::move(host)), id_(std::move(id)), cookie_(std::move(cookie)) {}

bool Session::is_changed() const { return !host_ || host_->is_changed(*this); }

// The host may be all that keeps this session alive while it waits (the request may drop its
// reference meanwhile): both are held until the operation ends.
Task<> Session::regenerate(bool keep_data) {
  auto self = shared_from_this();
  auto host = host_;
  co_await host->regenerate(*this, keep_data);
}

Task<std::optional<std::string>> Session::owner() {
  auto self = shared_from_this();
  if (owner_changed_ || owner_ || !host_) co_return owner_;
  auto host = host_;
  owner_ = co_await host->owner_of(*this);
  co_return owner_;
}

Task<> Session::destroy() {
  auto self = shared_from_this();
  auto host = host_;
  co_await host->destroy(*this);
}

Task<> Session::reload() {
  auto self = shared_from_this();
  auto host = host_;
  co_await host->reload(*this);
}

Task<> Session::save() {
  auto self = shared_from_this();
  auto host = host_;
  co_await host->save(*this);
}

const json::value& Session::get(std::string_view key) const {
  static const json::value null_value;
  const json::value* v = view().if_contains(key);
  return v ? *v : null_value;
}

json::object Session::to_json(json::storage_ptr storage) const {
  const json::object& data = view();
  json::object out(storage);
  out.reserve(data.size() + 1);
  std::size_t index = 0;
  auto position = std::min(cookie_position_, data.size());
  for (const auto& [key, value] : data) {
    if (index++ == position) out.emplace("cookie", cookie_.to_json(storage));
    out.emplace(key, value);
  }
  if (position == data.size()) out.emplace("cookie", cookie_.to_json(storage));
  return out;
}

namespace detail {

std::pair<SessionCookie, std::size_t> split_stored_session(json::object& stored) {
  SessionCookie cookie;
  std::size_t position = 0;
  // The stored object becomes the data once its cookie and reserved keys are out: no key is
  // copied, and the order of the rest stays.
  std::size_t index = 0;
  for (auto it = stored.begin(); it != stored.end();) {
    if (it->key() == "cookie") {
      position = index;
      if (it->value().is_object()) cookie = SessionCookie::from_json(it->value().get_object());
      it = stored.stable_erase(it);
    } else if (reserved_key(it->key())) {
      it = stored.stable_erase(it);
    } else {
      ++it;
      ++index;
    }
  }
  return {std::move(cookie), position};
}

}  // namespace detail

void Session::load(json::object stored) {
  data_may_change_ = true;
  shared_.reset();
  std::tie(cookie_, cookie_position_) = detail::split_stored_session(stored);
  detail::take_object(data_, std::move(stored));
}

void Session::load_data(json::object&& data, std::size_t cookie_position) {
  data_may_change_ = true;
  shared_.reset();
  // The reserved keys out (it holds no "cookie"): split_stored_session() without the cookie it
  // would make and give back for nothing.
  for (auto it = data.begin(); it != data.end();) it = reserved_key(it->key()) ? data.stable_erase(it) : std::next(it);
  cookie_position_ = std::min(cookie_position, data.size());
  detail::take_object(data_, std::move(data));
}

void Session::adopt(std::size_t cookie_position, detail::SnapshotPtr data) {
  data_may_change_ = true;
  cookie_position_ = cookie_position;
  data_.clear();
  shared_ = std::move(data);
}

void Session::unshare() {
  // Into this session's own storage (the request's bump allocator, or the heap for a socket's).
  json::object copy(shared_->data, data_.storage());
  detail::take_object(data_, std::move(copy));
  shared_.reset();
}

void Session::move_to_heap() {
  if (data_.storage().get() == json::storage_ptr().get()) return;
  detail::take_object(data_, json::object(data_, json::storage_ptr()));
}

namespace detail {

Task<> SessionContext::regenerate(Session& s, bool keep_data) {
  auto self = s.shared_from_this();  // the request may drop its reference while we wait
  auto& ctx = *this;
  auto old_id = ctx.req.session_id();
  // The new identity comes before the destroy: if the store fails and the app carries on, the
  // old (perhaps planted) id must not stay in use. express-session's store.regenerate also
  // generates whatever destroy's error is, then passes the error on.
  // The same object takes the new identity, so references held by the handler stay valid.
  s.id_ = ctx.new_id();
  s.cookie_ = ctx.new_cookie();
  s.cookie_position_ = 0;
  s.data_may_change_ = true;
  s.is_new_ = true;
  if (!keep_data) {
    s.data_.clear();
    s.shared_.reset();
    ctx.stamp_creation(s);  // a new session starts a new absolute lifetime
  }
  ctx.req.slot<detail::SessionSlot>().id = s.id_;
  ctx.req.slot<detail::SessionSlot>().session = self;
  ctx.track_saves = false;
  s.destroyed_ = false;
  std::exception_ptr owner_error;
  if (keep_data && !s.owner_changed_) {
    // The owner comes along with the data: the new id is bound at the end of the request. A
    // store without an owner index has no owner to carry. Any other failure is passed on only
    // after the old session is destroyed, which must happen whatever else fails.
    std::optional<std::string> owner;
    try {
      owner = co_await ctx.config->options.store->owner_of(old_id);
    } catch (const std::logic_error&) {
    } catch (...) {
      owner_error = std::current_exception();
    }
    if (owner) {
      s.owner_ = std::move(owner);
      s.owner_changed_ = true;
    }
  } else if (!keep_data) {
    s.owner_.reset();
    s.owner_changed_ = false;
  }
  co_await ctx.destroy_in_store(std::move(old_id));  // the sockets opened on the old identity end with it
  if (owner_error) std::rethrow_exception(owner_error);
}

Task<> SessionContext::destroy(Session& s) {
  auto self = s.shared_from_this();
  auto& ctx = *this;
  ctx.req.unset_session();
  s.destroyed_ = true;
  co_await ctx.destroy_in_store(s.id_);
}

Task<> SessionContext::reload(Session& s) {
  auto self = s.shared_from_this();
  auto& ctx = *this;
  auto stored = co_await ctx.store().get(s.id_);
  if (!stored) throw std::runtime_error("failed to load session");
  s.load(std::move(*stored));
  ctx.track_saves = true;
}

Task<> SessionContext::save(Session& s) {
  auto self = s.shared_from_this();
  auto& ctx = *this;
  if (s.destroyed_) throw std::logic_error("session.save() after session.destroy(): a destroyed session is not written back");
  co_await ctx.write(s);
  // Counted as saved only once the store has it: after a failed save that the app caught, the
  // end of the request saves the changes again.
  if (ctx.track_saves) ctx.saved_hash = ctx.data_text(s);
  co_await ctx.bind_owner(s);
}

Task<std::optional<std::string>> SessionContext::owner_of(const Session& s) {
  auto self = s.shared_from_this();
  co_return co_await config->options.store->owner_of(s.id());
}

bool SessionContext::is_changed(const Session& s) const { return is_modified(s, data_text(s)); }

}  // namespace detail


}  // namespace cortado
