#pragma once
/// Session: req.session(): the user's data, its cookie, and what can be done with it.

#include "cortado/app/http_error.hpp"
#include "cortado/core/json.hpp"
#include "cortado/session/session_cookie.hpp"
#include "cortado/session/session_snapshot.hpp"
#include "cortado/session/typed_value.hpp"
#include "cortado/core/task.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/system_error.hpp>

#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace cortado {

namespace detail {
class SessionHost;
struct SessionContext;
class CookieSessionContext;

/// Throws SessionValueError for `key`: absent (misfit == nullptr) or not convertible to `type`.
[[noreturn]] void throw_session_value_error(std::string_view key, const std::type_info& type, const Misfit* misfit);
}  // namespace detail

/// What Session::get<T>() throws when the key is absent or its value does not convert to T: an
/// HttpError 500, so the app's error handlers get it as any thrown error, whose message names the
/// key, the type asked for, what did not fit and what the key holds (its kind, never its content).
class SessionValueError : public HttpError {
 public:
  SessionValueError(std::string key, const std::string& message) : HttpError(500, message), key_(std::move(key)) {}
  /// The session key that was read.
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

/// The session of one request, as express-session's Session (or cookie-session's, from
/// cookie_session()): data keys are JSON values; the methods that reach the store are awaitable.
class Session : public std::enable_shared_from_this<Session> {
 public:
  /// Made by the middleware (`host` is its per-request state); a session made with a null host
  /// offers the data calls only.
  Session(std::shared_ptr<detail::SessionHost> host, std::string id, SessionCookie cookie);

  /// The session id (req.sessionID while this session is current).
  const std::string& id() const { return id_; }
  /// The value under `key`, created as null if absent (JavaScript's assignment target).
  json::value& operator[](std::string_view key) {
    data_may_change_ = true;
    return own()[key];
  }
  /// The value under `key` converted to T, or `fallback` when absent or of another type.
  template <class T>
  T value(std::string_view key, T fallback) const {
    const json::value* v = view().if_contains(key);
    if (!v) return fallback;
    auto converted = json::try_value_to<T>(*v);
    return converted ? *converted : fallback;
  }
  /// The value under `key`, or null when absent (reading never creates a key).
  const json::value& get(std::string_view key) const;
  /// The value under `key` as a T, converted by Boost.JSON's value_to (a type's tag_invoke
  /// customisation, Boost.Describe, standard containers, ...). Throws SessionValueError when the
  /// key is absent or its value does not convert (never a default). With T = std::optional<U>: nullopt
  /// when the key is absent or null, and SessionValueError when it holds something that is not a U.
  template <class T>
  T get(std::string_view key) const {
    const json::value* v = view().if_contains(key);
    if constexpr (detail::is_std_optional<T>::value) {
      if (!v || v->is_null()) return std::nullopt;
      return T(convert<typename T::value_type>(key, *v, typeid(T)));
    } else {
      if (!v) detail::throw_session_value_error(key, typeid(T), nullptr);
      return convert<T>(key, *v, typeid(T));
    }
  }
  /// Stores `value` under `key` as Boost.JSON's value_from converts it, so that Node reads the same
  /// JSON; the session counts as modified exactly as after the same change through operator[]
  /// (storing an equal value is no change). When the conversion throws, the session is left as it was.
  template <class T>
  void set(std::string_view key, T&& value) {
    json::value converted = json::value_from(std::forward<T>(value), data_.storage());
    data_may_change_ = true;
    own()[key] = std::move(converted);
  }
  bool contains(std::string_view key) const { return view().contains(key); }
  /// delete req.session[key].
  void erase(std::string_view key) {
    data_may_change_ = true;
    own().stable_erase(key);  // JavaScript keeps the order
  }
  /// Every data key, without "cookie", in insertion order.
  json::object& data() {
    data_may_change_ = true;
    return own();
  }
  const json::object& data() const { return view(); }
  /// The session cookie: max_age() and its attributes (expires, originalMaxAge as max_age, ...).
  SessionCookie& cookie() { return cookie_; }
  const SessionCookie& cookie() const { return cookie_; }

  /// cookie-session's isNew: no session came with the request (or the one that came was not
  /// valid), so this one was made for it.
  bool is_new() const { return is_new_; }
  /// cookie-session's isPopulated: the session holds at least one key.
  bool is_populated() const { return !view().empty(); }
  /// cookie-session's isChanged: new, or its data (or id) is not what came with the request.
  bool is_changed() const;

