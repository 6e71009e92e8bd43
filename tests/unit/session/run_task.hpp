#pragma once
// Runs a Task to completion from a plain (non-coroutine) test and returns its result.

#include "cortado/task.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

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

}  // namespace cortado::testing
