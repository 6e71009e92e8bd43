#pragma once
/// security_headers(): helmet 8's set of security headers, each configurable or removable.

#include "cortado/app/handler.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cortado {

class Request;
class Response;

/// Content-Security-Policy as helmet builds it.
struct ContentSecurityPolicyOptions {
  /// Directives in order, after which helmet's defaults fill in the ones not named (unless
  /// use_defaults is false). A value list may be empty ("upgrade-insecure-requests"); nullopt
  /// removes a default directive ("default-src" included: helmet's dangerouslyDisableDefaultSrc).
  /// Names may be camelCase ("scriptSrc" is "script-src"), as in helmet.
  std::vector<std::pair<std::string, std::optional<std::vector<std::string>>>> directives{};
  bool use_defaults = true;
  /// Send Content-Security-Policy-Report-Only instead.
  bool report_only = false;
  /// Sources computed for each response and added after the directive's own (helmet's function
  /// values), e.g. a nonce: {"script-src", [](const Request&, Response& res) { return "'nonce-" +
  /// nonce_of(res) + "'"; }}. The directive must be in the policy; a value helmet would refuse
  /// throws std::invalid_argument to the app's error handlers.
  std::vector<std::pair<std::string, std::function<std::string(const Request&, Response&)>>> dynamic_sources{};
};

/// Strict-Transport-Security.
struct StrictTransportSecurityOptions {
  std::chrono::seconds max_age = std::chrono::seconds(365 * 24 * 60 * 60);
  bool include_sub_domains = true;
  bool preload = false;
};

/// Options of security_headers(): helmet 8's defaults. Each header is left out by setting it to
/// nullopt (or false); values helmet refuses make security_headers() throw std::invalid_argument.
struct SecurityHeadersOptions {
  std::optional<ContentSecurityPolicyOptions> content_security_policy = ContentSecurityPolicyOptions{};
  /// "require-corp", "credentialless" or "unsafe-none"; off by default, as in helmet.
  std::optional<std::string> cross_origin_embedder_policy{};
  /// "same-origin", "same-origin-allow-popups" or "unsafe-none".
  std::optional<std::string> cross_origin_opener_policy = "same-origin";
  /// "same-origin", "same-site" or "cross-origin".
  std::optional<std::string> cross_origin_resource_policy = "same-origin";
  bool origin_agent_cluster = true;
  /// Referrer-Policy tokens, joined with ','.
  std::optional<std::vector<std::string>> referrer_policy = std::vector<std::string>{"no-referrer"};
  std::optional<StrictTransportSecurityOptions> strict_transport_security = StrictTransportSecurityOptions{};
  bool x_content_type_options = true;
  /// X-DNS-Prefetch-Control: "off" unless allowed.
  std::optional<bool> x_dns_prefetch_control_allow = false;
  bool x_download_options = true;
  /// "SAMEORIGIN" or "DENY" (any case; "same-origin" too).
  std::optional<std::string> x_frame_options = "SAMEORIGIN";
  /// "none", "master-only", "by-content-type" or "all".
  std::optional<std::string> x_permitted_cross_domain_policies = "none";
  /// Removes X-Powered-By (cortado sends none; a handler before might).
  bool hide_powered_by = true;
  /// X-XSS-Protection: 0 (the old XSS auditors did harm).
  bool x_xss_protection = true;
};

/// Middleware setting the headers (Express: app.use(helmet())). The values are checked and
/// built once, here.
Middleware security_headers(const SecurityHeadersOptions& options = {});

}  // namespace cortado
