#pragma once
/// Session ids as express-session makes them: uid-safe(24).

#include <string>
#include <string_view>

namespace cortado {

/// 24 bytes from the CSPRNG (OpenSSL RAND_bytes), base64url without padding: 32 characters
/// of [A-Za-z0-9_-]. Throws std::runtime_error when the CSPRNG fails.
std::string generate_session_id();

/// What logs and error messages name a session by: "sha256:" and the first 8 hex digits of the
/// SHA-256 of its id. The id itself is a bearer credential and stays out of them; the digest
/// still lets an operator match a message to an id they hold.
std::string session_id_digest(std::string_view id);

}  // namespace cortado
