// The load generator of bench/run WS: many WebSockets on one thread (Beast's client over Asio),
// what wrk is to the HTTP workloads.
//
//   bench_ws_load echo PORT SOCKETS WARMUP_S SECONDS
//       opens SOCKETS sockets to ws://127.0.0.1:PORT/ws; each sends a small text message, waits for
//       its echo and sends again. Prints "connected N", after WARMUP_S seconds "start", and after
//       SECONDS more "messages M seconds S errors E" (M echoes read in the measured S seconds).
//   bench_ws_load idle PORT SOCKETS
//       for each socket: GET /views (a new session in the store), then /ws with its cookie, reads
//       the first message (the session data) and holds the socket idle. Prints "open N" once all
//       are open, then waits until its stdin closes.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <list>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Socket = websocket::stream<beast::tcp_stream>;

namespace {

struct Counters {
  std::uint64_t messages = 0;
  std::uint64_t errors = 0;
  bool counting = false;  // only the measured window counts
  bool stop = false;
};

// One TCP connection to the server, Nagle off as wrk's are.
asio::awaitable<std::shared_ptr<Socket>> open_socket(tcp::endpoint server, std::string cookie) {
  auto ws = std::make_shared<Socket>(co_await asio::this_coro::executor);
  co_await beast::get_lowest_layer(*ws).async_connect(server, asio::use_awaitable);
  beast::get_lowest_layer(*ws).socket().set_option(tcp::no_delay(true));
  if (!cookie.empty()) {
    ws->set_option(websocket::stream_base::decorator(
        [cookie](websocket::request_type& req) { req.set(http::field::cookie, cookie); }));
  }
  co_await ws->async_handshake("127.0.0.1:" + std::to_string(server.port()), "/ws", asio::use_awaitable);
  co_return ws;
}

// Send, read the echo, again, until told to stop. Holds its socket: the loop outlives run_echo,
// which closes the sockets and returns while the reads are still pending.
asio::awaitable<void> echo_loop(std::shared_ptr<Socket> ws, Counters& counters) {
  const std::string message = "hello, cortado";
  beast::flat_buffer buffer;
  try {
    while (!counters.stop) {
      co_await ws->async_write(asio::buffer(message), asio::use_awaitable);
      buffer.clear();
      co_await ws->async_read(buffer, asio::use_awaitable);
      if (counters.counting) ++counters.messages;
    }
  } catch (const std::exception&) {
    if (!counters.stop) ++counters.errors;
  }
}

asio::awaitable<void> run_echo(tcp::endpoint server, int sockets, int warmup_s, int seconds, Counters& counters) {
  std::list<std::shared_ptr<Socket>> open;
  // One at a time: a thousand handshakes at once would only measure the listen backlog.
  for (int i = 0; i < sockets; ++i) open.push_back(co_await open_socket(server, {}));
  std::cout << "connected " << open.size() << std::endl;
  auto executor = co_await asio::this_coro::executor;
  for (auto& ws : open) asio::co_spawn(executor, echo_loop(ws, counters), asio::detached);
  asio::steady_timer timer(executor);
  timer.expires_after(std::chrono::seconds(warmup_s));
  co_await timer.async_wait(asio::use_awaitable);
  std::cout << "start" << std::endl;
  counters.counting = true;
  const auto begin = std::chrono::steady_clock::now();
  timer.expires_after(std::chrono::seconds(seconds));
  co_await timer.async_wait(asio::use_awaitable);
  counters.counting = false;
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - begin;
  std::cout << "messages " << counters.messages << " seconds " << took.count() << " errors " << counters.errors
            << std::endl;
  counters.stop = true;
  // Dropped without a close handshake: the servers see a reset, as wrk's connections end.
  for (auto& ws : open) beast::get_lowest_layer(*ws).socket().close();
}

// The cookie a new session gets from GET /views.
asio::awaitable<std::string> new_session(tcp::endpoint server) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(server, asio::use_awaitable);
  http::request<http::empty_body> req(http::verb::get, "/views", 11);
  req.set(http::field::host, "127.0.0.1");
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buffer, res, asio::use_awaitable);
  std::string set_cookie(res[http::field::set_cookie]);
  co_return set_cookie.substr(0, set_cookie.find(';'));
}

asio::awaitable<void> run_idle(tcp::endpoint server, int sockets, std::list<std::shared_ptr<Socket>>& open) {
  for (int i = 0; i < sockets; ++i) {
    std::string cookie = co_await new_session(server);
    if (cookie.empty()) throw std::runtime_error("GET /views set no session cookie");
    auto ws = co_await open_socket(server, cookie);
    beast::flat_buffer buffer;
    co_await ws->async_read(buffer, asio::use_awaitable);  // the session data
    open.push_back(std::move(ws));
  }
  std::cout << "open " << open.size() << std::endl;
}

// Thousands of sockets need more descriptors than the usual soft limit of 1024.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int usage() {
  std::cerr << "usage: bench_ws_load echo PORT SOCKETS WARMUP_S SECONDS\n"
               "       bench_ws_load idle PORT SOCKETS\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return usage();
  const std::string mode = argv[1];
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
  const int sockets = std::atoi(argv[3]);
  if (port == 0 || sockets <= 0 || (mode != "echo" && mode != "idle") || (mode == "echo" && argc < 6)) return usage();
  raise_descriptor_limit();
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  asio::io_context io(1);
  auto failed = [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& err) {
      std::cerr << "bench_ws_load: " << err.what() << std::endl;
      std::exit(1);
    }
  };
  if (mode == "echo") {
    Counters counters;
    asio::co_spawn(io, run_echo(server, sockets, std::atoi(argv[4]), std::atoi(argv[5]), counters), failed);
    io.run();
    return 0;
  }
  std::list<std::shared_ptr<Socket>> open;
  asio::co_spawn(io, run_idle(server, sockets, open), failed);
  io.run();
  // Held open (the server's pings are answered only while reading; these sockets are measured
  // well within its idle timeout) until bench/run closes our stdin.
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}
