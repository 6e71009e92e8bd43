#pragma once
/// App: the Express application: a Router with settings that serves HTTP.

#include "cortado/app/router.hpp"
#include "cortado/app/settings.hpp"
#include "cortado/app/views.hpp"
#include "cortado/http/server.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cortado {

/// express(): routes and middleware (from Router), settings, and listen().
class App : public Router {
 public:
  App();
  explicit App(Settings settings, http::ServerOptions server = {});
  ~App();

  /// Express's app settings (env, trust proxy, etag, routing), the one place each is kept: a
  /// change here or through set() applies to the requests and routes that come after it.
  Settings& settings() { return *settings_; }
  /// app.set("trust proxy", true), app.set("etag", false), ...; throws for unknown names.
  App& set(std::string_view name, bool value);
  /// app.set("env", "production").
  App& set(std::string_view name, std::string_view value);
  /// Same (a string literal would otherwise choose the bool overload).
  App& set(std::string_view name, const char* value) { return set(name, std::string_view(value)); }
  /// app.set("views", {"views", "shared/views"}): several folders, searched in order.
  App& set(std::string_view name, std::vector<std::string> value);
  /// app.set("subdomain offset", 3).
  App& set(std::string_view name, int value);

  // Views: Express's app.engine, app.locals, app.render (res.render uses them).
  /// Renders views whose file has extension `ext` ("html" or ".html") with `fn`.
  App& engine(std::string_view ext, ViewEngine fn);
  /// Values every view sees; res.locals and the render call's locals override them. Fill it
  /// before listen(): requests read it from every thread.
  json::object& locals();
  /// The rendered text of view `name` (looked up as described on lookup_view), with app.locals
  /// under `locals`; throws ViewError when there is no such view, or the engine's error.
  std::string render(std::string_view name, const json::object& locals = {}) const;
  /// Limits, timeouts and threads of the HTTP server; change before listen().
  http::ServerOptions& server_options() { return server_options_; }

  /// Serves on host:port until SIGINT or SIGTERM, then finishes requests in flight and
  /// returns. `on_listening` gets the bound port (useful with port 0).
  void listen(std::uint16_t port, std::function<void(std::uint16_t)> on_listening = {});
  void listen(std::uint16_t port, const std::string& host, std::function<void(std::uint16_t)> on_listening = {});

  /// https.createServer({cert, key}, app).listen(port): the same as listen() over TLS. To serve
  /// HTTP and HTTPS at once, bind() the plain port first, then listen_tls() (or the reverse:
  /// bind_tls(), then listen()); both ports share the app, threads and limits. With a TLS port,
  /// SIGHUP reloads the certificates. A certificate, key or port that cannot be used: one line
  /// on stderr ("cortado: ...") and exit code 1, before anything is served.
  void listen_tls(std::uint16_t port, const http::TlsOptions& tls, std::function<void(std::uint16_t)> on_listening = {});
  void listen_tls(std::uint16_t port, const http::TlsOptions& tls, const std::string& host,
                  std::function<void(std::uint16_t)> on_listening = {});

  /// For tests and embedding: bind now and return the port; serve with run(), end with stop().
  /// Each call adds a port to the same server.
  std::uint16_t bind(std::uint16_t port, const std::string& host = "127.0.0.1");
  /// The same over TLS; throws http::TlsError (one line) when the certificate or key cannot be used.
  std::uint16_t bind_tls(std::uint16_t port, const http::TlsOptions& tls, const std::string& host = "127.0.0.1");
  /// Reads the TLS certificates and keys again (what SIGHUP does): new connections get the new
  /// certificate, open ones keep theirs. Throws http::TlsError and keeps the old one on failure.
  void reload_certificates();
  void run(bool handle_signals = false);
  void stop();

  /// The HTTP handler: one request through the middleware stack.
  Task<> handle(http::RawRequest& raw_req, http::RawResponse& raw_res, http::Exchange& exchange);

 protected:
  Options routing_options() const override;

 private:
  std::unique_ptr<Settings> settings_;
  http::ServerOptions server_options_;
  std::unique_ptr<http::Server> server_;
  http::Server& server();

  // One request's walk through the stack, in the parts handle() and handle_upgrade() share.
  detail::Chain start_chain(Request& req, Response& res, http::Exchange& exchange, std::vector<std::string>& allowed);
  static void end_chain(Response& res);
  Task<> handle_upgrade(http::RawRequest& raw_req, http::RawResponse& raw_res, http::Exchange& exchange);

  // res.render() merges res.locals in between app.locals and its own.
  friend class Response;
  std::string render(std::string_view name, const json::object& locals, const json::object* res_locals) const;
  struct ViewState;
  std::unique_ptr<ViewState> views_;
};

}  // namespace cortado
