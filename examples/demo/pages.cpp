#include "pages.hpp"

#include "cart.hpp"
#include "csrf.hpp"
#include "i18n.hpp"

#include <boost/json/array.hpp>

#include <cortado/app/response.hpp>
#include <cortado/session/store.hpp>

#include <ctime>

namespace demo {

namespace json = boost::json;

Page page_for(cortado::Request& req, bool count_view) {
  Page page;
  page.path = req.path();
  if (req.session_store()) page.store = req.session_store()->describe();
  if (!req.has_session()) return page;  // e.g. the session was destroyed earlier in this request
  auto& s = req.session();
  page.lang = lang_of(s);
  page.theme = theme_of(s);
  page.csrf = csrf_token(s);
  page.user = current_user(s);
  if (count_view && req.method() == "GET") s["views"] = s.value<std::int64_t>("views", 0) + 1;
  page.views = s.value<std::int64_t>("views", 0);
  page.cart_count = s.get<std::optional<Cart>>("cart").value_or(Cart{}).count();
  // The live pages' refresh of a list (live.hpp) leaves the messages to the page the person opens.
  if (s.get("flash").is_array() && req.get("x-live-refresh").empty()) {
    page.flashes = s.get("flash").get_array();
    s.erase("flash");
  }
  return page;
}

void render(cortado::Response& res, const Page& page, std::string_view view, std::string_view title,
            json::object locals, unsigned status) {
  // What the layout reads; the view's own locals come on top (res.render merges them so).
  json::object data;
  data["lang"] = page.lang;
  data["theme"] = page.theme;
  data["title"] = title;
  data["t"] = translations(page.lang);
  data["csrf"] = page.csrf;
  data["cart_count"] = page.cart_count;
  if (page.user) data["signed_in"] = t(page.lang, "nav.signed_in", page.user->name);
  data["footer"] = t(page.lang, "footer", page.store);
  // The nav link of this page gets aria-current: {{#current.cart}}.
  std::string_view here = page.path == "/" ? "home" : std::string_view(page.path).substr(1);
  data["current"] = json::object{{here, true}};
  json::array flashes;
  for (const auto& message : page.flashes) {
    if (!message.is_object()) continue;
    const auto* kind = message.get_object().if_contains("kind");
    const auto* text = message.get_object().if_contains("text");
    if (kind && kind->is_string() && text && text->is_string()) flashes.push_back({{"kind", *kind}, {"text", *text}});
  }
  data["flashes"] = std::move(flashes);
  for (auto& [key, value] : locals) data[key] = std::move(value);

  res.status(status);
  res.set("Cache-Control", "no-store");  // the page shows this visitor's session: never cache it
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
          "base-uri 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "same-origin");
  res.render(view, data);
}

std::string format_time(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

std::string_view stylesheet() {
  return R"css(:root { color-scheme: light dark; }
body { --bg: #faf7f2; --fg: #2b2118; --muted: #76685a; --card: #fff; --line: #e4dccf; --accent: #8a4b1f;
       --ok: #e3f1e0; --error: #f8e0dc;
       margin: 0; font: 16px/1.5 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
body.theme-dark { --bg: #17120e; --fg: #eee4d8; --muted: #a8998a; --card: #221b15; --line: #3a2f26;
                  --accent: #e0a16a; --ok: #1f3320; --error: #40201b; }
header { background: var(--card); border-bottom: 1px solid var(--line); }
nav { max-width: 60rem; margin: 0 auto; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: .4rem 1rem;
      align-items: center; }
nav a { color: var(--fg); text-decoration: none; }
nav a[aria-current] { border-bottom: 2px solid var(--accent); }
nav .brand { font-weight: 700; color: var(--accent); }
.spacer { flex: 1; }
.who { color: var(--muted); }
.badge { background: var(--accent); color: var(--bg); border-radius: 1rem; padding: 0 .45rem; font-size: .8rem; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
footer { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: var(--muted); font-size: .85rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
.flash { padding: .6rem .9rem; border-radius: .4rem; }
.flash-ok { background: var(--ok); } .flash-error { background: var(--error); }
.products { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .6rem; padding: 1rem; }
.card h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
.muted { color: var(--muted); }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
form.inline { display: inline; margin: 0; }
form.stack { display: grid; gap: .7rem; max-width: 22rem; }
label { display: grid; gap: .2rem; }
input, select, button { font: inherit; color: inherit; }
input[type=text], input[type=password], input[type=number], select {
  background: var(--bg); border: 1px solid var(--line); border-radius: .3rem; padding: .35rem .5rem; }
input[type=number] { width: 4.5rem; }
button { background: var(--accent); color: var(--bg); border: 0; border-radius: .3rem; padding: .4rem .9rem;
         cursor: pointer; white-space: nowrap; }
button.link { background: none; color: var(--fg); padding: 0; text-decoration: underline; }
button.secondary { background: none; color: var(--accent); border: 1px solid var(--accent); }
pre, code { font: .85rem/1.4 ui-monospace, monospace; }
pre { background: var(--card); border: 1px solid var(--line); padding: .7rem; overflow-x: auto;
      white-space: pre-wrap; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
)css";
}

}  // namespace demo
