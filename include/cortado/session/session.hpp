#pragma once
/// Session: req.session(): the user's data, its cookie, and what can be done with it.

#include "cortado/core/json.hpp"
#include "cortado/session/session_cookie.hpp"
#include "cortado/core/task.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value_to.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace cortado {

namespace detail {
struct SessionContext;
}

/// The session of one request, as express-session's Session: data keys are JSON values;
/// the methods that reach the store are awaitable.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<detail::SessionContext> context, std::string id, SessionCookie cookie);

  /// The session id (req.sessionID while this session is current).
  const std::string& id() const { return id_; }
  /// The value under `key`, created as null if absent (JavaScript's assignment target).
  json::value& operator[](std::string_view key) {
    data_may_change_ = true;
    return data_[key];
  }
  /// The value under `key` converted to T, or `fallback` when absent or of another type.
  template <class T>
  T value(std::string_view key, T fallback) const {
    const json::value* v = data_.if_contains(key);
    if (!v) return fallback;
    auto converted = json::try_value_to<T>(*v);
    return converted ? *converted : fallback;
  }
  /// The value under `key`, or null when absent (reading never creates a key).
  const json::value& get(std::string_view key) const;
  bool contains(std::string_view key) const { return data_.contains(key); }
  /// delete req.session[key].
  void erase(std::string_view key) {
    data_may_change_ = true;
    data_.stable_erase(key);  // JavaScript keeps the order
  }
  /// Every data key, without "cookie", in insertion order.
  json::object& data() {
    data_may_change_ = true;
    return data_;
  }
  const json::object& data() const { return data_; }
  /// The session cookie: max_age() and its attributes (expires, originalMaxAge as max_age, ...).
  SessionCookie& cookie() { return cookie_; }
  const SessionCookie& cookie() const { return cookie_; }

  /// Replaces this session by a new one with a new id (the old one is destroyed in the store).
  /// With keep_data the data comes along (a login that keeps the cart). When the store fails to
  /// destroy the old one, the error is thrown but the new id is already in place.
  Task<> regenerate(bool keep_data = false);
  /// Removes it from the store and from the request (req.session becomes absent).
  Task<> destroy();
  /// Reads the data again from the store; throws when the store no longer has it.
  Task<> reload();
  /// Writes it to the store now. Throws std::logic_error after destroy() (express-session would
  /// write the destroyed session back through a reference kept to it).
  Task<> save();
  /// Restarts the cookie's lifetime (express-session's touch()).
  void touch() { reset_max_age(); }
  /// cookie.maxAge = cookie.originalMaxAge.
  void reset_max_age() { cookie_.reset_max_age(); }

  /// The stored form: "cookie" (at its stored position, first for a new session), then the data.
  json::object to_json() const;
  /// JSON.stringify of the data without the cookie: what decides "modified".
  std::string data_text() const { return stringify(data_); }
  /// False while nothing could have changed the data since it was loaded or made (only const
  /// access so far): then its text is still the one taken then, and need not be made again.
  bool data_may_have_changed() const { return data_may_change_; }

 private:
  // The middleware loads what the store holds; a handler reads it again with reload().
  friend struct detail::SessionContext;
  /// Loads stored JSON into this session (keys reserved by express-session's Session dropped).
  void load(json::object stored);
  std::shared_ptr<detail::SessionContext> context_;
  std::string id_;
  json::object data_;
  SessionCookie cookie_;
  std::size_t cookie_position_ = 0;
  /// destroy() has run (and regenerate() has not given it a new identity since).
  bool destroyed_ = false;
  /// Set by every non-const access to the data; cleared by the middleware once it has the text.
  bool data_may_change_ = true;
};

}  // namespace cortado
