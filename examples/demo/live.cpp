// Live pages (see live.hpp): the /live socket, the pushes, and the script.
#include "live.hpp"

#include "cart.hpp"
#include "site.hpp"

#include <cortado/app/websocket.hpp>
#include <cortado/session/broadcast.hpp>
#include <cortado/session/session.hpp>

#include <optional>

namespace demo {
namespace {

using cortado::Request;
using cortado::Response;
using cortado::Task;

// What the pages show that another request can change.
struct Shown {
  std::int64_t cart = 0;
  std::optional<std::string> user;  // the user's id, as the session's owner
};

Shown shown(Request& req) {
  Shown now;
  if (!req.has_session()) return now;  // destroyed by this request
  const auto& s = req.session();
  try {
    now.cart = s.get<std::optional<Cart>>("cart").value_or(Cart{}).count();
  } catch (const std::exception&) {
    // A cart the demo cannot read counts as empty, as the pages show it.
  }
  if (auto user = current_user(s)) now.user = std::to_string(user->id);
  return now;
}

// After each POST: the cart's new count to the session's pages, and "sessions changed" to the
// pages of the user who logged in or out, or who ended one of their sessions from /sessions.
Task<> push_changes(Request& req, Response&, cortado::Next next) {
  if (req.method() != "POST") {
    co_await next();
    co_return;
  }
  const Shown before = shown(req);
  co_await next();
  const Shown after = shown(req);
  if (after.cart != before.cart && req.has_session()) {
    co_await cortado::send_to_session(req, req.session_id(), R"({"cart":)" + std::to_string(after.cart) + "}");
  }
  const bool sessions_changed = before.user != after.user || req.path().starts_with("/sessions/");
  if (!sessions_changed) co_return;
  // Saved now rather than after the response: the pages nudged below read the list at once, and
  // a login's new session must be in the owner's index by then.
  if (req.has_session()) co_await req.session().save();
  if (before.user) co_await cortado::send_to_owner(req, *before.user, R"({"sessions":true})");
  if (after.user && after.user != before.user) co_await cortado::send_to_owner(req, *after.user, R"({"sessions":true})");
}

// The page's socket only listens: everything it gets is pushed by the requests above.
Task<> live_socket(cortado::WebSocket& sock) {
  while (auto ignored = co_await sock.receive()) {
  }
}

}  // namespace

void add_live_routes(cortado::App& app) {
  app.use([](Request& req, Response& res, cortado::Next next) { return push_changes(req, res, std::move(next)); });
  app.ws("/live", live_socket);
}

Task<> tell_signed_out(Request& req, std::string session_id) {
  co_await cortado::send_to_session(req, std::move(session_id), R"({"signed_out":true})");
}

std::string_view live_script() {
  // Progressive: without it every page still works and shows all this on its next load. A
  // navigation of this page (a form posted, a link followed) ends its socket as well, and may end
  // its session (log in, log out: 4401): no reload then, the navigation shows the new page.
  return R"JS(// Live updates of the cortado demo: the cart badge, "Your sessions", signed out elsewhere.
(() => {
  if (!('WebSocket' in window)) return;
  let leaving = false;
  window.addEventListener('beforeunload', () => { leaving = true; });
  document.addEventListener('submit', () => { leaving = true; });
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(scheme + '//' + location.host + '/live');

  async function refreshSessions() {
    const list = document.getElementById('session-list');
    if (!list) return;
    const res = await fetch(location.pathname, { credentials: 'same-origin', headers: { 'X-Live-Refresh': '1' } });
    if (!res.ok || res.redirected) return;
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById('session-list');
    if (fresh) list.replaceWith(fresh);
  }

  // data-live says whether the updates are on (the browser test waits for "open").
  socket.addEventListener('open', () => { document.documentElement.dataset.live = 'open'; });
  socket.addEventListener('message', (event) => {
    let update;
    try { update = JSON.parse(event.data); } catch { return; }
    if (typeof update.cart === 'number') {
      const badge = document.getElementById('cart-count');
      if (badge) badge.textContent = String(update.cart);
    }
    if (update.sessions) refreshSessions();
    if (update.signed_out && !leaving) location.reload();
  });
  // 4401: this page's session was logged out elsewhere; the reload shows it signed out.
  socket.addEventListener('close', (event) => {
    document.documentElement.dataset.live = 'closed';
    if (event.code === 4401 && !leaving) location.reload();
  });
})();
)JS";
}

}  // namespace demo
