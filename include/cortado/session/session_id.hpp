#pragma once
/// Session ids as express-session makes them: uid-safe(24).

#include <string>

namespace cortado {

/// 24 bytes from the CSPRNG (OpenSSL RAND_bytes), base64url without padding: 32 characters
/// of [A-Za-z0-9_-]. Throws std::runtime_error when the CSPRNG fails.
std::string generate_session_id();

}  // namespace cortado
