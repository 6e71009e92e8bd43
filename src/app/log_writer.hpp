#pragma once
// LogWriter: a bounded queue of log lines and the thread that writes them to a LogStream, so that
// a request only ever appends to memory. When the queue is full, lines are dropped and counted.

#include "cortado/app/logger.hpp"
#include "cortado/core/metrics.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace cortado::detail {

class LogWriter {
 public:
  LogWriter(LogStream stream, std::size_t max_bytes);
  /// Writes what is queued, then stops the thread.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  /// Queues a line (newline included) without waiting; drops it when the queue is full.
  void push(std::string line);
  /// Lines dropped so far by this writer.
  std::uint64_t dropped() const;

 private:
  void run(std::stop_token stop);

  LogStream stream_;
  std::size_t max_bytes_;
  Counter dropped_counter_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::string queued_;  // lines waiting, one after the other: one write takes them all
  std::uint64_t dropped_ = 0;
  std::uint64_t dropped_unreported_ = 0;
  std::jthread thread_;  // last: started once the rest exists, joined first
};

}  // namespace cortado::detail
