#pragma once
// TcpRelay: a TCP relay on 127.0.0.1 in front of a real server, for outages a test controls
// without privileges: hold() stops passing bytes (a server that stalls), cut() resets every
// relayed connection and leaves the port unresponsive (a host that drops packets: a connect to
// it is never answered, since nothing accepts it any more).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cstdint>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace cortado::testing {

/// Relays connections to 127.0.0.1:`upstream_port` from a port of its own, on a thread of its own.
class TcpRelay {
 public:
  explicit TcpRelay(std::uint16_t upstream_port)
      : upstream_(boost::asio::ip::make_address("127.0.0.1"), upstream_port),
        acceptor_(ctx_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    // A backlog of one: once cut, the first connects wait there unaccepted, later SYNs are dropped.
    acceptor_.listen(1);
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(ctx_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { ctx_.run(); });
  }
  ~TcpRelay() {
    work_.reset();
    ctx_.stop();
    thread_.join();
  }
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  /// The port clients connect to.
  std::uint16_t port() const { return port_; }

  /// From now on, bytes read on either side are dropped instead of passed on.
  void hold() {
    on_relay_thread([this] { held_ = true; });
  }

  /// Resets (RST) every relayed connection on the client side and never accepts again; returns
  /// once done.
  void cut() {
    on_relay_thread([this] {
      cut_ = true;
      boost::system::error_code ignored;
      acceptor_.cancel(ignored);
      for (const auto& weak : links_) {
        if (const auto link = weak.lock()) {
          link->client.set_option(boost::asio::socket_base::linger(true, 0), ignored);
          link->client.close(ignored);
          link->server.close(ignored);
        }
      }
    });
  }

 private:
  using tcp = boost::asio::ip::tcp;
  struct Link {
    tcp::socket client;
    tcp::socket server;
  };

  boost::asio::awaitable<void> accept_loop() {
    constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    for (;;) {
      auto [error, client] = co_await acceptor_.async_accept(tuple);
      if (error || cut_) co_return;
      tcp::socket server(ctx_);
      auto [connect_error] = co_await server.async_connect(upstream_, tuple);
      if (connect_error || cut_) continue;
      auto link = std::make_shared<Link>(Link{std::move(client), std::move(server)});
      links_.push_back(link);
      boost::asio::co_spawn(ctx_, pump(link, link->client, link->server), boost::asio::detached);
      boost::asio::co_spawn(ctx_, pump(link, link->server, link->client), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> pump(std::shared_ptr<Link> link, tcp::socket& from, tcp::socket& to) {
    constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    std::array<char, 16384> buffer;
    for (;;) {
      auto [read_error, size] = co_await from.async_read_some(boost::asio::buffer(buffer), tuple);
      if (read_error) break;
      if (held_) continue;
      auto [write_error, written] =
          co_await boost::asio::async_write(to, boost::asio::buffer(buffer.data(), size), tuple);
      if (write_error) break;
    }
    boost::system::error_code ignored;
    link->client.close(ignored);
    link->server.close(ignored);
  }

  template <class F>
  void on_relay_thread(F f) {
    std::promise<void> done;
    boost::asio::post(ctx_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  boost::asio::io_context ctx_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ctx_.get_executor()};
  tcp::endpoint upstream_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  bool held_ = false;
  bool cut_ = false;
  std::vector<std::weak_ptr<Link>> links_;
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace cortado::testing
