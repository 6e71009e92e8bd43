// "Your sessions": the logged-in user's sessions, read from the per-user index in the users
// database (see users_db.hpp for why the index, not Store::all()), each with "log out", and
// "log out everywhere else". Logging a session out deletes its index row and destroys it in the
// store, through req.session_store(), whichever store that is.
#include "i18n.hpp"
#include "pages.hpp"
#include "site.hpp"

#include <charconv>

namespace demo {
namespace {

using cortado::Request;
using cortado::Response;
using cortado::Task;

// "Firefox on Linux" out of a User-Agent, good enough for a person to recognise a device.
std::string device_name(std::string_view ua) {
  auto has = [ua](std::string_view part) { return ua.find(part) != std::string_view::npos; };
  std::string browser = has("Edg/")             ? "Edge"
                        : has("Firefox/")       ? "Firefox"
                        : has("HeadlessChrome") ? "Headless Chrome"
                        : has("Chrome/")        ? "Chrome"
                        : has("Safari/")        ? "Safari"
                        : has("curl/")          ? "curl"
                                                : "A browser";
  std::string system = has("Android")                        ? "Android"
                       : has("iPhone") || has("iPad")        ? "iOS"
                       : has("Windows")                      ? "Windows"
                       : has("Mac OS X") || has("Macintosh") ? "macOS"
                       : has("Linux")                        ? "Linux"
                                                             : "";
  return system.empty() ? browser : browser + " on " + system;
}

// The user, or a redirect to the login page (and nullopt) for a visitor who is not logged in.
std::optional<User> require_user(Request& req, Response& res) {
  auto user = current_user(req.session());
  if (!user) {
    flash(req.session(), "error", std::string(t(lang_of(req.session()), "login.required")));
    res.redirect(303, "/login");
  }
  return user;
}

Task<> list_sessions(Site& site, Request& req, Response& res) {
  auto user = require_user(req, res);
  if (!user) co_return;
  auto rows = co_await site.users->sessions_of(user->id);
  auto page = page_for(req);
  std::string body = "<p>" + page.tr("sessions.intro") + "</p>\n<table id=\"sessions\"><thead><tr><th>" +
                     page.tr("sessions.device") + "</th><th>" + page.tr("sessions.created") + "</th><th>" +
                     page.tr("sessions.last_seen") + "</th><th></th></tr></thead><tbody>\n";
  std::size_t others = 0;
  for (const auto& row : rows) {
    bool current = row.sid == req.session_id();
    // One point lookup per row, never a scan: drops rows whose session expired or was lost
    // (a memory store that restarted) since the index was written.
    if (!current && !co_await site.store->get(row.sid)) {
      co_await site.users->forget_session(row.sid);
      continue;
    }
    if (!current) ++others;
    body += std::string("<tr") + (current ? " class=\"current\"" : "") + "><td><strong>" +
            h(device_name(row.user_agent)) + "</strong>";
    if (current) body += " <em>(" + page.tr("sessions.this_one") + ")</em>";
    body += "<br><small class=\"muted\">" + h(row.user_agent) + "</small></td><td>" + h(format_time(row.created_ms)) +
            "</td><td>" + h(format_time(row.last_seen_ms)) + "</td><td>";
    if (!current)
      body += post_button(page, "/sessions/" + std::to_string(row.id) + "/logout", t(page.lang, "sessions.logout"), {},
                          "secondary");
    body += "</td></tr>\n";
  }
  body += "</tbody></table>\n";
  if (others > 0)
    body += "<p>" + post_button(page, "/sessions/logout-others", t(page.lang, "sessions.logout_others")) + "</p>";
  render(res, page, t(page.lang, "sessions.title"), body);
}

Task<> log_out_one(Site& site, Request& req, Response& res) {
  auto user = require_user(req, res);
  if (!user) co_return;
  std::int64_t row_id = 0;
  auto text = req.params()["id"];
  std::from_chars(text.data(), text.data() + text.size(), row_id);
  // The row must be this user's: the index answers by (row id, user id), so one user cannot
  // name another's session.
  auto sid = co_await site.users->remove_session(user->id, row_id);
  if (sid && *sid == req.session_id()) {
    co_await log_out(site, req);
    co_return res.redirect(303, "/");
  }
  if (sid) {
    co_await req.session_store()->destroy(*sid);
    flash(req.session(), "ok", std::string(t(lang_of(req.session()), "sessions.one_done")));
  }
  res.redirect(303, "/sessions");
}

Task<> log_out_others(Site& site, Request& req, Response& res) {
  auto user = require_user(req, res);
  if (!user) co_return;
  auto sids = co_await site.users->remove_other_sessions(user->id, req.session_id());
  for (auto& sid : sids) co_await req.session_store()->destroy(sid);
  flash(req.session(), "ok", t(lang_of(req.session()), "sessions.others_done", std::to_string(sids.size())));
  res.redirect(303, "/sessions");
}

}  // namespace

void add_sessions_routes(cortado::App& app, Site& site) {
  app.get("/sessions", [&site](Request& req, Response& res) { return list_sessions(site, req, res); });
  app.post("/sessions/logout-others", [&site](Request& req, Response& res) { return log_out_others(site, req, res); });
  app.post("/sessions/:id/logout", [&site](Request& req, Response& res) { return log_out_one(site, req, res); });
}

}  // namespace demo
