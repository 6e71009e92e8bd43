// "Your sessions": the logged-in user's sessions, from the store's owner index (the login binds
// each session to its user with Session::set_owner; cortado::sessions_of lists them without a
// scan, whichever store it is), each with "log out", and "log out everywhere else"
// (cortado::destroy_all). The page names a session by a digest of its id: the id itself is a
// credential and never leaves the server.
#include "i18n.hpp"
#include "live.hpp"
#include "pages.hpp"
#include "site.hpp"

#include <cortado/session/owners.hpp>
#include <cortado/session/session_id.hpp>

#include <algorithm>

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

// What the page calls a session: its id's digest without the "sha256:" label.
std::string handle_of(std::string_view sid) { return cortado::session_id_digest(sid).substr(7); }

// A number the session data holds, 0 when absent.
std::int64_t number_in(const boost::json::object& data, std::string_view key) {
  const auto* value = data.if_contains(key);
  auto number = value ? boost::json::try_value_to<std::int64_t>(*value) : boost::system::result<std::int64_t>();
  return number ? *number : 0;
}

Task<> list_sessions(Request& req, Response& res) {
  auto user = require_user(req, res);
  if (!user) co_return;
  auto sessions = co_await cortado::sessions_of(req, std::to_string(user->id));
  // Most recently seen first.
  std::sort(sessions.begin(), sessions.end(),
            [](const auto& a, const auto& b) { return number_in(a.second, "seen") > number_in(b.second, "seen"); });
  auto page = page_for(req);
  boost::json::array listed;
  std::size_t others = 0;
  for (const auto& [sid, data] : sessions) {
    const bool current = sid == req.session_id();
    if (!current) ++others;
    std::string agent;
    std::int64_t created = 0;
    if (const auto* signed_in = data.if_contains("signed_in"); signed_in && signed_in->is_object()) {
      if (const auto* device = signed_in->get_object().if_contains("device"); device && device->is_string())
        agent = device->get_string();
      created = number_in(signed_in->get_object(), "at");
    }
    boost::json::object item;
    item["id"] = handle_of(sid);
    item["current"] = current;
    item["device"] = device_name(agent);
    item["user_agent"] = agent;
    item["created"] = format_time(created);
    // This request's own "seen" may not be saved yet: the session itself has it.
    item["last_seen"] = format_time(current ? req.session().value<std::int64_t>("seen", 0) : number_in(data, "seen"));
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
  const std::string handle(req.params()["id"]);
  // Only this user's sessions are searched, so one user cannot name another's.
  auto sessions = co_await cortado::sessions_of(req, std::to_string(user->id));
  auto found = std::find_if(sessions.begin(), sessions.end(), [&](const auto& entry) { return handle_of(entry.first) == handle; });
  if (found != sessions.end() && found->first == req.session_id()) {
    co_await log_out(site, req);
    co_return res.redirect(303, "/");
  }
  if (found != sessions.end()) {
    co_await req.session_store()->destroy(found->first);
    co_await tell_signed_out(req, found->first);  // its open pages show it at once
    flash(req.session(), "ok", std::string(t(lang_of(req.session()), "sessions.one_done")));
  }
  res.redirect(303, "/sessions");
}

Task<> log_out_others(Request& req, Response& res) {
  auto user = require_user(req, res);
  if (!user) co_return;
  const std::size_t ended = co_await cortado::destroy_all(req, std::to_string(user->id));
  flash(req.session(), "ok", t(lang_of(req.session()), "sessions.others_done", std::to_string(ended)));
  res.redirect(303, "/sessions");
}

}  // namespace

void add_sessions_routes(cortado::App& app, Site& site) {
  app.get("/sessions", [](Request& req, Response& res) { return list_sessions(req, res); });
  app.post("/sessions/logout-others", [](Request& req, Response& res) { return log_out_others(req, res); });
  app.post("/sessions/:id/logout", [&site](Request& req, Response& res) { return log_out_one(site, req, res); });
}

}  // namespace demo
