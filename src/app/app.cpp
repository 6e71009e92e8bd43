#include "cortado/app/app.hpp"

#include "app/access.hpp"
#include "app/chain.hpp"
#include "app/view_state.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/http/tls_error.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/system/system_error.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace cortado {

Settings default_settings() {
  Settings s;
  const char* env = std::getenv("CORTADO_ENV");
  if (!env || !*env) env = std::getenv("NODE_ENV");
  s.env = env && *env ? env : "development";
  // Express: views default to ./views made absolute, and the view cache is on in production.
  std::error_code ec;
  s.views = {std::filesystem::absolute("views", ec).string()};
  s.view_cache = s.env == "production";
  return s;
}

App::App() : App(default_settings()) {}

App::App(Settings settings, http::ServerOptions server)
    : settings_(std::make_unique<Settings>(std::move(settings))),
      server_options_(server),
      views_(std::make_unique<ViewState>()) {}

App::~App() = default;

Router::Options App::routing_options() const {
  return {.case_sensitive = settings_->case_sensitive_routing, .strict = settings_->strict_routing};
}

App& App::set(std::string_view name, bool value) {
  if (name == "trust proxy") settings_->trust_proxy = value;
  else if (name == "etag") settings_->etag = value;
  else if (name == "case sensitive routing") settings_->case_sensitive_routing = value;
  else if (name == "strict routing") settings_->strict_routing = value;
  else if (name == "view cache") settings_->view_cache = value;
  else throw std::invalid_argument("unknown setting: " + std::string(name));
  return *this;
}

App& App::set(std::string_view name, std::string_view value) {
  if (name == "env") settings_->env = value;
  else if (name == "views") settings_->views = {std::string(value)};
  else if (name == "view engine") settings_->view_engine = value;
  else if (name == "layout") settings_->layout = value;
  else if (name == "jsonp callback name") settings_->jsonp_callback_name = value;
  else throw std::invalid_argument("unknown text setting: " + std::string(name));
  return *this;
}

App& App::set(std::string_view name, std::vector<std::string> value) {
  if (name != "views") throw std::invalid_argument("unknown list setting: " + std::string(name));
  settings_->views = std::move(value);
  return *this;
}

App& App::set(std::string_view name, int value) {
  if (name != "subdomain offset") throw std::invalid_argument("unknown number setting: " + std::string(name));
  settings_->subdomain_offset = value;
  return *this;
}

Task<> App::handle(http::RawRequest& raw_req, http::RawResponse& raw_res, http::Exchange& exchange) {
  if (exchange.upgrader) {
    co_await handle_upgrade(raw_req, raw_res, exchange);
    co_return;
  }
  Request req(raw_req, exchange, *settings_);
  Response res(raw_res, req, exchange);
  std::vector<std::string> allowed;
  auto chain = start_chain(req, res, exchange, allowed);
  co_await detail::run_chain(chain);
  end_chain(res);
}

namespace {
// An upgrade request's Request and Response, on the heap: a WebSocket route that takes the
// connection keeps them (req.session() among them) for the socket's life, while the frames of
// the walk that led to it end.
struct HeldExchange {
  HeldExchange(http::RawRequest& raw_req, http::RawResponse& raw_res, http::Exchange& exchange, const Settings& settings)
      : req(raw_req, exchange, settings), res(raw_res, req, exchange) {}
  Request req;
  Response res;
};

}  // namespace

Task<> App::handle_upgrade(http::RawRequest& raw_req, http::RawResponse& raw_res, http::Exchange& exchange) {
  auto held = std::make_shared<HeldExchange>(raw_req, raw_res, exchange, *settings_);
  std::vector<std::string> allowed;
  auto chain = start_chain(held->req, held->res, exchange, allowed);
  co_await detail::run_chain(chain);
  end_chain(held->res);
  // A WebSocket route accepted the upgrade and left the socket's work to the server, which runs
  // it once this walk has ended; the request and its response go with it.
  if (exchange.upgraded && exchange.socket_run) {
    auto run = std::move(exchange.socket_run);
    exchange.socket_run = [held, run = std::move(run)]() { return run(); };
  }
}

