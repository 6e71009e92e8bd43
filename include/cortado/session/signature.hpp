#pragma once
/// Cookie signing exactly as Node's cookie-signature and express-session do it.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cortado {

/// `value` + "." + base64(HMAC-SHA256(value, secret)) without `=` padding (cookie-signature's sign).
std::string sign(std::string_view value, std::string_view secret);

/// The value before the last '.' when the signature after it matches one of `secrets`
/// (tried in order, compared in constant time); nullopt otherwise.
std::optional<std::string> unsign(std::string_view signed_value, std::span<const std::string> secrets);

/// The session cookie's value as express-session writes it: "s:" + sign(sid, secret), before URL-encoding.
std::string sign_cookie(std::string_view sid, std::string_view secret);

/// The session id inside an (already %-decoded) cookie value, or nullopt when the "s:" prefix
/// is missing or no secret verifies it. An empty id can come back; express-session treats it as absent.
std::optional<std::string> unsign_cookie(std::string_view raw_cookie_value, std::span<const std::string> secrets);

}  // namespace cortado
