#pragma once
/// SessionOptions: every option of express-session, with its default.

#include "cortado/session/session_cookie.hpp"
#include "cortado/session/store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cortado {

class Request;

/// express-session's `cookie` option: the settings every new session's cookie starts from.
struct SessionCookieOptions {
  /// Lifetime; absent = a browser-session cookie (no Expires).
  std::optional<std::chrono::milliseconds> max_age{};
  /// A fixed end instead of max_age.
  std::optional<std::chrono::system_clock::time_point> expires{};
  bool http_only = true;
  /// The Secure attribute; absent leaves it out. A secure cookie is only sent over HTTPS.
  std::optional<bool> secure{};
  /// secure: "auto": Secure exactly when the request came over HTTPS.
  bool secure_auto = false;
  std::optional<std::string> domain{};
  /// The cookie's path; requests outside it get no session at all (express-session's filter).
  std::string path = "/";
  /// true (= Strict), or "lax", "strict", "none".
  std::optional<SessionCookie::same_site_value> same_site{};
  std::optional<bool> partitioned{};
  /// "low", "medium" or "high".
  std::optional<std::string> priority{};
};

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
  SessionCookieOptions cookie{};

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
