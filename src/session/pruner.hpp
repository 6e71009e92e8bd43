#pragma once
// Pruner: the one way every store deletes its expired sessions, a thread that runs the store's
// round every interval (the memory store's prune_expired(), SQLite's and PostgreSQL's DELETE).
// The stores say what one round is; when, how often, stopping and failures are handled here.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace cortado::detail {

/// How a Pruner spaces its rounds.
struct PrunerOptions {
  /// Each wait is drawn uniformly between (1 - jitter) and (1 + jitter) times the interval, so
  /// that processes sharing one database spread out (connect-pg-simple draws with 0.5); 0: exact.
  double jitter = 0;
  /// Runs one round as soon as the pruner starts, before the first wait (connect-sqlite3 does).
  bool at_start = false;
};

/// A thread that calls `prune_once` every `interval` until it is destroyed. The round gets the
/// pruner's stop_token: a round that may block long (a statement on a network connection)
/// should give up when it is requested. An exception from a round is written to stderr as one
/// line and the next round runs as planned: a failed round never ends pruning.
class Pruner {
 public:
  /// One round; its argument says when the pruner is being destroyed.
  using Round = std::function<void(std::stop_token)>;

  /// Starts the thread; a zero or negative interval starts nothing (pruning off).
  Pruner(std::chrono::milliseconds interval, Round prune_once, PrunerOptions options = {});
  /// Requests the stop (which wakes the wait at once and is passed to a round in flight), then
  /// joins: once it returns, no round is running or will run, so what rounds use may go.
  ~Pruner();
  Pruner(const Pruner&) = delete;
  Pruner& operator=(const Pruner&) = delete;

  /// Whether a thread was started (the interval was positive).
  bool running() const { return thread_.joinable(); }

 private:
  void run(std::stop_token stop);

  std::chrono::milliseconds interval_;
  Round prune_once_;
  PrunerOptions options_;
  std::mutex mutex_;
  std::condition_variable_any wakeup_;
  std::jthread thread_;  // last: started once everything it uses exists
};

}  // namespace cortado::detail
