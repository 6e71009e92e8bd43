#pragma once
/// cookie_session(): the whole session in the cookie, with no store: Node's cookie-session 2.x
/// (the JSON base64-encoded, signed by Keygrip in a ".sig" cookie), or sealed (encrypted).

#include "cortado/app/handler.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/core/cookies.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cortado {

/// cookie-session's options. The cookie's own attributes are in `cookie`, as session() takes them.
struct CookieSessionOptions {
  /// The cookie's name (the signature goes in name + ".sig").
  std::string name = "session";
  /// The keys: the first signs (or seals), every one verifies (or opens), for rotation. A cookie
  /// verified by another key than the first gets its signature written again with the first
  /// (sealed: the cookie is sealed again with it).
  std::vector<std::string> keys{};
  /// The single key when `keys` is empty.
  std::optional<std::string> secret{};
  /// cookie-session's `signed` (a C++ keyword): false keeps the cookie unsigned, readable and
  /// writable by the client. Needs no keys then. Ignored when sealed.
  bool sign = true;
  /// Replace the Set-Cookie headers already set for the same name in this response.
  bool overwrite = true;
  /// max_age (ms from each write; wins over expires), expires, path ("/"), domain, http_only
  /// (unset: on), secure (unset: on exactly when the request came over HTTPS, by the app's trust
  /// proxy; true over plain HTTP: the cookie is not sent, as in cookie-session), same_site,
  /// partitioned, priority. req.session().cookie().attributes is a copy of them for the request
  /// (cookie-session's req.sessionOptions): change it to change this response's cookie.
  CookieAttributes cookie{};

  /// Seal the cookie instead of signing it: the JSON is encrypted and authenticated (libsodium's
  /// XChaCha20-Poly1305, a key derived from each of `keys`), so the client can neither read nor
  /// change it. Not readable by Node's cookie-session.
  bool sealed = false;
  /// Sealed: how long a sealed cookie is accepted after it was written, whatever the browser keeps
  /// (an absolute expiry inside the sealed data, which bounds a replay). Default: cookie.max_age,
  /// else 24 hours. The cookie is written again only when the session changes (or the key rotates).
  std::optional<std::chrono::milliseconds> sealed_lifetime{};
};

/// The error when a sealed session would not fit in one cookie: browsers keep at most
/// max_cookie_bytes of a cookie, name, value and attributes together, and drop a larger one without
/// a word. Thrown after the handlers, before the response is sent, so the app's error handlers
/// answer (500); the browser keeps the cookie it had.
class SessionCookieTooLarge : public HttpError {
 public:
  static constexpr std::size_t max_cookie_bytes = 4096;
  SessionCookieTooLarge(std::string name, std::size_t bytes);
  /// The size the Set-Cookie value would have had.
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t bytes_;
};

/// cookie-session: req.session() is read from the cookie when first used (a tampered or unsigned
/// cookie gives a new, empty session), and written back as the response's headers go out when it
/// changed and is not an empty new session; req.unset_session() (or destroy()) clears the cookie.
/// Session::is_new(), is_changed(), is_populated() are cookie-session's. A cookie session has no
/// id (req.session_id() is "") and no store. Throws std::invalid_argument when signing or sealing
/// has no key, or for a cookie name or attribute that cannot be written.
Middleware cookie_session(CookieSessionOptions options);

}  // namespace cortado
