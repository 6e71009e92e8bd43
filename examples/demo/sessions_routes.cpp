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
  boost::json::array listed;
  std::size_t others = 0;
  for (const auto& row : rows) {
    bool current = row.sid == req.session_id();
    // One point lookup per row, never a scan: drops rows whose session expired or was lost
    // (a memory store that restarted) since the index was written.
    if (!current) {
      auto held = co_await site.store->get(row.sid);
      if (!held) {
        co_await site.users->forget_session(row.sid);
        continue;
      }
    }
    if (!current) ++others;
    boost::json::object item;
    item["id"] = row.id;
    item["current"] = current;
    item["device"] = device_name(row.user_agent);
    item["user_agent"] = row.user_agent;
    item["created"] = format_time(row.created_ms);
    item["last_seen"] = format_time(row.last_seen_ms);
    listed.push_back(std::move(item));
  }
  boost::json::object locals;
  locals["rows"] = std::move(listed);
  locals["others"] = others > 0;
  render(res, page, "sessions", t(page.lang, "sessions.title"), std::move(locals));
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