detail::Chain App::start_chain(Request& req, Response& res, http::Exchange& exchange, std::vector<std::string>& allowed) {
  detail::AppAccess::set_app(req, *this, res);
  detail::Chain chain{.layers = stack_->layers, .req = req, .res = res, .path = req.path()};
  chain.allowed = &allowed;  // only the app's walk collects them
  // A body the server refused after the head (too large, malformed chunks) is raised at the start
  // of the chain, as if the first middleware had called next(err): no handler runs as if it had
  // the request's body, and the error handlers answer it as they answer any error (Express: the
  // body parser's 413 "request entity too large" reaches them).
  if (exchange.refused == 413) chain.error = std::make_exception_ptr(HttpError(413, "request entity too large"));
  else if (exchange.refused) chain.error = std::make_exception_ptr(HttpError(exchange.refused));
  if (!stack_->params.empty()) chain.param_callbacks = &stack_->params;
  return chain;
}

void App::end_chain(Response& res) {
  try {
    detail::AppAccess::run_header_hooks(res);
  } catch (const std::exception& e) {
    std::cerr << "cortado: " << e.what() << '\n';
    res.reset();
    res.status(500).type("txt").end("Internal Server Error");
  }
}

// multipart/form-data bodies are streamed (multipart() reads them as they arrive, see
// include/cortado/app/multipart.hpp); every other body is read whole before the chain runs, as the
// body parsers expect. An app may choose otherwise through server_options().stream_body.
namespace {
bool streams_multipart(const http::RequestHead& head) {
  auto type = head[boost::beast::http::field::content_type];
  return type.size() >= 19 && boost::beast::iequals(type.substr(0, 19), "multipart/form-data");
}
}  // namespace

http::Server& App::server() {
  if (!server_options_.stream_body) server_options_.stream_body = streams_multipart;
  if (!server_)
    server_ = std::make_unique<http::Server>(server_options_,
                                             [this](http::RawRequest& req, http::RawResponse& res, http::Exchange& exchange) {
                                               return handle(req, res, exchange);
                                             });
  return *server_;
}

std::uint16_t App::bind(std::uint16_t port, const std::string& host) { return server().listen(port, host); }

std::uint16_t App::bind_tls(std::uint16_t port, const http::TlsOptions& tls, const std::string& host) {
  return server().listen(port, tls, host);
}

void App::reload_certificates() {
  if (server_) server_->reload_certificates();
}

void App::run(bool handle_signals) {
  if (!server_) throw std::logic_error("App::run() before bind()");
  server_->run(handle_signals);
}

void App::stop() {
  if (server_) server_->stop();
}

void App::listen(std::uint16_t port, std::function<void(std::uint16_t)> on_listening) {
  listen(port, "0.0.0.0", std::move(on_listening));
}

namespace {

// Binds with `bind`; a port or certificate that cannot be used ends the program with one line,
// as an uncaught 'error' event ends a Node server's (exit code 1), never a half-started server.
template <class Bind>
std::uint16_t bind_or_exit(Bind&& bind, std::uint16_t port, const std::string& host) {
  try {
    return bind();
  } catch (const http::TlsError& e) {
    std::cerr << "cortado: " << e.what() << std::endl;
  } catch (const boost::system::system_error& e) {
    std::cerr << "cortado: cannot listen on " << host << ":" << port << ": " << e.code().message() << std::endl;
  }
  std::exit(1);
}

}  // namespace

void App::listen(std::uint16_t port, const std::string& host, std::function<void(std::uint16_t)> on_listening) {
  auto bound = bind_or_exit([&] { return bind(port, host); }, port, host);
  if (on_listening) on_listening(bound);
  run(true);
}

void App::listen_tls(std::uint16_t port, const http::TlsOptions& tls, std::function<void(std::uint16_t)> on_listening) {
  listen_tls(port, tls, "0.0.0.0", std::move(on_listening));
}

void App::listen_tls(std::uint16_t port, const http::TlsOptions& tls, const std::string& host,
                     std::function<void(std::uint16_t)> on_listening) {
  auto bound = bind_or_exit([&] { return bind_tls(port, tls, host); }, port, host);
  if (on_listening) on_listening(bound);
  run(true);
}

}  // namespace cortado
