#pragma once
/// TestServer: an App serving on 127.0.0.1 (a free port) on its own thread, for the lifetime of
/// a test.
///
///   test::TestServer server([](App& app) {
///     app.server_options().idle_timeout = 200ms;   // before bind(): the lambda runs first
///     app.get("/", [](Request&, Response& res) { res.send("ok"); });
///   });
///   auto res = test::get(server.port(), "/");
///
/// The destructor stops the server (requests in flight finish) and joins the thread.

#include "cortado/app/app.hpp"

#include <cstdint>
#include <thread>
#include <utility>

namespace cortado::test {

/// Owns an App, binds it to 127.0.0.1:0 and runs it on a std::jthread until destroyed.
class TestServer {
 public:
  /// Calls `configure(app)` to add routes and set options, then binds and starts serving.
  /// The server uses one I/O thread unless `configure` sets server_options().threads.
  template <class Configure>
  explicit TestServer(Configure&& configure) {
    app_.server_options().threads = 1;
    std::forward<Configure>(configure)(app_);
    port_ = app_.bind(0, "127.0.0.1");
    thread_ = std::jthread([this] { app_.run(); });
  }
  ~TestServer() { stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  /// The port the server listens on.
  std::uint16_t port() const { return port_; }
  /// The served App (its routes may be read, but settings should not change while serving).
  App& app() { return app_; }

  /// Stops accepting, lets requests in flight finish and waits until run() has returned.
  /// Idempotent; the destructor calls it.
  void stop() {
    if (!thread_.joinable()) return;
    app_.stop();
    thread_.join();
  }

 private:
  App app_;
  std::uint16_t port_ = 0;
  std::jthread thread_;
};

}  // namespace cortado::test
