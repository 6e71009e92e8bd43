#pragma once
/// session(): the middleware that gives every request its req.session() (express-session).

#include "cortado/app/handler.hpp"
#include "cortado/session/session_options.hpp"

namespace cortado {

/// express-session: loads the session named by the signed cookie before the handlers run,
/// saves or touches it after them, and sets the cookie by express-session's own rules.
/// Throws std::invalid_argument for options express-session refuses (no secret, bad unset,
/// a cookie attribute that cannot be written).
Middleware session(SessionOptions options);

}  // namespace cortado
