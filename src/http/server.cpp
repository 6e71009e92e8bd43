#include "cortado/http/server.hpp"

#include "http/worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>

#include <iostream>
#include <thread>

namespace cortado::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());
  impl_->options = options;
  impl_->handler = std::move(handler);
  for (std::size_t i = 0; i < options.threads; ++i) impl_->workers.push_back(std::make_unique<Worker>(*impl_));
}

Server::~Server() = default;

std::uint16_t Server::listen(std::uint16_t port, const std::string& host) {
  tcp::endpoint endpoint(asio::ip::make_address(host), port);
  {
    // SO_REUSEPORT below would let a second server share a port that is taken, and the kernel
    // would split the requests between the two: bind once without it, so a taken port fails.
    tcp::acceptor probe(impl_->workers.front()->ioc);
    probe.open(endpoint.protocol());
    probe.set_option(tcp::acceptor::reuse_address(true));
    probe.bind(endpoint);
    endpoint.port(probe.local_endpoint().port());
  }
  for (auto& worker : impl_->workers) {
    // One acceptor per thread on the same port: the kernel spreads connections (SO_REUSEPORT),
    // and a connection then lives on the thread that accepted it, without locks.
    auto& acceptor = worker->acceptor.emplace(worker->ioc);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    int one = 1;
    ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    endpoint.port(acceptor.local_endpoint().port());  // the others join the port the first one got
  }
  impl_->port = endpoint.port();
  return impl_->port;
}

std::uint16_t Server::port() const { return impl_->port; }

void Server::run(bool handle_signals) {
  auto& first = *impl_->workers.front();
  std::optional<asio::signal_set> signals;
  if (handle_signals) {
    signals.emplace(first.ioc, SIGINT, SIGTERM);
    signals->async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) stop();
    });
  }
  for (auto& worker : impl_->workers) worker->start();
  std::vector<std::jthread> threads;
  for (std::size_t i = 1; i < impl_->workers.size(); ++i)
    threads.emplace_back([w = impl_->workers[i].get()] { w->ioc.run(); });
  first.ioc.run();
  threads.clear();  // joins
  if (signals) signals->cancel();
}

void Server::stop() {
  for (auto& worker : impl_->workers) asio::post(worker->ioc, [w = worker.get()] { w->begin_shutdown(); });
}

}  // namespace cortado::http
