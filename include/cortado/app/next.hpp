#pragma once
/// Next: how a middleware passes the request on (Express's `next`).

#include "cortado/core/task.hpp"

#include <exception>
#include <type_traits>

namespace cortado {

class Request;
class Response;

namespace detail {
struct Chain;
struct Step;
}  // namespace detail

/// What next() returns: awaiting it runs the rest of the chain; a plain call may ignore it
/// (unlike a Task, whose result must not be dropped).
class NextTask : public Task<> {
 public:
  explicit NextTask(Task<>&& task) noexcept : Task<>(std::move(task)) {}
};

/// Passed to every middleware. Call `next()` to continue with the next matching handler, or
/// `next(error)` to skip to the error handlers. A coroutine may `co_await next()` to run the rest
/// of the chain first and then act on the response (the session middleware saves this way).
class Next {
 public:
  Next(detail::Chain& chain, detail::Step& step) : chain_(&chain), step_(&step) {}

  /// Continues with the next matching handler; awaiting it runs the rest of the chain now.
  NextTask operator()() const;
  /// Skips to the next error-handling middleware with `error`.
  void operator()(std::exception_ptr error) const;
  /// Same, from an exception object: next(HttpError(404)).
  template <class E>
    requires std::is_base_of_v<std::exception, std::decay_t<E>>
  void operator()(E&& error) const {
    (*this)(std::make_exception_ptr(std::forward<E>(error)));
  }

  /// The walk this Next belongs to (used by routers to nest theirs).
  detail::Chain& chain() const { return *chain_; }

 private:
  detail::Chain* chain_;
  detail::Step* step_;
};

}  // namespace cortado
