#pragma once
// What the demo's route files share: the site's state, and the session keys it uses. Every
// piece of per-visitor state is a key of the session, so the session inspector shows all of it:
//   "views"  pages seen           "cart"  {sku: quantity}       "theme", "lang"  preferences
//   "csrf"   the form token       "user"  {id, name} once logged in
//   "flash"  messages for the next page, removed when shown

#include "throttle.hpp"
#include "users_db.hpp"

#include <cortado/app/app.hpp>
#include <cortado/app/request.hpp>
#include <cortado/session/session.hpp>
#include <cortado/session/store.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace demo {

/// The demo's long-lived state, shared by every request (the parts that change lock themselves).
struct Site {
  std::shared_ptr<cortado::Store> store;
  UsersDb* users = nullptr;
  LoginThrottle throttle;
  /// The session cookie's name and secrets, for the inspector to show and check the cookie.
  std::string cookie_name;
  std::vector<std::string> secrets;
};

/// The logged-in user, if any.
std::optional<User> current_user(const cortado::Session& session);
/// Makes the session the user's (call after regenerate: the id must already be the new one).
void set_user(cortado::Session& session, const User& user);

/// "light" or "dark".
std::string theme_of(const cortado::Session& session);
/// One of languages()' codes.
std::string lang_of(const cortado::Session& session);

/// A field of the posted form as text ("" when absent or repeated).
std::string form_field(const cortado::Request& req, std::string_view name);

/// Queues a message for the next page shown ("ok" or "error"); `text` is plain text.
void flash(cortado::Session& session, std::string_view kind, std::string text);

/// Ends the login of this request's session: regenerates it (the old one, and its owner binding,
/// destroyed in the store) empty
/// but for the preferences, with a "logged out" flash.
cortado::Task<> log_out(Site& site, cortado::Request& req);

/// Shop and cart: /, /cart, /cart/add, /cart/update, /cart/remove.
void add_shop_routes(cortado::App& app, Site& site);
/// Accounts: /signup, /login, /logout, and the middleware that keeps a login valid.
void add_account_routes(cortado::App& app, Site& site);
/// Your sessions: /sessions, /sessions/:id/logout, /sessions/logout-others.
void add_sessions_routes(cortado::App& app, Site& site);
/// The session inspector: /inspector.
void add_inspector_routes(cortado::App& app, Site& site);
/// /preferences, then the 404 and error pages (add these last).
void add_site_routes(cortado::App& app, Site& site);

}  // namespace demo
