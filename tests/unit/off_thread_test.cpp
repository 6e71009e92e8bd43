// off_thread: work on another executor, the caller resumed on its own, and the caller's event
// loop destroyed while work is away (a server stopping after its grace period).
#include "cortado/core/off_thread.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

namespace cortado {
namespace {

namespace asio = boost::asio;

TEST(OffThread, RunsTheWorkElsewhereAndResumesTheCallerAtHome) {
  asio::thread_pool pool(1);
  asio::io_context ctx;
  std::thread::id worked_on, resumed_on;
  auto done = asio::co_spawn(
      ctx,
      [&]() -> Task<int> {
        const int value = co_await off_thread(pool.get_executor(), [&] {
          worked_on = std::this_thread::get_id();
          return 42;
        });
        resumed_on = std::this_thread::get_id();
        co_return value;
      },
      asio::use_future);
  ctx.run();
  EXPECT_EQ(done.get(), 42);
  EXPECT_NE(worked_on, std::this_thread::get_id());
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
}

TEST(OffThread, AnExceptionReachesTheCallerAtHome) {
  asio::thread_pool pool(1);
  asio::io_context ctx;
  auto done = asio::co_spawn(
      ctx, [&]() -> Task<> { co_await off_thread(pool.get_executor(), [] { throw std::runtime_error("no"); }); },
      asio::use_future);
  ctx.run();
  EXPECT_THROW(done.get(), std::runtime_error);
}

// The event loop is destroyed (as a stopped server's are) while one call's work runs on the pool
// and a second waits behind it: the destructor waits for the first to be handed back, the second
// never starts, and nothing touches the event loop after it is gone (AddressSanitizer checks).
TEST(OffThread, DestroyingTheCallersEventLoopWaitsForWorkAwayAndStartsNoMore) {
  asio::thread_pool pool(1);
  auto ctx = std::make_unique<asio::io_context>();
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  asio::co_spawn(
      *ctx,
      [&]() -> Task<> {
        co_await off_thread(pool.get_executor(), [&] {
          started.set_value();
          released.wait();
          ++ran;
        });
      },
      asio::detached);
  asio::co_spawn(
      *ctx, [&]() -> Task<> { co_await off_thread(pool.get_executor(), [&] { ++ran; }); }, asio::detached);
  ctx->poll();  // both calls leave for the pool; the first one's work starts
  started.get_future().wait();
  auto& calls = asio::use_service<detail::OffThreadCalls>(*ctx);  // alive until both calls are back
  auto destroyed = std::async(std::launch::async, [&] { ctx.reset(); });
  while (!calls.abandoned()) std::this_thread::yield();  // the destructor has begun
  release.set_value();
  destroyed.get();
  pool.join();
  EXPECT_EQ(ran, 1) << "work that had not started when its caller's event loop went ran anyway";
}

// Work sent to the caller's own event loop never leaves it: destroying the loop with that work
// still queued must not wait for it (it would wait for ever).
TEST(OffThread, WorkQueuedOnTheCallersOwnEventLoopDoesNotHoldItsDestruction) {
  auto ctx = std::make_unique<asio::io_context>();
  bool entered = false, ran = false;
  asio::co_spawn(
      *ctx,
      [&]() -> Task<> {
        entered = true;
        co_await off_thread(ctx->get_executor(), [&] { ran = true; });
      },
      asio::detached);
  while (!entered) ctx->run_one();  // the handler that enters also queues the work, then returns
  ctx.reset();
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace cortado
