#pragma once
/// Router: an ordered stack of middleware and routes, mountable at a path (express.Router()).

#include "cortado/app/handler.hpp"
#include "cortado/app/websocket.hpp"

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cortado {

class Route;

// clang-format off
/// app.param's callback: (req, res, next, value), or a coroutine returning Task<>. It calls
/// next() to go on to the route, next(error) (or throws) to go to the error handlers; if it
/// does neither, it has answered and the route is not run.
template <class F>
concept ParamHandler = std::invocable<F&, Request&, Response&, Next, std::string_view>;
// clang-format on

/// A stored app.param callback (synchronous ones cost no coroutine frame, as Middleware).
struct ParamCallback {
  std::function<void(Request&, Response&, Next, std::string_view)> sync;
  std::function<Task<>(Request&, Response&, Next, std::string_view)> async;
};

/// Express's Router. A Router is a handle: copies share one stack, so a router mounted with
/// `app.use("/api", api)` still sees the routes added to `api` afterwards.
class Router {
 public:
  /// express.Router({caseSensitive, strict}); an App reads these from its Settings instead.
  struct Options {
    /// "/Foo" does not match "/foo".
    bool case_sensitive = false;
    /// "/foo/" does not match "/foo".
    bool strict = false;
    /// req.params() in this router's handlers also holds the params of the path it is mounted
    /// at (its own win on a clash).
    bool merge_params = false;
  };
  Router() : Router(Options{}) {}
  explicit Router(Options options);
  virtual ~Router() = default;
  Router(const Router&) = default;
  Router& operator=(const Router&) = default;

  /// Middleware for every path (or under `path`, which is stripped from req.path meanwhile).
  template <AnyHandler... F>
  Router& use(F... handlers) {
    return mount("/", {make_middleware(std::move(handlers))...});
  }
  template <AnyHandler... F>
  Router& use(std::string_view path, F... handlers) {
    return mount(path, {make_middleware(std::move(handlers))...});
  }
  /// Routes by method; GET routes also answer HEAD.
  template <AnyHandler... F>
  Router& get(std::string_view path, F... handlers) {
    return route("GET", path, {make_middleware(std::move(handlers))...});
  }
  template <AnyHandler... F>
  Router& post(std::string_view path, F... handlers) {
    return route("POST", path, {make_middleware(std::move(handlers))...});
  }
  template <AnyHandler... F>
  Router& put(std::string_view path, F... handlers) {
    return route("PUT", path, {make_middleware(std::move(handlers))...});
  }
  template <AnyHandler... F>
  Router& patch(std::string_view path, F... handlers) {
    return route("PATCH", path, {make_middleware(std::move(handlers))...});
  }
  /// DELETE (`delete` is a C++ keyword).
  template <AnyHandler... F>
  Router& del(std::string_view path, F... handlers) {
    return route("DELETE", path, {make_middleware(std::move(handlers))...});
  }
  template <AnyHandler... F>
  Router& options(std::string_view path, F... handlers) {
    return route("OPTIONS", path, {make_middleware(std::move(handlers))...});
  }
  template <AnyHandler... F>
  Router& head(std::string_view path, F... handlers) {
    return route("HEAD", path, {make_middleware(std::move(handlers))...});
  }
  /// Every method.
  template <AnyHandler... F>
  Router& all(std::string_view path, F... handlers) {
    return route("", path, {make_middleware(std::move(handlers))...});
  }

  /// app.route(path).get(...).post(...): several methods on one path without repeating it.
  Route route(std::string_view path);

  /// app.param(name, fn): runs `fn` before the first route of this router whose path has
  /// `:name`, once per request and value (Express 5: a route with the same value reuses the
  /// result; one that failed fails the later ones with the same error).
  template <ParamHandler F>
  Router& param(std::string name, F fn) {
    ParamCallback c;
    using R = std::invoke_result_t<F&, Request&, Response&, Next, std::string_view>;
    if constexpr (std::is_same_v<R, Task<>>)
      c.async = std::move(fn);
    else
      c.sync = std::move(fn);
    return add_param(std::move(name), std::move(c));
  }
  Router& add_param(std::string name, ParamCallback callback);

  /// A WebSocket route (express-ws's router.ws): a GET upgrade request on `path` that reaches it
  /// through the middleware is checked (Origin, see WebSocketOptions), answered with 101 and
  /// handed to `handler`; a GET without the upgrade gets 426. See include/cortado/app/websocket.hpp.
  Router& ws(std::string_view path, WebSocketHandler handler, http::WebSocketOptions options = {});

  /// Adds handlers for `method` ("" = any) on `path`.
  Router& route(std::string_view method, std::string_view path, std::vector<Middleware> handlers);
  /// Adds middleware under `path`.
  Router& mount(std::string_view path, std::vector<Middleware> handlers);

  /// Runs the stack; what is left unhandled goes on to `next` (so a Router is itself middleware).
  Task<> operator()(Request& req, Response& res, Next next) const;

  struct Layer;

 protected:
  /// What route() and use() compile new paths with: the Options given to a Router, the live
  /// Settings of an App (so that no copy of a flag can go stale).
  virtual Options routing_options() const;

  struct Stack;
  std::shared_ptr<Stack> stack_;
};

/// What app.route(path) returns: each call adds a route on that path to the router.
class Route {
 public:
  Route(Router& router, std::string path) : router_(&router), path_(std::move(path)) {}

  template <AnyHandler... F>
  Route& get(F... handlers) { return add("GET", {make_middleware(std::move(handlers))...}); }
  template <AnyHandler... F>
  Route& post(F... handlers) { return add("POST", {make_middleware(std::move(handlers))...}); }
  template <AnyHandler... F>
  Route& put(F... handlers) { return add("PUT", {make_middleware(std::move(handlers))...}); }
  template <AnyHandler... F>
  Route& patch(F... handlers) { return add("PATCH", {make_middleware(std::move(handlers))...}); }
  template <AnyHandler... F>
  Route& del(F... handlers) { return add("DELETE", {make_middleware(std::move(handlers))...}); }
  template <AnyHandler... F>
  Route& options(F... handlers) { return add("OPTIONS", {make_middleware(std::move(handlers))...}); }
  template <AnyHandler... F>
  Route& head(F... handlers) { return add("HEAD", {make_middleware(std::move(handlers))...}); }
  template <AnyHandler... F>
  Route& all(F... handlers) { return add("", {make_middleware(std::move(handlers))...}); }

  const std::string& path() const { return path_; }

 private:
  Route& add(std::string_view method, std::vector<Middleware> handlers) {
    router_->route(method, path_, std::move(handlers));
    return *this;
  }
  Router* router_;  // the router outlives the chain of calls made on its route()
  std::string path_;
};

}  // namespace cortado
