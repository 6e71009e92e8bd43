#pragma once
// SqliteWorker: one thread with its own SQLite connection, running what is posted to it in turn.

#include "sqlite_connection.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <sched.h>

#include <string>
#include <thread>

namespace cortado::stores {

/// Only the worker's thread touches the connection, so it needs no lock. Destroying the worker
/// runs everything already posted to it, then joins the thread.
class SqliteWorker {
 public:
  /// Opens the connection on the caller's thread (so that an unusable file throws here), then starts the thread.
  SqliteWorker(const std::string& path, const SqliteConnectionOptions& options)
      : connection_(path, options),
        work_(boost::asio::make_work_guard(context_)),
        thread_([this] {
          yield_to_event_loops();
          context_.run();
        }) {}

  ~SqliteWorker() {
    // Without the guard, run() returns as soon as the statements already queued have run.
    work_.reset();
    thread_.join();
  }
  SqliteWorker(const SqliteWorker&) = delete;
  SqliteWorker& operator=(const SqliteWorker&) = delete;

  /// Where to post (or off_thread) work that uses the connection.
  boost::asio::io_context::executor_type executor() { return context_.get_executor(); }
  /// The connection; only on the worker's thread.
  SqliteConnection& connection() { return connection_; }

 private:
  // The worker's thread runs as a batch thread (SCHED_BATCH): woken by an event loop's post, it
  // waits for that loop's thread to sleep or use up its time slice instead of taking its core at
  // once. On a core the two share, the wake-up had switched from the loop to the worker and back
  // for every statement (1.5 switches per W1s request, `/proc/<pid>/task/*/status`, some 5 µs
  // of the server's 16 µs); now the worker runs the statements of a whole round of requests in
  // one go (0.07). It keeps its fair share of the core, so it is never starved. Where the call
  // is refused, the thread stays as it was.
  static void yield_to_event_loops() {
#ifdef SCHED_BATCH
    const sched_param no_priority{};
    ::sched_setscheduler(0, SCHED_BATCH, &no_priority);
#endif
  }

  SqliteConnection connection_;
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace cortado::stores
