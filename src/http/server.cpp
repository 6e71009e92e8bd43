#include "cortado/http/server.hpp"

#include "cortado/http/tls_error.hpp"
#include "http/tls_context.hpp"
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

// Binds host:port on every worker, each with its own acceptor; `tls` null for plain HTTP.
std::uint16_t Server::bind_listeners(std::uint16_t port, const std::string& host,
                                     const std::shared_ptr<TlsContext>& tls) {
  auto& impl = *impl_;
  tcp::endpoint endpoint(asio::ip::make_address(host), port);
  {
    // SO_REUSEPORT below would let a second server share a port that is taken, and the kernel
    // would split the requests between the two: bind once without it, so a taken port fails.
    tcp::acceptor probe(impl.workers.front()->ioc);
    probe.open(endpoint.protocol());
    probe.set_option(tcp::acceptor::reuse_address(true));
    probe.bind(endpoint);
    endpoint.port(probe.local_endpoint().port());
  }
  for (auto& worker : impl.workers) {
    // One acceptor per thread on the same port: the kernel spreads connections (SO_REUSEPORT),
    // and a connection then lives on the thread that accepted it, without locks.
    auto& acceptor = worker->listeners.emplace_back(Listener{tcp::acceptor(worker->ioc), tls}).acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    int one = 1;
    ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    endpoint.port(acceptor.local_endpoint().port());  // the others join the port the first one got
  }
  if (impl.port == 0) impl.port = endpoint.port();
  return endpoint.port();
}

std::uint16_t Server::listen(std::uint16_t port, const std::string& host) {
  return bind_listeners(port, host, nullptr);
}

std::uint16_t Server::listen(std::uint16_t port, const TlsOptions& tls, const std::string& host) {
  // The certificate and key are checked before anything is bound: no half-started server.
  auto context = std::make_shared<TlsContext>(tls);
  auto bound = bind_listeners(port, host, context);
  impl_->tls_contexts.push_back(std::move(context));
  return bound;
}

void Server::reload_certificates() {
  // Each listener is reloaded on its own: one bad pair of files does not hold back the others.
  std::string failures;
  for (auto& context : impl_->tls_contexts) {
    try {
      context->reload();
    } catch (const TlsError& e) {
      failures += failures.empty() ? e.what() : std::string("; ") + e.what();
    }
  }
  if (!failures.empty()) throw TlsError(failures);
}

std::uint16_t Server::port() const { return impl_->port; }

namespace {

// Reloads on every SIGHUP until the set is cancelled; a failure is one line and changes nothing.
void wait_for_hangup(Server& server, asio::signal_set& hangup) {
  hangup.async_wait([&server, &hangup](const boost::system::error_code& ec, int) {
    if (ec) return;
    try {
      server.reload_certificates();
      std::cerr << "cortado: certificates reloaded\n";
    } catch (const TlsError& e) {
      std::cerr << "cortado: certificate reload failed, keeping the old certificate: " << e.what() << '\n';
    }
    wait_for_hangup(server, hangup);
  });
}

}  // namespace

void Server::run(bool handle_signals) {
  auto& first = *impl_->workers.front();
  std::optional<asio::signal_set> signals;
  std::optional<asio::signal_set> hangup;
  if (handle_signals) {
    signals.emplace(first.ioc, SIGINT, SIGTERM);
    signals->async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) stop();
    });
  }
  if (handle_signals && !impl_->tls_contexts.empty()) {
    // SIGHUP reloads the certificates (a plain server leaves SIGHUP's default alone). Reading the
    // files takes this I/O thread for a moment, as a certbot hook's reload is rare.
    hangup.emplace(first.ioc, SIGHUP);
    wait_for_hangup(*this, *hangup);
  }
  for (auto& worker : impl_->workers) worker->start();
  std::vector<std::jthread> threads;
  for (std::size_t i = 1; i < impl_->workers.size(); ++i)
    threads.emplace_back([w = impl_->workers[i].get()] { w->ioc.run(); });
  first.ioc.run();
  threads.clear();  // joins
  if (signals) signals->cancel();
  if (hangup) hangup->cancel();
}


void Server::stop() {
  for (auto& worker : impl_->workers) asio::post(worker->ioc, [w = worker.get()] { w->begin_shutdown(); });
}

}  // namespace cortado::http
