// Preferences (kept in the session, applied by the layout on every page), and the pages for
// what went wrong: 404, the CSRF refusal, and errors such as a store outage.
#include "i18n.hpp"
#include "pages.hpp"
#include "site.hpp"

#include <cortado/app/http_error.hpp>

#include <boost/json/array.hpp>

#include <iostream>

namespace demo {
namespace {

using cortado::Request;
using cortado::Response;

void show_preferences(Request& req, Response& res) {
  auto page = page_for(req);
  boost::json::array themes;
  for (std::string_view theme : {"light", "dark"})
    themes.push_back({{"value", theme},
                      {"label", t(page.lang, theme == "light" ? "prefs.light" : "prefs.dark")},
                      {"checked", page.theme == theme}});
  boost::json::array offered;
  for (const auto& language : languages())
    offered.push_back({{"code", language.code}, {"name", language.name}, {"selected", page.lang == language.code}});
  render(res, page, "preferences", t(page.lang, "prefs.title"),
         {{"themes", std::move(themes)}, {"languages", std::move(offered)}});
}

void save_preferences(Request& req, Response& res) {
  auto& s = req.session();
  if (auto theme = form_field(req, "theme"); theme == "light" || theme == "dark") s["theme"] = theme;
  if (auto lang = form_field(req, "lang"); known_language(lang) == lang) s["lang"] = lang;
  flash(s, "ok", std::string(t(lang_of(s), "prefs.saved")));
  res.redirect(303, "/preferences");
}

}  // namespace

void add_site_routes(cortado::App& app, Site&) {
  app.get("/preferences", show_preferences);
  app.post("/preferences", save_preferences);

  app.use([](Request&, Response&, cortado::Next next) { next(cortado::HttpError(404)); });

  app.use([](std::exception_ptr error, Request& req, Response& res, cortado::Next) {
    unsigned status = 500;
    std::string reason = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const cortado::HttpError& e) {
      status = e.status();
      reason = e.what();
    } catch (const std::exception& e) {
      reason = e.what();
    }
    if (status >= 500)
      std::cerr << "demo: " << req.method() << ' ' << req.original_url() << ": " << reason << std::endl;
    res.reset();
    auto page = page_for(req, false);
    std::string title;
    boost::json::object locals;
    if (status == 403 && reason == "csrf") {
      title = t(page.lang, "error.forbidden");
      locals["csrf_refused"] = true;
    } else if (status == 404) {
      title = t(page.lang, "error.not_found");
    } else {
      title = t(page.lang, "error.title");
      // The one-line reason (e.g. "redis: connection refused") helps whoever runs the demo;
      // in production it stays in the log.
      if (req.settings().env != "production") locals["reason"] = reason;
    }
    try {
      render(res, page, "error", title, std::move(locals), status);
    } catch (const std::exception& e) {
      // The error page itself failed (a view missing from the install): say so in plain text.
      std::cerr << "demo: the error page: " << e.what() << std::endl;
      res.reset();
      res.status(status).type("txt").send(title);
    }
  });
}

}  // namespace demo
