#pragma once
// What the fuzz targets share: running a Task to its end, and reporting a finding.

#include "cortado/core/task.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

namespace fuzz {

/// Stops the run: libFuzzer saves the input as a crash (abort is a deadly signal to it).
[[noreturn]] inline void finding(std::string_view what) {
  std::fprintf(stderr, "FINDING: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

/// Runs `task` on `ioc` until it ends; rethrows what it threw. A task that never ends (waits on
/// nothing that will ever happen) is a finding: in the server it would hold the connection forever.
inline void run_task(boost::asio::io_context& ioc, cortado::Task<> task) {
  bool done = false;
  std::exception_ptr error;
  boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  ioc.restart();
  ioc.run();
  if (!done) finding("the task never completed");
  if (error) std::rethrow_exception(error);
}

/// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace fuzz
