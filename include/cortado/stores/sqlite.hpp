#pragma once
/// SQLite store: sessions in a file, in connect-sqlite3's table, shareable between processes.

#include "cortado/session/store.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace cortado::stores {

/// How a SQLite store names its table, waits for locks and keeps itself clean.
struct SqliteOptions {
  /// The table (connect-sqlite3's default name); letters, digits and '_' only.
  std::string table = "sessions";
  /// How often expired rows are deleted (once at start too); zero turns pruning off.
  std::chrono::milliseconds prune_interval = std::chrono::minutes(15);
  /// How long a statement waits while another connection or process holds the write lock.
  std::chrono::milliseconds busy_timeout = std::chrono::seconds(5);
  /// Threads, each with its own connection; statements never run on the caller's thread. One
  /// writes: the writes (set, touch, destroy) that arrive while it is busy go into its next
  /// transaction together, up to 256, and each caller resumes once that transaction has
  /// committed. The others read, which WAL lets them do while it writes (the reads that queued
  /// up meanwhile share one read transaction, never one older than a read's request); with 1,
  /// the writer does both. One more thread, always, copies the WAL into the database (SQLite's
  /// checkpoint, fsyncs included) while the writer goes on committing; the WAL file grows to
  /// about 64 MiB before it starts again from its beginning. All of them run as batch threads
  /// (SCHED_BATCH on Linux): they never preempt the event loop that woke them, and run what
  /// queued up once it waits, or at the end of its time slice.
  std::size_t threads = 2;
};

/// Opens (creating when missing) the SQLite file at `path` in WAL mode as a session store laid
/// out as connect-sqlite3 does (`sid`, `expired` in epoch ms, `sess` as JSON.stringify's text),
/// so that Node and cortado processes can share one file. Throws std::runtime_error at once
/// when the file cannot be opened for writing.
std::shared_ptr<Store> sqlite(std::string path, SqliteOptions options = {});

}  // namespace cortado::stores
