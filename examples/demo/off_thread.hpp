#pragma once
// off_thread: runs blocking work (a SQLite statement, an argon2id hash) on a worker executor and
// resumes the handler on its own I/O thread with the result or the exception. The same idea as
// cortado's SQLite store (src/stores/off_thread.hpp), copied because that header is private.

#include <cortado/task.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace demo {

/// Calls `work()` on `worker` and hands back its result (or rethrows its exception) on the
/// caller's executor: an I/O thread never blocks, other requests keep being served meanwhile.
/// Capture by reference: the caller's frame outlives the call, and GCC 12 miscompiles a
/// temporary lambda holding a std::string by value passed to a coroutine's parameter (the
/// closure is copied bytewise, and its destructor frees a pointer into the caller's frame).
template <class Executor, class Work>
cortado::Task<std::decay_t<std::invoke_result_t<Work&>>> off_thread(Executor worker, Work work) {
  using result_type = std::decay_t<std::invoke_result_t<Work&>>;
  const auto caller = co_await boost::asio::this_coro::executor;
  // Binding the completion to the worker is what makes the coroutine resume there; a plain
  // post(worker, use_awaitable) would bounce straight back to the caller's thread.
  co_await boost::asio::post(worker, boost::asio::bind_executor(worker, boost::asio::use_awaitable));
  std::exception_ptr error;
  std::optional<std::conditional_t<std::is_void_v<result_type>, bool, result_type>> result;
  try {
    if constexpr (std::is_void_v<result_type>) {
      work();
      result.emplace(true);
    } else {
      result.emplace(work());
    }
  } catch (...) {
    error = std::current_exception();
  }
  co_await boost::asio::post(caller, boost::asio::use_awaitable);
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<result_type>) co_return std::move(*result);
}

}  // namespace demo
