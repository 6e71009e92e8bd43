#include "session/socket_expiry.hpp"

#include "session/socket_registry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

namespace cortado::detail {

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SystemTime = std::chrono::system_clock::time_point;

struct Watch {
  explicit Watch(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  bool stopped = false;
};

// How long after its expiry a session still found in the store is looked at again. A store may
// keep it a little longer (Redis rounds the TTL up to the second), and one that touches only the
// TTL (Redis, connect-redis) leaves the stored expires in the past of a live session, so the next
// look cannot come from the stored date: a tenth of the session's lifetime, 1 s to 10 min.
std::chrono::milliseconds recheck_interval(const json::object& session) {
  const json::value* cookie = session.if_contains("cookie");
  const json::value* max_age = cookie && cookie->is_object() ? cookie->get_object().if_contains("originalMaxAge") : nullptr;
  if (!max_age || !max_age->is_number()) return 1min;
  const auto tenth = std::chrono::milliseconds(static_cast<std::int64_t>(max_age->to_number<double>() / 10));
  return std::clamp<std::chrono::milliseconds>(tenth, 1s, 10min);
}

Task<> watch(std::shared_ptr<Watch> w, std::weak_ptr<http::WebSocketConnection> socket, std::shared_ptr<Store> store,
             std::string session_id, SystemTime expires, std::chrono::milliseconds recheck) {
  for (;;) {
    const auto wait = std::max<std::chrono::system_clock::duration>(expires - std::chrono::system_clock::now(), 0s);
    // A little past the expiry, so that a store that checks the date itself finds it expired.
    w->timer.expires_after(wait + 50ms);
    co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled: see stopped
    if (w->stopped) co_return;
    auto open = socket.lock();
    if (!open || !open->is_open()) co_return;
    open.reset();  // not held across the store call
    std::optional<json::object> stored;
    bool failed = false;
    try {
      stored = co_await store->get(session_id);
    } catch (const std::exception&) {
      failed = true;  // the store is down: it is not the session's end; look again later
    }
    if (w->stopped) co_return;
    if (!failed && !stored) {
      if (auto still = socket.lock()) still->close_soon(session_ended_close_code, "session expired");
      co_return;
    }
    std::optional<SystemTime> next = stored ? session_expiry(*stored) : std::nullopt;
    if (stored && !next) co_return;  // now without expires: kept until destroyed
    const SystemTime now = std::chrono::system_clock::now();
    expires = next && *next > now ? *next : now + recheck;
  }
}

}  // namespace

Task<std::function<void()>> watch_socket_expiry(std::weak_ptr<http::WebSocketConnection> socket,
                                                std::shared_ptr<Store> store, std::string session_id,
                                                json::object session) {
  const std::optional<SystemTime> expires = session_expiry(session);
  if (!expires || !store) co_return std::function<void()>([] {});
  auto executor = co_await asio::this_coro::executor;
  auto w = std::make_shared<Watch>(executor);
  asio::co_spawn(executor, watch(w, std::move(socket), std::move(store), std::move(session_id), *expires,
                                 recheck_interval(session)),
                 asio::detached);
  // Runs on the socket's thread (the close hooks do): the timer is its own.
  co_return std::function<void()>([w] {
    w->stopped = true;
    w->timer.cancel();
  });
}

}  // namespace cortado::detail
