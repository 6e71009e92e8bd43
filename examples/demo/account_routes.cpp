// Accounts: sign up, log in, log out, and the check that a login is still valid.
//
// Logging in (or signing up) regenerates the session: the visitor gets a new session id, so an
// id an attacker planted before the login (session fixation) is worth nothing afterwards.
// regenerate(true) keeps the data, so the cart comes along; the CSRF token is renewed.
#include "csrf.hpp"
#include "i18n.hpp"
#include "pages.hpp"
#include "site.hpp"

#include <cortado/core/clock.hpp>
#include <cortado/core/url.hpp>

#include <cctype>

namespace demo {
namespace {

using cortado::Request;
using cortado::Response;
using cortado::Task;

bool valid_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 32) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

// Bytes, not characters: enough for any passphrase, and a bound on what argon2id is fed.
bool valid_password(std::string_view password) { return password.size() >= 8 && password.size() <= 1024; }

// The same form serves both pages; `error` is plain text, `name` what the visitor typed.
void account_form(Response& res, const Page& page, bool signup, std::string_view error, std::string_view name,
                  unsigned status = 200) {
  boost::json::object locals{{"action", signup ? "/signup" : "/login"},
                             {"name", name},
                             {"password_autocomplete", signup ? "new-password" : "current-password"},
                             {"button", t(page.lang, signup ? "signup.button" : "login.button")}};
  if (!error.empty()) locals["error"] = error;
  render(res, page, "account", t(page.lang, signup ? "signup.title" : "login.title"), std::move(locals), status);
}

// Cut to a length a page can show; the cut may split a UTF-8 sequence, which becomes U+FFFD.
std::string user_agent(const Request& req) {
  return cortado::to_well_formed_utf8(req.get("user-agent").substr(0, 300));
}

// Hands the session to `user`: new id (fixation defence) keeping the cart, new CSRF token, the
// device and time for "Your sessions", and the session bound to the user in the store's owner
// index (which replaces the owner a previous login on this browser gave it).
Task<> start_login(Request& req, const User& user) {
  auto& s = req.session();
  co_await s.regenerate(true);
  set_user(s, user);
  rotate_csrf_token(s);
  boost::json::object signed_in;
  signed_in["device"] = user_agent(req);
  signed_in["at"] = cortado::date_now();
  s["signed_in"] = std::move(signed_in);
  s["seen"] = cortado::date_now();
  s.set_owner(std::to_string(user.id));
}

}  // namespace

Task<> log_out(Site&, Request& req) {
  auto& s = req.session();
  // regenerate() destroys the old session in the store, and its owner binding with it.
  // A new, empty session (the old one is destroyed in the store); the preferences stay, as
  // they describe the browser rather than the account.
  auto theme = s.get("theme");
  auto lang = s.get("lang");
  // Gone from the store at once (regenerate() destroys it too). Its sockets close with 4401
  // once this answer is written, so a page that reloads on the close sends the cookie of the
  // new session this answer sets, and finds the old one gone.
  if (const auto& store = req.session_store()) co_await store->destroy(req.session_id());
  co_await s.regenerate();
  if (!theme.is_null()) s["theme"] = theme;
  if (!lang.is_null()) s["lang"] = lang;
  flash(s, "ok", std::string(t(lang_of(s), "logout.done")));
}

void add_account_routes(cortado::App& app, Site& site) {
  // A login is valid while the store binds the session to its user: "log out" elsewhere destroys
  // the session and its binding, and a request in flight at that moment that saves it back to
  // life saves it unbound, so it is logged out here. "Last seen" moves at most once a minute (a
  // change is a store write).
  app.use([](Request& req, Response&, cortado::Next next) -> Task<> {
    if (req.has_session()) {
      if (auto user = current_user(req.session())) {
        auto& s = req.session();
        auto owner = co_await s.owner();
        if (owner != std::to_string(user->id)) {
          s.erase("user");
          flash(s, "error", std::string(t(lang_of(s), "login.revoked")));
        } else if (s.value<std::int64_t>("seen", 0) < cortado::date_now() - 60'000) {
          s["seen"] = cortado::date_now();
        }
      }
    }
    co_await next();
  });
  app.use(verify_csrf());

  app.get("/signup", [](Request& req, Response& res) { account_form(res, page_for(req), true, "", ""); });
  app.get("/login", [](Request& req, Response& res) { account_form(res, page_for(req), false, "", ""); });

  app.post("/signup", [&site](Request& req, Response& res) -> Task<> {
    auto name = form_field(req, "username");
    auto password = form_field(req, "password");
    auto lang = lang_of(req.session());
    std::string_view problem;
    if (!valid_name(name))
      problem = "signup.bad_name";
    else if (!valid_password(password))
      problem = "signup.bad_password";
    std::optional<User> user;
    if (problem.empty()) {
      user = co_await site.users->create_user(name, password);
      if (!user) problem = "signup.taken";
    }
    if (!user) co_return account_form(res, page_for(req), true, t(lang, problem), name, 400);
    co_await start_login(req, *user);
    flash(req.session(), "ok", t(lang, "signup.welcome", user->name));
    res.redirect(303, "/");
  });

  app.post("/login", [&site](Request& req, Response& res) -> Task<> {
    auto name = form_field(req, "username");
    auto password = form_field(req, "password");
    auto lang = lang_of(req.session());
    auto address = req.ip();
    if (auto wait = site.throttle.retry_after(name, address); wait.count() > 0) {
      res.set("Retry-After", std::to_string(wait.count()));
      co_return account_form(res, page_for(req), false, t(lang, "login.throttled", std::to_string(wait.count())), name,
                             429);
    }
    auto user = co_await site.users->check_password(name, password);
    if (!user) {
      site.throttle.failed(name, address);
      co_return account_form(res, page_for(req), false, t(lang, "login.failed"), name, 401);
    }
    site.throttle.succeeded(name);
    co_await start_login(req, *user);
    flash(req.session(), "ok", t(lang, "login.welcome", user->name));
    res.redirect(303, "/");
  });

  app.post("/logout", [&site](Request& req, Response& res) -> Task<> {
    co_await log_out(site, req);
    res.redirect(303, "/");
  });
}

}  // namespace demo
