#include "app/log_writer.hpp"

#include <algorithm>
#include <csignal>
#include <pthread.h>

namespace cortado::detail {

LogWriter::LogWriter(LogStream stream, std::size_t max_bytes)
    : stream_(std::move(stream)),
      max_bytes_(max_bytes),
      dropped_counter_(metrics_registry()
                           .counter_family("logger_dropped_lines_total",
                                           "Request log lines dropped because the log stream could not keep up.")
                           .counter()),
      thread_([this](std::stop_token stop) { run(stop); }) {}

LogWriter::~LogWriter() {
  thread_.request_stop();
  wake_.notify_all();
}

void LogWriter::push(std::string line) {
  {
    std::lock_guard lock(mutex_);
    if (queued_.size() + line.size() > max_bytes_) {
      ++dropped_;
      ++dropped_unreported_;
      dropped_counter_.inc();
      return;
    }
    queued_ += line;
  }
  wake_.notify_one();
}

std::uint64_t LogWriter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void LogWriter::run(std::stop_token stop) {
  // A closed pipe must fail the write (EPIPE), not kill the process with SIGPIPE.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);

  std::string batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, stop, [this] { return !queued_.empty() || dropped_unreported_ > 0; });
    if (queued_.empty() && dropped_unreported_ == 0) return;  // stopping, and everything is written
    batch.clear();
    batch.swap(queued_);
    // Caught up with what was queued: say how many lines were lost meanwhile, after them.
    std::uint64_t lost = dropped_unreported_;
    dropped_unreported_ = 0;
    lock.unlock();
    if (lost > 0) batch += "logger: " + std::to_string(lost) + " lines dropped\n";
    // A stream that fails (a closed pipe, a full disk) loses this batch: its lines count as
    // dropped (the report line among them is not a request's).
    std::uint64_t failed = 0;
    if (!stream_.write(batch))
      failed = static_cast<std::uint64_t>(std::count(batch.begin(), batch.end(), '\n')) - (lost > 0 ? 1 : 0);
    if (batch.capacity() > max_bytes_) batch = std::string();
    lock.lock();
    if (failed > 0) {
      dropped_ += failed;
      dropped_counter_.inc(static_cast<double>(failed));
    }
  }
}

}  // namespace cortado::detail
