// The session inspector: how an express-style session works, shown on the visitor's own one:
// the cookie as the browser holds it, what its parts mean, the JSON the store keeps under the
// id, how long is left, and which store that is.
#include "i18n.hpp"
#include "pages.hpp"
#include "site.hpp"

#include <cortado/core/json.hpp>
#include <cortado/session/signature.hpp>

#include <boost/json/array.hpp>

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

/// One line of a <dl class="facts">: the term, then {{code}} in <code> and a plain note.
boost::json::object fact(std::string_view term, std::string_view code, std::string_view note = {}) {
  boost::json::object o{{"term", term}, {"note", note}};
  if (!code.empty()) o["code"] = code;
  return o;
}

Task<> inspect(Site& site, Request& req, Response& res) {
  // Read before page_for() counts this view, so the stored JSON and the data agree.
  auto stored = co_await site.store->get(req.session_id());
  auto page = page_for(req);
  auto& s = req.session();
  boost::json::object locals;

  auto sent = raw_cookie(req, site.cookie_name);
  if (!sent.empty()) {
    locals["sent"] = sent;
    boost::json::array facts;
    const auto& decoded = req.cookies().at(site.cookie_name);
    auto id = cortado::unsign_cookie(decoded, site.secrets);
    auto dot = decoded.rfind('.');
    facts.push_back(fact("decoded", decoded));
    if (decoded.starts_with("s:") && dot != std::string::npos && dot > 2) {
      facts.push_back(fact("prefix", "s:", " means signed"));
      facts.push_back(fact("session id", std::string_view(decoded).substr(2, dot - 2),
                           " (24 random bytes, base64url: the key in the store)"));
      facts.push_back(fact("signature", std::string_view(decoded).substr(dot + 1),
                           " = base64(HMAC-SHA256(id, secret)) without '=' padding"));
    }
    std::string_view verdict =
        !id ? "no: the signature does not match this server's secret, so the cookie was ignored and a new session "
              "started"
        : *id != req.session_id() ? "signature good, but the store has no such session (it expired or was logged "
                                    "out), so a new session started"
                                  : "yes: signed with this server's secret, so the id was not made up";
    facts.push_back(fact("verified", {}, verdict));
    locals["sent_facts"] = std::move(facts);
  }

  locals["set_cookie"] =
      s.cookie().serialize(site.cookie_name, cortado::sign_cookie(req.session_id(), site.secrets.front()));

  boost::json::array facts;
  facts.push_back(fact("store", site.store->describe()));
  facts.push_back(fact("session id", req.session_id()));
  if (auto left = s.cookie().max_age()) {
    facts.push_back(fact("time left", {}, duration_text(*left)));
    if (const auto& expires = s.cookie().attributes.expires)
      facts.push_back(fact("expires", {}, format_time(expires->time_since_epoch().count())));
  } else {
    facts.push_back(fact("time left", {}, "until the browser closes (no Expires)"));
  }
  locals["store_facts"] = std::move(facts);
  if (stored) locals["stored"] = cortado::stringify(*stored);
  render(res, page, "inspector", t(page.lang, "inspector.title"), std::move(locals));
}

}  // namespace

void add_inspector_routes(cortado::App& app, Site& site) {
  app.get("/inspector", [&site](Request& req, Response& res) { return inspect(site, req, res); });
}

}  // namespace demo
