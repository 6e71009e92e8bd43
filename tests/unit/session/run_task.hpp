#pragma once
// Runs a Task to completion from a plain (non-coroutine) test and returns its result.

#include "cortado/core/task.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <exception>
#include <string>
#include <utility>

namespace cortado::testing {

/// Spawns `task` on a fresh io_context, runs it until done and returns (or rethrows) its outcome.
template <class T>
T run_task(Task<T> task) {
  boost::asio::io_context ctx;
  auto result = boost::asio::co_spawn(ctx, std::move(task), boost::asio::use_future);
  ctx.run();
  return result.get();
}

/// Runs `task` on `ctx`, which keeps what the store made for it (a connection) between calls,
/// as a server's event loop does; run_task's fresh io_context would start over every time.
template <class T>
T run_on(boost::asio::io_context& ctx, Task<T> task) {
  auto result = boost::asio::co_spawn(ctx, std::move(task), boost::asio::use_future);
  ctx.restart();
  ctx.run();
  return result.get();
}

/// What a call threw, "" when it succeeded.
template <class T>
std::string error_of(boost::asio::io_context& ctx, Task<T> task) {
  try {
    run_on(ctx, std::move(task));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace cortado::testing
