// SqliteWriter: a queue in front of one worker; each drain() is one transaction for what queued up.
#include "sqlite_writer.hpp"

#include "cortado/core/clock.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace cortado::stores {

SqliteWriter::SqliteWriter(const std::string& path, const SqliteConnectionOptions& options, std::size_t batch_limit)
    : batch_limit_(std::max<std::size_t>(batch_limit, 1)), checkpointer_(path, options), worker_(path, options) {
  worker_.connection().on_commit([this](int wal_pages) { wal_grew(wal_pages); });
}

namespace {

void report(const std::string& error) {
  // A failed checkpoint leaves the WAL as it was, to be copied at a later round: the writes are safe in it.
  if (!error.empty()) std::fprintf(stderr, "sqlite store: checkpoint failed: %s\n", error.c_str());
}

}  // namespace

void SqliteWriter::wal_grew(int wal_pages) {
  if (wal_pages < last_wal_pages_) next_checkpoint_pages_ = checkpoint_pages;  // the WAL started again
  last_wal_pages_ = wal_pages;
  if (wal_pages >= restart_pages) {
    // Copies what the checkpointing thread has not (the pages committed since its last round
    // began), so that the next transaction starts the WAL again from its beginning. Waits for
    // a round under way first: a round can take long (its fsync of a WAL the writer keeps
    // growing), and without waiting the writer would grow the WAL without bound meanwhile.
    const std::lock_guard lock(checkpoint_mutex_);
    report(worker_.connection().checkpoint().error);
    return;
  }
  if (wal_pages < next_checkpoint_pages_ || checkpointing_.exchange(true, std::memory_order_acq_rel)) return;
  // A round per checkpoint_pages committed, as SQLite's own: pages that every round finds
  // changed again (a busy session's) are not copied and flushed over and over.
  next_checkpoint_pages_ = wal_pages + checkpoint_pages;
  boost::asio::post(checkpointer_.executor(), [this] {
    const std::lock_guard lock(checkpoint_mutex_);
    std::string error = checkpointer_.connection().checkpoint().error;
    // SQLite flushes the database file only in a checkpoint that copied the whole WAL, which one
    // running beside the writer seldom does: flushed here, the pages this round copied do not
    // pile up for the writer's checkpoint to flush.
    if (error.empty()) error = checkpointer_.connection().sync_database();
    report(error);
    checkpoints_.fetch_add(1, std::memory_order_relaxed);
    checkpointing_.store(false, std::memory_order_release);
  });
}

Task<> SqliteWriter::write(SqliteWrite write) {
  const boost::asio::any_io_executor caller = co_await boost::asio::this_coro::executor;
  // Counted as away from the caller's event loop, as off_thread counts its calls (see there why).
  auto& calls = boost::asio::use_service<detail::OffThreadCalls>(
      boost::asio::query(caller, boost::asio::execution::context));
  detail::AwayCall away(&calls);
  SqliteBatchEntry entry{.write = std::move(write), .caller = &calls, .error = nullptr};
  co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void()>(
      [&](auto resume) {
        enqueue(Waiting{.entry = &entry,
                        .away = &away,
                        .caller = caller,
                        .resume = boost::asio::any_completion_handler<void()>(std::move(resume))});
      },
      boost::asio::use_awaitable);
  if (entry.error) std::rethrow_exception(entry.error);
}

void SqliteWriter::write_and_wait(SqliteWrite write) {
  boost::asio::io_context waiting(1);
  auto done = boost::asio::co_spawn(waiting, this->write(std::move(write)), boost::asio::use_future);
  waiting.run();
  done.get();
}

void SqliteWriter::enqueue(Waiting waiting) {
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(waiting));
    if (draining_) return;  // the drain on its way takes this write too, or the one after it
    draining_ = true;
  }
  boost::asio::post(worker_.executor(), [this] { drain(); });
}

void SqliteWriter::drain() {
  take_batch();
  commit_batch_taken();
  for (Waiting& waiting : batch_) resume(std::move(waiting));
  batch_.clear();
  {
    const std::lock_guard lock(mutex_);
    if (queue_.empty()) {
      draining_ = false;
      return;
    }
  }
  // Posted rather than looped: on a store with one thread, reads queued meanwhile go first.
  boost::asio::post(worker_.executor(), [this] { drain(); });
}

void SqliteWriter::take_batch() {
  const std::lock_guard lock(mutex_);
  const std::size_t count = std::min(queue_.size(), batch_limit_);
  for (std::size_t i = 0; i < count; ++i) {
    batch_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void SqliteWriter::commit_batch_taken() {
  entries_.clear();
  for (const Waiting& waiting : batch_) entries_.push_back(waiting.entry);
  try {
    commit_batch(worker_.connection(), entries_, date_now());
  } catch (...) {
    // Only a failed allocation gets here. No caller may be left waiting, and none may hear of
    // success that is not sure: each write without an outcome is told of this failure.
    worker_.connection().rollback();
    for (SqliteBatchEntry* entry : entries_) {
      if (!entry->error) entry->error = std::current_exception();
    }
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
}

// Queues the caller's coroutine on its own executor and only then uncounts the call, as
// off_thread's PostBack does: the coroutine (and with it `away`) may be gone as soon as it is
// queued, and the caller's event loop as soon as the call is uncounted, so nothing of `waiting`
// is left by then.
void SqliteWriter::resume(Waiting waiting) {
  detail::OffThreadCalls* calls = nullptr;
  {
    Waiting done = std::move(waiting);
    calls = done.away->release();
    boost::asio::post(done.caller, [resume = std::move(done.resume)]() mutable { std::move(resume)(); });
  }
  if (calls != nullptr) calls->returned();
}

}  // namespace cortado::stores
