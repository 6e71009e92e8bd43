#pragma once
// The library's own way into Request and Response, for what only the router, the app and the
// file senders may write: a handler that could move the mount point or rewrite params would mislead
// every router after it, and one that wrote the Beast message would get around set()'s checks.

#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <string>
#include <utility>

namespace cortado::detail {

struct AppAccess {
  /// Where the router being entered is mounted, and the path left below it.
  // Each layer a request enters sets them, mostly to what they already hold: compared first,
  // and assigned into the strings' own room when they differ.
  static void set_mount(Request& req, std::string_view base_url, std::string_view path) {
    if (req.base_url_ != base_url) req.base_url_.assign(base_url);
    if (req.path_ != path) req.path_.assign(path);
  }
  static Params& params(Request& req) { return req.params_; }
  static void set_app(Request& req, App& app, const Response& res) {
    req.app_ = &app;
    req.res_ = &res;
  }
  static void set_route(Request& req, const Request::RouteTrail& trail) { req.route_trail_ = trail; }
  /// The Beast message, for the fields set() refuses or rewrites (Content-Type as given) and
  /// those Response has no call for (erasing a field, Content-Length on HEAD).
  static http::RawResponse& raw(Response& res) { return res.raw_; }
  static void run_header_hooks(Response& res) { res.run_header_hooks(); }
  static void send_body_from(Response& res, http::FileBody file) { res.send_body_from(std::move(file)); }
  /// The HTTP layer's side of the exchange: the file body compression() encodes, the hooks that
  /// run once the response is written (logger, metrics).
  static http::Exchange& exchange(Response& res) { return res.exchange_; }
};

}  // namespace cortado::detail
