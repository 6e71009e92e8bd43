// Preferences (kept in the session, applied by the layout on every page), and the pages for
// what went wrong: 404, the CSRF refusal, and errors such as a store outage.
#include "i18n.hpp"
#include "pages.hpp"
#include "site.hpp"

#include <cortado/app/http_error.hpp>

#include <iostream>

namespace demo {
namespace {

using cortado::Request;
using cortado::Response;

void show_preferences(Request& req, Response& res) {
  auto page = page_for(req);
  std::string body = "<form class=\"stack\" method=\"post\" action=\"/preferences\">" + csrf_field(page);
  body += "<fieldset><legend>" + page.tr("prefs.theme") + "</legend>";
  for (std::string_view theme : {"light", "dark"}) {
    body += "<label><span><input type=\"radio\" name=\"theme\" value=\"" + h(theme) + "\"" +
            (page.theme == theme ? " checked" : "") + "> " + page.tr(theme == "light" ? "prefs.light" : "prefs.dark") +
            "</span></label>";
  }
  body += "</fieldset><label>" + page.tr("prefs.language") + "<select name=\"lang\">";
  for (const auto& language : languages()) {
    body += "<option value=\"" + h(language.code) + "\"" + (page.lang == language.code ? " selected" : "") + ">" +
            h(language.name) + "</option>";
  }
  body += "</select></label><button type=\"submit\">" + page.tr("prefs.save") + "</button></form>";
  render(res, page, t(page.lang, "prefs.title"), body);
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
    std::string body;
    std::string title;
    if (status == 403 && reason == "csrf") {
      title = t(page.lang, "error.forbidden");
      body = "<p id=\"error\">" + page.tr("error.csrf") + "</p>";
    } else if (status == 404) {
      title = t(page.lang, "error.not_found");
    } else {
      title = t(page.lang, "error.title");
      // The one-line reason (e.g. "redis: connection refused") helps whoever runs the demo;
      // in production it stays in the log.
      if (req.settings().env != "production") body = "<pre id=\"error\">" + h(reason) + "</pre>";
    }
    body += "<p><a href=\"/\">" + page.tr("error.back") + "</a></p>";
    render(res, page, title, body, status);
  });
}

}  // namespace demo
