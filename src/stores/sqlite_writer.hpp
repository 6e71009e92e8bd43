#pragma once
// SqliteWriter: the store's one writing thread. Writes that queue up while it is busy go into the
// next transaction together, and each caller resumes once the transaction holding its write has
// committed: the promise of a write per transaction, at the cost of one commit per batch.

#include "cortado/core/off_thread.hpp"
#include "cortado/core/task.hpp"
#include "sqlite_batch.hpp"
#include "sqlite_worker.hpp"
#include "sqlite_write.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace cortado::stores {

class SqliteWriter {
 public:
  /// The most writes one transaction holds: it bounds how long a batch keeps the file's write
  /// lock from other processes, and how long the first write of a batch waits for the last.
  static constexpr std::size_t default_batch_limit = 256;

  /// Opens the writer's connection on the caller's thread (an unusable file throws here).
  SqliteWriter(const std::string& path, const SqliteConnectionOptions& options,
               std::size_t batch_limit = default_batch_limit);
  /// Commits what is queued, then stops the thread.
  ~SqliteWriter() = default;
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  /// Queues `write` behind the writes already queued, so that two writes of one session commit
  /// in the order they were given, and resumes on the caller's executor once the transaction
  /// holding it has committed; throws (there too) the one-line reason when it did not. As with
  /// off_thread, the caller's event loop, when destroyed, waits for its writes being run and
  /// starts none of those still queued.
  Task<> write(SqliteWrite write);

  /// write() for a thread that runs no event loop (the pruner's): blocks until it has committed.
  void write_and_wait(SqliteWrite write);

  /// The writer's thread and connection, which also serve reads when the store has no other.
  SqliteWorker& worker() { return worker_; }

  /// How many batches have been run (each one transaction): for tests and measurements.
  std::size_t batches() const { return batches_.load(std::memory_order_relaxed); }
  /// How many checkpoints the checkpointing thread has run: for tests and measurements.
  std::size_t checkpoints() const { return checkpoints_.load(std::memory_order_relaxed); }

  /// WAL pages after which a commit hands a checkpoint to the checkpointing thread (SQLite's
  /// automatic checkpoint starts at as many).
  static constexpr int checkpoint_pages = 1000;
  /// SQLite starts the WAL again from its beginning (rather than growing it) only in a
  /// transaction that finds all of it copied, which a checkpoint running beside the writer never
  /// leaves, since the writer commits meanwhile. So past this many pages the writer copies the
  /// rest itself after its commit, as SQLite's own checkpoint would, but with most pages
  /// already copied and flushed by the checkpointing thread (waiting for a round under way to
  /// end first). It keeps the WAL near 64 MiB. The writer's copy holds up every write for two
  /// fsyncs at least, so the rarer the better: at 4000 pages (16 MiB), W3s waited on it often
  /// enough to set its 90th percentile (6.1-7.7 ms against 4.1-5.3, p99 18-23 ms against 13-16).
  static constexpr int restart_pages = 16 * checkpoint_pages;

 private:
  // A suspended write() call. Its entry and its count of calls away live in the caller's
  // coroutine frame, which stays put until `resume` runs; `resume` owns the coroutine.
  struct Waiting {
    SqliteBatchEntry* entry;
    detail::AwayCall* away;
    boost::asio::any_io_executor caller;
    boost::asio::any_completion_handler<void()> resume;
  };

  void enqueue(Waiting waiting);
  // On the worker's thread: commits one batch of what is queued and resumes its callers.
  void drain();
  void take_batch();
  void commit_batch_taken();
  static void resume(Waiting waiting);
  // On the writer's thread, after each commit: starts a checkpoint where one is due.
  void wal_grew(int wal_pages);

  const std::size_t batch_limit_;
  std::mutex mutex_;
  std::deque<Waiting> queue_;   // under mutex_
  bool draining_ = false;       // under mutex_: a drain() is posted or running
  std::vector<Waiting> batch_;  // drain()'s, reused
  std::vector<SqliteBatchEntry*> entries_;
  std::atomic<std::size_t> batches_{0};
  std::atomic<std::size_t> checkpoints_{0};
  int last_wal_pages_ = 0;                   // the writer's thread's: the WAL's length at the last commit
  int next_checkpoint_pages_ = checkpoint_pages;  // and the length at which to start the next round
  std::mutex checkpoint_mutex_;  // held by a checkpoint, the writer's or the checkpointing thread's
  std::atomic<bool> checkpointing_{false};  // a checkpoint is posted to checkpointer_ or running
  // Its own thread and connection copy the WAL into the database, fsyncs included, while the
  // writer goes on committing (WAL allows both at once): run in the writer's COMMIT, as SQLite
  // does by default, they held up every write queued meanwhile for milliseconds. Declared before
  // worker_, so that it outlives the writer's thread, which posts to it.
  SqliteWorker checkpointer_;
  SqliteWorker worker_;  // last: its thread, which runs drain(), is joined before the queue goes
};

}  // namespace cortado::stores
