#pragma once
/// cors(): Cross-Origin Resource Sharing headers (the cors npm package, 2.8).

#include "cortado/app/handler.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cortado {

/// One allowed origin in a list: the exact text, or a regular expression searched in the origin
/// (JavaScript's RegExp.test).
using OriginPattern = std::variant<std::string, std::regex>;

/// Which origins may read the answers (the cors package's `origin`):
/// - "*" (the default): any, answered with "*";
/// - another string: always that origin, with Vary: Origin;
/// - true: the request's own Origin reflected; false: no CORS headers at all;
/// - a regex or a list of patterns: the request's Origin reflected when it matches, with Vary: Origin;
/// - a predicate: true reflects the request's Origin, false sends no CORS headers (its argument
///   is "" when the request has no Origin).
using CorsOrigin = std::variant<std::string, bool, std::regex, std::vector<OriginPattern>,
                                std::function<bool(std::string_view origin)>>;

/// Options of cors(), the package's names and defaults.
struct CorsOptions {
  CorsOrigin origin = std::string("*");
  /// Access-Control-Allow-Methods of a preflight.
  std::vector<std::string> methods = {"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"};
  /// Access-Control-Allow-Headers of a preflight; nullopt reflects the request's
  /// Access-Control-Request-Headers (with Vary: Access-Control-Request-Headers).
  std::optional<std::vector<std::string>> allowed_headers{};
  /// Access-Control-Expose-Headers.
  std::vector<std::string> exposed_headers{};
  /// Access-Control-Allow-Credentials: true.
  bool credentials = false;
  /// Access-Control-Max-Age of a preflight.
  std::optional<std::chrono::seconds> max_age{};
  /// Pass a preflight on to the next handler instead of answering it here.
  bool preflight_continue = false;
  /// The status of an answered preflight (some old browsers choke on 204: use 200).
  unsigned options_success_status = 204;
};

/// Middleware that writes the CORS headers, and answers preflight (OPTIONS) requests.
Middleware cors(CorsOptions options = {});

}  // namespace cortado
