#pragma once
/// Router: an ordered stack of middleware and routes, mountable at a path (express.Router()).

#include "cortado/app/handler.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cortado {

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

}  // namespace cortado
