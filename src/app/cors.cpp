// cors(): the cors package (2.8.5), header for header and in its order.

#include "cortado/app/cors.hpp"

#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <memory>
#include <stdexcept>

namespace cortado {
namespace {

std::string join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& item : list) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

bool matches(std::string_view origin, const OriginPattern& pattern) {
  if (const auto* text = std::get_if<std::string>(&pattern)) return origin == *text;
  return std::regex_search(origin.begin(), origin.end(), std::get<std::regex>(pattern));
}

// What the origin option says for this request: no CORS at all (nullopt), or the allowed value
// as the package resolves it before configureOrigin().
struct OriginDecision {
  bool any = false;          // "*"
  std::string fixed;         // a fixed origin
  bool reflect = false;      // reflect the request's Origin when allowed
  bool allowed = false;
};

std::optional<OriginDecision> decide(const CorsOrigin& option, const Request& req) {
  auto origin = req.get("origin");
  OriginDecision d;
  if (const auto* text = std::get_if<std::string>(&option)) {
    if (text->empty()) return std::nullopt;  // a falsy origin: CORS off
    if (*text == "*") d.any = true;
    else d.fixed = *text;
    return d;
  }
  d.reflect = true;
  if (const auto* on = std::get_if<bool>(&option)) {
    if (!*on) return std::nullopt;
    d.allowed = true;
  } else if (const auto* re = std::get_if<std::regex>(&option)) {
    d.allowed = req.has_header("origin") && matches(origin, *re);
  } else if (const auto* list = std::get_if<std::vector<OriginPattern>>(&option)) {
    for (const auto& p : *list) d.allowed = d.allowed || (req.has_header("origin") && matches(origin, p));
  } else {
    if (!std::get<std::function<bool(std::string_view)>>(option)(origin)) return std::nullopt;
    d.allowed = true;
  }
  return d;
}

void configure_origin(const OriginDecision& d, const Request& req, Response& res) {
  if (d.any) {
    res.set("Access-Control-Allow-Origin", "*");
  } else if (!d.reflect) {
    res.set("Access-Control-Allow-Origin", d.fixed);
    res.vary("Origin");
  } else {
    // An allowed request without an Origin gets none back (the package's value is undefined).
    if (d.allowed && !req.get("origin").empty()) res.set("Access-Control-Allow-Origin", req.get("origin"));
    res.vary("Origin");
  }
}

void configure_exposed(const CorsOptions& o, Response& res) {
  auto exposed = join(o.exposed_headers);
  if (!exposed.empty()) res.set("Access-Control-Expose-Headers", exposed);
}

}  // namespace

Middleware cors(CorsOptions options) {
  if (options.options_success_status < 100 || options.options_success_status > 999)
    throw std::invalid_argument("cors: options_success_status must be a status code");
  auto o = std::make_shared<const CorsOptions>(std::move(options));
  return make_middleware([o](Request& req, Response& res, Next next) {
    auto decision = decide(o->origin, req);
    if (!decision) {
      next();
      return;
    }
    configure_origin(*decision, req, res);
    if (o->credentials) res.set("Access-Control-Allow-Credentials", "true");
    if (req.method() != "OPTIONS") {
      configure_exposed(*o, res);
      next();
      return;
    }
    // Preflight.
    auto methods = join(o->methods);
    if (!methods.empty()) res.set("Access-Control-Allow-Methods", methods);
    std::string allowed;
    if (o->allowed_headers) {
      allowed = join(*o->allowed_headers);
    } else {
      allowed = std::string(req.get("access-control-request-headers"));
      res.vary("Access-Control-Request-Headers");
    }
    if (!allowed.empty()) res.set("Access-Control-Allow-Headers", allowed);
    if (o->max_age) res.set("Access-Control-Max-Age", std::to_string(o->max_age->count()));
    configure_exposed(*o, res);
    if (o->preflight_continue) {
      next();
      return;
    }
    // Safari waits for a body after a 204 unless told its length.
    res.status(o->options_success_status);
    res.set("Content-Length", "0");
    res.end();
  });
}

}  // namespace cortado