  /// Replaces this session by a new one with a new id (the old one is destroyed in the store).
  /// With keep_data the data comes along (a login that keeps the cart). When the store fails to
  /// destroy the old one, the error is thrown but the new id is already in place.
  /// Cookie sessions have no id: regenerate() empties the data (regenerate(true) does nothing).
  Task<> regenerate(bool keep_data = false);
  /// Removes it from the store and from the request (req.session becomes absent). A cookie
  /// session is removed as `req.session = null` removes it: the response clears the cookie.
  Task<> destroy();
  /// Reads the data again from the store; throws when the store no longer has it. A cookie
  /// session goes back to what the request's cookie held.
  Task<> reload();
  /// Writes it to the store now. Throws std::logic_error after destroy() (express-session would
  /// write the destroyed session back through a reference kept to it). A cookie session is
  /// written with the response's headers: save() does nothing there.
  Task<> save();
  /// Binds this session to `owner` (a user id, at login) in the store's owner index, so that
  /// sessions_of(owner) lists it and destroy_all(owner) ends it. Written at the end of the request
  /// (or by save()), after the session itself, which is saved then even if unchanged. The owner is
  /// kept beside the session, never in its JSON: Node reads the same session. regenerate() keeps
  /// the owner with keep_data and drops it otherwise. The store must keep an owner index (every
  /// store cortado ships does; a custom one without it makes the request fail with its error).
  void set_owner(std::string owner) {
    owner_ = std::move(owner);
    owner_changed_ = true;
  }
  /// The owner: the one set in this request, else the one the store has bound (nullopt: none).
  Task<std::optional<std::string>> owner();

  /// Restarts the cookie's lifetime (express-session's touch()).
  void touch() { reset_max_age(); }
  /// cookie.maxAge = cookie.originalMaxAge.
  void reset_max_age() { cookie_.reset_max_age(); }

  /// The stored form: "cookie" (at its stored position, first for a new session), then the data,
  /// its memory from `storage` (the default heap when none is given).
  json::object to_json(json::storage_ptr storage = {}) const;
  /// JSON.stringify of the data without the cookie: what decides "modified".
  std::string data_text() const { return shared_ ? shared_->text : stringify(data_); }
  /// False while nothing could have changed the data since it was loaded or made (only const
  /// access so far): then its text is still the one taken then, and need not be made again.
  bool data_may_have_changed() const { return data_may_change_; }

 private:
  /// value_to<T>(v), or SessionValueError naming `key` and `asked` (the type get() was given).
  template <class T>
  static T convert(std::string_view key, const json::value& v, const std::type_info& asked) {
    try {
      return json::value_to<T>(v);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      // Where it does not fit, when the walk can tell; the conversion's own reason otherwise.
      auto found = detail::misfit<T>(v);
      if (!found) {
        const auto* system = dynamic_cast<const boost::system::system_error*>(&e);
        found = detail::Misfit{"", system ? system->code().message() : e.what(), &v};
      }
      detail::throw_session_value_error(key, asked, &*found);
    }
  }

  // The middleware loads what the store holds; a handler reads it again with reload().
  friend struct detail::SessionContext;
  friend class detail::CookieSessionContext;
  /// Loads stored JSON into this session (keys reserved by express-session's Session dropped).
  void load(json::object stored);
  /// Loads a snapshot the memory store keeps parsed: the data is shared, and copied into this
  /// session's own object only when something asks to change it (own()). The cookie is the one
  /// the session was made with.
  void adopt(std::size_t cookie_position, detail::SnapshotPtr data);
  /// load() for a session made with the stored cookie (read apart; `cookie_position` data keys
  /// stood before it): the rest of the stored object.
  void load_data(json::object&& data, std::size_t cookie_position = 0);
  /// The data as it reads now: the shared snapshot's, or this session's own.
  const json::object& view() const { return shared_ ? shared_->data : data_; }
  /// The data to change: first copied out of the snapshot if it is still shared.
  json::object& own() {
    if (shared_) [[unlikely]]
      unshare();
    return data_;
  }
  void unshare();
  /// Moves the data out of the request's bump allocator (see load()) onto the heap, for a
  /// session that outlives its request: a WebSocket's, edited for as long as the socket lives.
  void move_to_heap();
  std::shared_ptr<detail::SessionHost> host_;
  std::string id_;
  json::object data_;
  /// While set, the data is this snapshot's (data_ is empty) and has not been changed.
  detail::SnapshotPtr shared_;
  SessionCookie cookie_;
  std::size_t cookie_position_ = 0;
  /// destroy() has run (and regenerate() has not given it a new identity since).
  bool destroyed_ = false;
  /// Set by every non-const access to the data; cleared by the middleware once it has the text.
  bool data_may_change_ = true;
  bool is_new_ = true;
  /// set_owner()'s owner, or the store's once owner() has asked it.
  std::optional<std::string> owner_;
  /// set_owner() was called and the store has not bound it yet.
  bool owner_changed_ = false;
};

}  // namespace cortado
