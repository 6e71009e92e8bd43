#pragma once
/// SessionOptions: every option of express-session, with its default.

#include "cortado/core/cookies.hpp"
#include "cortado/session/store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cortado {

class Request;

/// express-session's options. Unset resave/save_uninitialized default to true with a warning,
/// as in express-session; set both explicitly.
struct SessionOptions {
  /// Signing secrets: the first signs, every one verifies (rotation). Required.
  std::vector<std::string> secret{};
  /// The cookie's name.
  std::string name = "connect.sid";
  /// Save the session on every request even when unchanged.
  std::optional<bool> resave{};
  /// Save a new session that nothing was put into.
  std::optional<bool> save_uninitialized{};
  /// Send the cookie (and reset its expiry) on every response.
  bool rolling = false;
  /// What `req.session = null` means at the end: "keep" the stored session or "destroy" it.
  std::string unset = "keep";
  /// Trust X-Forwarded-Proto for the secure cookie: true, false, or absent = the app's trust proxy.
  std::optional<bool> proxy{};
  /// Makes a new session id; default: 24 random bytes, base64url.
  std::function<std::string(const Request&)> genid{};
  /// Where sessions live; default: a MemoryStore of at most default_session_store_entries sessions.
  std::shared_ptr<Store> store{};
  /// express-session's `cookie` option: the attributes every new session's cookie starts from
  /// (max_age unset: a browser-session cookie; http_only unset: on). Requests outside its path
  /// get no session at all.
  CookieAttributes cookie{};
  /// express-session's `cookie.secure: "auto"`: Secure exactly when the request came over HTTPS
  /// (then cookie.secure is not used).
  bool secure_auto = false;

  // Beyond express-session; each is off unless set.

  /// With rolling or resave off: write a touch to the store at most this often per session.
  std::optional<std::chrono::milliseconds> touch_after{};
  /// Save only what this request changed, onto what the store holds now: two concurrent
  /// requests that change different keys of one session both keep their change (express-session
  /// writes the whole object it loaded, so the slower request undoes the faster one's change).
  /// A session the store no longer holds (destroyed by a concurrent logout, or expired) is not
  /// written back, and its cookie is not renewed.
  bool merge_changes = false;
  /// End a session this long after it was created, however active it is. New sessions then
  /// carry their creation time as a "createdAt" key (ms since the epoch; Node apps see it too).
  std::optional<std::chrono::milliseconds> absolute_lifetime{};
};

}  // namespace cortado
