#pragma once
// SqliteWorker: one thread with its own SQLite connection, running what is posted to it in turn.

#include "sqlite_connection.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

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
        thread_([this] { context_.run(); }) {}

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
  SqliteConnection connection_;
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace cortado::stores
