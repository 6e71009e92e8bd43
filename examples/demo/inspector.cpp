// The session inspector: how an express-style session works, shown on the visitor's own one:
// the cookie as the browser holds it, what its parts mean, the JSON the store keeps under the
// id, how long is left, and which store that is.
#include "i18n.hpp"
#include "pages.hpp"
#include "site.hpp"

#include <cortado/core/json.hpp>
#include <cortado/session/signature.hpp>

namespace demo {
namespace {

using cortado::Request;
using cortado::Response;
using cortado::Task;

// The cookie exactly as the browser sent it (still URL-encoded), "" when it sent none.
std::string_view raw_cookie(const Request& req, std::string_view name) {
  std::string_view header = req.get("cookie");
  while (!header.empty()) {
    auto end = header.find(';');
    auto pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') return pair;
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
  }
  return {};
}

std::string duration_text(std::int64_t ms) {
  if (ms <= 0) return "expired";
  auto s = ms / 1000;
  std::string text;
  if (s >= 86400) text += std::to_string(s / 86400) + " d ";
  if (s >= 3600) text += std::to_string(s / 3600 % 24) + " h ";
  if (s >= 60) text += std::to_string(s / 60 % 60) + " min ";
  return text + std::to_string(s % 60) + " s";
}

std::string fact(std::string_view term, std::string_view value_html) {
  return "<dt>" + h(term) + "</dt><dd>" + std::string(value_html) + "</dd>\n";
}

std::string code(std::string_view text) { return "<code>" + h(text) + "</code>"; }

Task<> inspect(Site& site, Request& req, Response& res) {
  // Read before page_for() counts this view, so the stored JSON and the data agree.
  auto stored = co_await site.store->get(req.session_id());
  auto page = page_for(req);
  auto& s = req.session();
  std::string body;

  body += "<h2>1. The cookie your browser sent</h2>\n";
  auto sent = raw_cookie(req, site.cookie_name);
  if (sent.empty()) {
    body += "<p>None yet: this is a new session. This response sets the cookie below.</p>\n";
  } else {
    body += "<pre id=\"cookie-sent\">" + h(sent) + "</pre>\n";
    const auto& decoded = req.cookies().at(site.cookie_name);
    auto id = cortado::unsign_cookie(decoded, site.secrets);
    auto dot = decoded.rfind('.');
    body += "<dl class=\"facts\">\n";
    body += fact("decoded", code(decoded));
    if (decoded.starts_with("s:") && dot != std::string::npos && dot > 2) {
      body += fact("prefix", code("s:") + " means signed");
      body += fact("session id", code(std::string_view(decoded).substr(2, dot - 2)) +
                                     " (24 random bytes, base64url: the key in the store)");
      body += fact("signature", code(std::string_view(decoded).substr(dot + 1)) +
                                    " = base64(HMAC-SHA256(id, secret)) without '=' padding");
    }
    std::string_view verdict =
        !id ? "no: the signature does not match this server's secret, so the cookie was ignored and a new session "
              "started"
        : *id != req.session_id() ? "signature good, but the store has no such session (it expired or was logged "
                                    "out), so a new session started"
                                  : "yes: signed with this server's secret, so the id was not made up";
    body += fact("verified", h(verdict));
    body += "</dl>\n";
  }

  body += "<h2>2. The cookie this response sets</h2>\n";
  auto set_cookie =
      s.cookie().serialize(site.cookie_name, cortado::sign_cookie(req.session_id(), site.secrets.front()));
  body += "<pre id=\"cookie-set\">Set-Cookie: " + h(set_cookie) + "</pre>\n";
  body +=
      "<p class=\"muted\">HttpOnly keeps it away from page scripts; SameSite=Lax keeps other sites' forms from "
      "sending it; Expires moves forward each time the session is saved. The browser sends back only "
      "name=value, never the attributes.</p>\n";

  body += "<h2>3. What the store keeps under that id</h2>\n";
  body += "<dl class=\"facts\">\n" + fact("store", code(site.store->describe()));
  body += fact("session id", code(req.session_id()));
  if (auto left = s.cookie().max_age()) {
    body += fact("time left", h(duration_text(*left)));
    if (const auto& expires = s.cookie().attributes.expires)
      body += fact("expires", h(format_time(expires->time_since_epoch().count())));
  } else {
    body += fact("time left", "until the browser closes (no Expires)");
  }
  body += "</dl>\n";
  if (stored) {
    body +=
        "<p>The stored value, byte for byte what Node's express-session writes (JSON.stringify: \"cookie\" "
        "first, then your keys in insertion order), as it was before this page view was counted:</p>\n";
    body += "<pre id=\"stored-json\">" + h(cortado::stringify(*stored)) + "</pre>\n";
  } else {
    body +=
        "<p id=\"stored-json\">Nothing stored yet: a new session is saved at the end of the first request "
        "that puts something in it (saveUninitialized: false). Reload to see it.</p>\n";
  }
  render(res, page, t(page.lang, "inspector.title"), body);
}

}  // namespace

void add_inspector_routes(cortado::App& app, Site& site) {
  app.get("/inspector", [&site](Request& req, Response& res) { return inspect(site, req, res); });
}

}  // namespace demo
