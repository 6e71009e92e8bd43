// security_headers(): helmet 8.1, the same headers in the same order, with its checks.

#include "cortado/app/security_headers.hpp"

#include "app/access.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "core/header_text.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <stdexcept>

namespace cortado {
namespace {

using Directives = std::vector<std::pair<std::string, std::vector<std::string>>>;

Directives default_directives() {
  return {{"default-src", {"'self'"}},
          {"base-uri", {"'self'"}},
          {"font-src", {"'self'", "https:", "data:"}},
          {"form-action", {"'self'"}},
          {"frame-ancestors", {"'self'"}},
          {"img-src", {"'self'", "data:"}},
          {"object-src", {"'none'"}},
          {"script-src", {"'self'"}},
          {"script-src-attr", {"'none'"}},
          {"style-src", {"'self'", "https:", "'unsafe-inline'"}},
          {"upgrade-insecure-requests", {}}};
}

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

std::string dashify(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      out += '-';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

void check_value(const std::string& directive, const std::string& value) {
  static const std::set<std::string, std::less<>> should_be_quoted = {
      "none", "self", "strict-dynamic", "report-sample", "inline-speculation-rules", "unsafe-inline",
      "unsafe-eval", "unsafe-hashes", "wasm-unsafe-eval"};
  if (value.find_first_of(";,") != std::string::npos)
    fail("Content-Security-Policy received an invalid directive value for " + quoted(directive));
  if (should_be_quoted.contains(value) || value.starts_with("nonce-") || value.starts_with("sha256-") ||
      value.starts_with("sha384-") || value.starts_with("sha512-"))
    fail("Content-Security-Policy received an invalid directive value for " + quoted(directive) + ". " +
         quoted(value) + " should be quoted");
}

Directives csp_directives(const ContentSecurityPolicyOptions& o) {
  // helmet: with no directives given, the defaults are the directives.
  Directives result;
  std::set<std::string> seen, disabled;
  auto given = o.directives;
  if (given.empty())
    for (auto& [name, values] : default_directives()) given.emplace_back(name, values);
  for (const auto& [raw_name, values] : given) {
    if (raw_name.empty() || raw_name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
                                std::string::npos)
      fail("Content-Security-Policy received an invalid directive name " + quoted(raw_name));
    auto name = dashify(raw_name);
    if (!seen.insert(name).second) fail("Content-Security-Policy received a duplicate directive " + quoted(name));
    if (!values) {
      disabled.insert(name);
      continue;
    }
    for (const auto& v : *values) check_value(name, v);
    result.emplace_back(name, *values);
  }
  auto has = [&](const std::string& name) {
    return std::any_of(result.begin(), result.end(), [&](const auto& d) { return d.first == name; });
  };
  if (o.use_defaults)
    for (auto& [name, values] : default_directives())
      if (!has(name) && !disabled.contains(name)) result.emplace_back(name, values);
  if (result.empty()) fail("Content-Security-Policy has no directives. Either set some or disable the header");
  if (!has("default-src") && !disabled.contains("default-src"))
    fail("Content-Security-Policy needs a default-src but none was provided");
  return result;
}

// The policy's text for one response: each directive's own sources, then its dynamic ones.
using Dynamic = std::vector<std::pair<std::string, std::function<std::string(const Request&, Response&)>>>;
std::string csp_text(const Directives& directives, const Dynamic& dynamic, const Request* req, Response* res) {
  std::string header;
  for (const auto& [name, values] : directives) {
    if (!header.empty()) header += ';';
    header += name;
    for (const auto& v : values) {
      header += ' ';
      header += v;
    }
    for (const auto& [target, source] : dynamic) {
      if (target != name) continue;
      auto v = source(*req, *res);
      check_value(name, v);
      header += ' ';
      header += v;
    }
  }
  return header;
}

std::string one_of(const std::string& value, std::initializer_list<std::string_view> allowed, const std::string& header) {
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
    fail(header + " does not support the " + quoted(value) + " policy");
  return value;
}

std::string referrer_policy(const std::vector<std::string>& tokens) {
  static const std::set<std::string, std::less<>> allowed = {
      "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
      "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url", ""};
  if (tokens.empty()) fail("Referrer-Policy received no policy tokens");
  std::set<std::string> seen;
  std::string out;
  for (const auto& t : tokens) {
    if (!allowed.contains(t)) fail("Referrer-Policy received an unexpected policy token " + quoted(t));
    if (!seen.insert(t).second) fail("Referrer-Policy received a duplicate policy token " + quoted(t));
    out += t;
    out += ',';
  }
  out.pop_back();  // the last ','
  return out;
}

std::string frame_options(const std::string& action) {
  auto upper = action;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "SAME-ORIGIN") return "SAMEORIGIN";
  if (upper == "DENY" || upper == "SAMEORIGIN") return upper;
  fail("X-Frame-Options received an invalid action " + quoted(action));
}

}  // namespace

Middleware security_headers(const SecurityHeadersOptions& o) {
  // Built once: the same list of (name, value) for every response, in helmet's order.
  auto headers = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
  auto add = [&](std::string name, std::string value) { headers->emplace_back(std::move(name), std::move(value)); };
  // A policy with dynamic sources is written for each response (it is the first header).
  std::shared_ptr<const std::pair<Directives, Dynamic>> dynamic_policy;
  if (o.content_security_policy) {
    auto directives = csp_directives(*o.content_security_policy);
    const auto& dynamic = o.content_security_policy->dynamic_sources;
    for (const auto& [target, source] : dynamic) {
      auto name = dashify(target);
      if (std::none_of(directives.begin(), directives.end(), [&](const auto& d) { return d.first == name; }))
        fail("Content-Security-Policy has no directive " + quoted(name) + " for a dynamic source");
      if (!source) fail("Content-Security-Policy: an empty dynamic source for " + quoted(name));
    }
    add(o.content_security_policy->report_only ? "Content-Security-Policy-Report-Only" : "Content-Security-Policy",
        dynamic.empty() ? csp_text(directives, {}, nullptr, nullptr) : std::string());
    if (!dynamic.empty()) {
      Dynamic named;
      for (const auto& [target, source] : dynamic) named.emplace_back(dashify(target), source);
      dynamic_policy = std::make_shared<const std::pair<Directives, Dynamic>>(std::move(directives), std::move(named));
    }
  }
  if (o.cross_origin_embedder_policy)
    add("Cross-Origin-Embedder-Policy", one_of(*o.cross_origin_embedder_policy,
                                               {"require-corp", "credentialless", "unsafe-none"},
                                               "Cross-Origin-Embedder-Policy"));
  if (o.cross_origin_opener_policy)
    add("Cross-Origin-Opener-Policy", one_of(*o.cross_origin_opener_policy,
                                             {"same-origin", "same-origin-allow-popups", "unsafe-none"},
                                             "Cross-Origin-Opener-Policy"));
  if (o.cross_origin_resource_policy)
    add("Cross-Origin-Resource-Policy", one_of(*o.cross_origin_resource_policy,
                                               {"same-origin", "same-site", "cross-origin"},
                                               "Cross-Origin-Resource-Policy"));
  if (o.origin_agent_cluster) add("Origin-Agent-Cluster", "?1");
  if (o.referrer_policy) add("Referrer-Policy", referrer_policy(*o.referrer_policy));
  if (o.strict_transport_security) {
    const auto& h = *o.strict_transport_security;
    if (h.max_age.count() < 0) fail("Strict-Transport-Security: max_age must not be negative");
    std::string value = "max-age=" + std::to_string(h.max_age.count());
    if (h.include_sub_domains) value += "; includeSubDomains";
    if (h.preload) value += "; preload";
    add("Strict-Transport-Security", value);
  }
  if (o.x_content_type_options) add("X-Content-Type-Options", "nosniff");
  if (o.x_dns_prefetch_control_allow) add("X-DNS-Prefetch-Control", *o.x_dns_prefetch_control_allow ? "on" : "off");
  if (o.x_download_options) add("X-Download-Options", "noopen");
  if (o.x_frame_options) add("X-Frame-Options", frame_options(*o.x_frame_options));
  if (o.x_permitted_cross_domain_policies)
    add("X-Permitted-Cross-Domain-Policies",
        one_of(*o.x_permitted_cross_domain_policies, {"none", "master-only", "by-content-type", "all"},
               "X-Permitted-Cross-Domain-Policies"));
  // X-Powered-By is removed where helmet removes it, between these two.
  auto powered_by_at = headers->size();
  if (o.x_xss_protection) add("X-XSS-Protection", "0");
  bool hide = o.hide_powered_by;
  return make_middleware([headers, powered_by_at, hide, dynamic_policy](Request& req, Response& res, Next next) {
    for (std::size_t i = 0; i < headers->size(); ++i) {
      if (i == powered_by_at && hide) detail::AppAccess::raw(res).erase("X-Powered-By");
      if (i == 0 && dynamic_policy)
        res.set((*headers)[i].first, csp_text(dynamic_policy->first, dynamic_policy->second, &req, &res));
      else
        res.set((*headers)[i].first, (*headers)[i].second);
    }
    if (powered_by_at == headers->size() && hide) detail::AppAccess::raw(res).erase("X-Powered-By");
    next();
  });
}

}  // namespace cortado
