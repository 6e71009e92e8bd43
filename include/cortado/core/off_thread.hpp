#pragma once
/// off_thread: runs blocking work (a SQLite statement, a password hash) on another executor and
/// resumes the calling coroutine on its own executor, with the result or the exception.

#include "cortado/core/task.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace cortado {
namespace detail {

// Who owns what: a coroutine sent away by off_thread belongs, until it is queued on its caller's
// executor again, to another thread, which will post to the caller's execution context (an
// io_context of the server). The caller's context therefore must not be destroyed while one of
// its calls is away. The context itself is the one place that knows when it is destroyed (a
// server's, say, after its grace period, whoever owns the server): this service of it counts the
// calls that are away, and its shutdown, which the context's destructor runs before it shuts
// down its scheduler (the first service made, so the last shut down) and frees it, waits for
// them to be queued back. Work that has not started by then is not started at all, so the wait
// is bounded by the work already running (a SQLite statement by its busy_timeout). A coroutine
// queued back that way is destroyed with the context's other handlers, as one waiting on a
// socket is.
class OffThreadCalls final : public boost::asio::execution_context::service {
 public:
  /// Asio's identity of the service.
  static inline boost::asio::execution_context::id id;
  /// Made by use_service on the first off_thread call from the context.
  explicit OffThreadCalls(boost::asio::execution_context& context);

  /// Counts a call that leaves for another executor.
  void leave();
  /// Uncounts a call that is queued on the context again (or whose coroutine was destroyed away).
  void returned();
  /// True once the context is being destroyed: work not yet started is not started.
  bool abandoned() const { return abandoned_.load(std::memory_order_acquire); }

 private:
  void shutdown() override;

  std::mutex mutex_;
  std::condition_variable all_back_;
  std::size_t away_ = 0;
  std::atomic<bool> abandoned_{false};
};

// One call away from its context, held in the off_thread coroutine's frame. Uncounted when the
// coroutine is posted back, or when the frame is destroyed before it could be (the worker's
// context destroyed with the coroutine in its queue): a count left behind would block the
// caller's context's destructor for ever.
class AwayCall {
 public:
  explicit AwayCall(OffThreadCalls* calls) : calls_(calls) {
    if (calls_ != nullptr) calls_->leave();
  }
  ~AwayCall() {
    if (calls_ != nullptr) calls_->returned();
  }
  AwayCall(const AwayCall&) = delete;
  AwayCall& operator=(const AwayCall&) = delete;

  /// Hands the uncounting over to whoever posts the coroutine back (called before that post).
  OffThreadCalls* release() { return std::exchange(calls_, nullptr); }
  bool counted() const { return calls_ != nullptr; }

 private:
  OffThreadCalls* calls_;
};

// The initiation that queues the coroutine on `caller` and only then uncounts it. This object
// lives in the coroutine's frame, which the caller's thread may resume and destroy as soon as
// post() has queued it, and the context may be destroyed as soon as the call is uncounted: what
// is needed after the post is copied out first, and every executor copy is gone before the uncount.
template <class Executor>
struct PostBack {
  Executor caller;
  AwayCall* away;

  template <class Handler>
  void operator()(Handler&& handler) const {
    OffThreadCalls* const calls = away->release();
    {
      const Executor to = caller;
      boost::asio::post(to, std::forward<Handler>(handler));
    }
    if (calls != nullptr) calls->returned();
  }
};

}  // namespace detail

/// Calls `work()` on `worker` and returns its result (or rethrows its exception) on the
/// caller's executor, so that the caller's thread never blocks and never runs foreign work.
/// Destroying the caller's execution context waits for its calls that are away (and starts none
/// that has not begun; those fail): `worker` must run everything posted to it until then.
/// Capture by reference: the caller's frame outlives the call (and GCC 12 miscompiles a
/// temporary lambda holding a std::string by value passed straight to a coroutine parameter).
template <class Executor, class Work>
Task<std::decay_t<std::invoke_result_t<Work&>>> off_thread(Executor worker, Work work) {
  using result_type = std::decay_t<std::invoke_result_t<Work&>>;
  // void carries no value back: an empty stand-in does, so both shapes share one path.
  using carried_type = std::conditional_t<std::is_void_v<result_type>, std::monostate, result_type>;
  const auto caller = co_await boost::asio::this_coro::executor;
  boost::asio::execution_context& home = boost::asio::query(caller, boost::asio::execution::context);
  // Work sent to the caller's own context never leaves it, so it is not counted (the context's
  // destructor would otherwise wait for a coroutine in its own queue).
  const bool leaves = &home != &static_cast<boost::asio::execution_context&>(
                                   boost::asio::query(worker, boost::asio::execution::context));
  detail::OffThreadCalls* const calls = leaves ? &boost::asio::use_service<detail::OffThreadCalls>(home) : nullptr;
  detail::AwayCall away(calls);
  // A plain `post(worker, use_awaitable)` would only bounce through the worker: the completion
  // handler is dispatched to the coroutine's own executor, so the work would run on the caller's
  // thread. Binding the handler to the worker makes the coroutine resume there.
  co_await boost::asio::post(worker, boost::asio::bind_executor(worker, boost::asio::use_awaitable));
  std::optional<carried_type> result;
  std::exception_ptr error;
  try {
    if (away.counted() && calls->abandoned()) {
      throw std::runtime_error("off_thread: the caller's event loop is being destroyed; the work did not start");
    }
    if constexpr (std::is_void_v<result_type>) {
      work();
      result.emplace();
    } else {
      result.emplace(work());
    }
  } catch (...) {
    error = std::current_exception();
  }
  // Back on the caller's executor before anything, the exception included, reaches the caller.
  co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void()>(
      detail::PostBack<std::decay_t<decltype(caller)>>{caller, &away}, boost::asio::use_awaitable);
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<result_type>) co_return std::move(*result);
}

}  // namespace cortado
