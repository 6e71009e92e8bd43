// Pruner: a thread that runs a store's pruning round every interval until it is destroyed.
#include "pruner.hpp"

#include <algorithm>
#include <exception>
#include <iostream>
#include <random>

namespace cortado::detail {

Pruner::Pruner(std::chrono::milliseconds interval, Round prune_once, PrunerOptions options)
    : interval_(interval), prune_once_(std::move(prune_once)), options_(options) {
  options_.jitter = std::clamp(options_.jitter, 0.0, 1.0);
  if (interval_ > std::chrono::milliseconds::zero() && prune_once_) {
    thread_ = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
  }
}

Pruner::~Pruner() {
  if (!thread_.joinable()) return;
  thread_.request_stop();  // wakes wait_for below, and tells a round in flight
  thread_.join();
}

void Pruner::run(std::stop_token stop) {
  std::mt19937_64 random{std::random_device{}()};
  const auto mean = static_cast<double>(interval_.count());
  std::uniform_real_distribution<double> spread(mean * (1 - options_.jitter), mean * (1 + options_.jitter));
  const auto next_wait = [&] {
    if (options_.jitter == 0) return interval_;
    return std::max(std::chrono::milliseconds(static_cast<std::int64_t>(spread(random))), std::chrono::milliseconds(1));
  };

  bool round_now = options_.at_start;
  for (;;) {
    if (round_now) {
      try {
        prune_once_(stop);
      } catch (const std::exception& e) {
        // One line, as connect-pg-simple logs "Failed to prune sessions"; the next round tries again.
        std::cerr << e.what() << std::endl;
      } catch (...) {
        std::cerr << "session store: pruning failed" << std::endl;
      }
    }
    std::unique_lock lock(mutex_);
    // Wakes at once when the destructor requests the stop, not at the end of the interval.
    if (wakeup_.wait_for(lock, stop, next_wait(), [&] { return stop.stop_requested(); })) return;
    round_now = true;
  }
}

}  // namespace cortado::detail
