#pragma once
// CSRF defence with the synchroniser-token pattern: a random token lives in the session, every
// form carries it in a hidden `_csrf` field, and every POST must send it back. Another site can
// make the browser POST here with the session cookie attached, but it cannot read our pages,
// so it cannot know the token. (The cookie's SameSite=Lax already stops most such posts; the
// token also covers older browsers and same-site attackers.)

#include <cortado/app/handler.hpp>
#include <cortado/session/session.hpp>

#include <string>

namespace demo {

/// The session's token, made on first use.
std::string csrf_token(cortado::Session& session);

/// A fresh token, after the session changes hands (login), so a token seen before is useless.
void rotate_csrf_token(cortado::Session& session);

/// Middleware: a POST whose `_csrf` field does not match the session's token ends in
/// HttpError 403 before any handler runs; other methods pass.
cortado::Middleware verify_csrf();

}  // namespace demo
