#pragma once
/// off_thread: runs blocking work (a SQLite statement, a password hash) on another executor and
/// resumes the calling coroutine on its own executor, with the result or the exception.

#include "cortado/task.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace cortado {

/// Calls `work()` on `worker` and returns its result (or rethrows its exception) on the
/// caller's executor, so that the caller's thread never blocks and never runs foreign work.
/// Capture by reference: the caller's frame outlives the call (and GCC 12 miscompiles a
/// temporary lambda holding a std::string by value passed straight to a coroutine parameter).
template <class Executor, class Work>
Task<std::decay_t<std::invoke_result_t<Work&>>> off_thread(Executor worker, Work work) {
  using result_type = std::decay_t<std::invoke_result_t<Work&>>;
  const auto caller = co_await boost::asio::this_coro::executor;
  // A plain `post(worker, use_awaitable)` would only bounce through the worker: the completion
  // handler is dispatched to the coroutine's own executor, so the work would run on the caller's
  // thread. Binding the handler to the worker makes the coroutine resume there.
  co_await boost::asio::post(worker, boost::asio::bind_executor(worker, boost::asio::use_awaitable));
  std::exception_ptr error;
  if constexpr (std::is_void_v<result_type>) {
    try {
      work();
    } catch (...) {
      error = std::current_exception();
    }
    // Back on the caller's executor before anything, the exception included, reaches the caller.
    co_await boost::asio::post(caller, boost::asio::use_awaitable);
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<result_type> result;
    try {
      result.emplace(work());
    } catch (...) {
      error = std::current_exception();
    }
    co_await boost::asio::post(caller, boost::asio::use_awaitable);
    if (error) std::rethrow_exception(error);
    co_return std::move(*result);
  }
}

}  // namespace cortado
