#pragma once
// session-lab's command line (docs/SESSION_LAB.md), turned into SessionOptions and a store.

#include <cortado/cortado.hpp>
#include <cortado/session/cookie_session.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct LabConfig {
  std::uint16_t port = 0;
  bool port_given = false;
  std::size_t threads = 0;
  std::size_t max_connections = 0;  // 0: the server's default
  std::chrono::milliseconds idle_timeout{0};  // 0: the server's default
  std::optional<std::chrono::milliseconds> prune_interval;  // absent: the store's default
  bool trust_proxy = false;
  std::string store = "memory";
  cortado::SessionOptions session;
  /// --store cookie / --store sealed-cookie: the session kept in the cookie (cookie_session()),
  /// with the same cookie flags; no store then.
  std::optional<cortado::CookieSessionOptions> cookie_session;
  /// --tls-cert PATH --tls-key PATH: serve HTTPS instead of HTTP.
  std::optional<cortado::http::TlsOptions> tls;
  /// --log FORMAT: a request log to stdout (morgan's formats, json, or a token string); "" = none.
  std::string log;
  /// --metrics: count requests (metrics()) and serve GET /metrics.
  bool metrics = false;
  /// --ws-origin ORIGIN (repeatable): the Origins allowed to open GET /ws; none: the request's own host.
  std::vector<std::string> ws_origins;
  bool ws_require_session = false;
};

/// Reads argv; throws std::invalid_argument with a one-line reason for a bad flag or value.
LabConfig parse_lab_flags(int argc, char** argv);
