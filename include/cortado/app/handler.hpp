#pragma once
/// The shapes a handler may take, and how each is turned into one uniform Middleware.

#include "cortado/app/next.hpp"
#include "cortado/core/task.hpp"

#include <concepts>
#include <exception>
#include <functional>
#include <type_traits>

namespace cortado {

class Request;
class Response;

/// What the router stores for each handler: synchronous ones are called directly, so a plain
/// handler costs no coroutine frame; coroutines are awaited.
struct Middleware {
  std::function<void(std::exception_ptr, Request&, Response&, Next)> sync;
  std::function<Task<>(std::exception_ptr, Request&, Response&, Next)> async;
  /// An error handler (four parameters in Express) runs only when an error is pending.
  bool handles_errors = false;
};

// clang-format off
/// (req, res) or (req, res) -> Task<>: a route handler that answers.
template <class F>
concept RouteHandler = std::invocable<F&, Request&, Response&>;
/// (req, res, next): middleware.
template <class F>
concept MiddlewareHandler = std::invocable<F&, Request&, Response&, Next>;
/// (error, req, res, next): error-handling middleware.
template <class F>
concept ErrorHandler = std::invocable<F&, std::exception_ptr, Request&, Response&, Next>;
template <class F>
concept AnyHandler = std::same_as<std::decay_t<F>, Middleware> || RouteHandler<F> || MiddlewareHandler<F> ||
                     ErrorHandler<F>;
// clang-format on

/// A Middleware (what session(), serve_static() and the body parsers return) is already wrapped.
inline Middleware make_middleware(Middleware c) { return c; }

/// Wraps any accepted handler shape into a Middleware.
template <AnyHandler F>
  requires(!std::same_as<std::decay_t<F>, Middleware>)
Middleware make_middleware(F f) {
  Middleware c;
  if constexpr (ErrorHandler<F>) {
    c.handles_errors = true;
    using R = std::invoke_result_t<F&, std::exception_ptr, Request&, Response&, Next>;
    if constexpr (std::is_same_v<R, Task<>>)
      c.async = std::move(f);
    else
      c.sync = std::move(f);
  } else if constexpr (MiddlewareHandler<F>) {
    using R = std::invoke_result_t<F&, Request&, Response&, Next>;
    if constexpr (std::is_same_v<R, Task<>>)
      c.async = [f = std::move(f)](std::exception_ptr, Request& req, Response& res, Next next) mutable {
        return f(req, res, next);
      };
    else
      c.sync = [f = std::move(f)](std::exception_ptr, Request& req, Response& res, Next next) mutable {
        f(req, res, next);
      };
  } else {
    using R = std::invoke_result_t<F&, Request&, Response&>;
    if constexpr (std::is_same_v<R, Task<>>)
      c.async = [f = std::move(f)](std::exception_ptr, Request& req, Response& res, Next) mutable {
        return f(req, res);
      };
    else
      c.sync = [f = std::move(f)](std::exception_ptr, Request& req, Response& res, Next) mutable { f(req, res); };
  }
  return c;
}

}  // namespace cortado
