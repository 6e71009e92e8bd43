#pragma once
// Live pages: a few lines of JavaScript (live_script(), served at /live.js) open one WebSocket per
// page at /live, on the page's session, and the server pushes what changed to the other open
// pages: the cart badge to the pages of the same session (the cart is the session's), a nudge to
// reload "Your sessions" to every page of the same user, and "signed out" to a page whose session
// was logged out elsewhere (its socket is closed with 4401, or told so). The pages work without
// the script: it only makes what a reload would show appear at once.

#include <cortado/app/app.hpp>
#include <cortado/app/request.hpp>

#include <string>
#include <string_view>

namespace demo {

/// GET /live (the socket) and the middleware that pushes the updates; add after the session
/// middleware and before the routes that change the cart or the login.
void add_live_routes(cortado::App& app);

/// Tells the pages of session `session_id` that it was logged out. For a session ended by
/// Store::destroy, which (unlike regenerate, destroy and destroy_all) does not close its sockets.
cortado::Task<> tell_signed_out(cortado::Request& req, std::string session_id);

/// The pages' script (served at /live.js).
std::string_view live_script();

}  // namespace demo
