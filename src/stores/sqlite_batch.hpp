#pragma once
// commit_batch: writes that queued up meanwhile, committed in one transaction, each told how it ended.

#include "cortado/core/off_thread.hpp"
#include "sqlite_connection.hpp"
#include "sqlite_write.hpp"

#include <cstdint>
#include <exception>
#include <span>

namespace cortado::stores {

/// A write in a batch: what to run, for whom, and how it ended.
struct SqliteBatchEntry {
  SqliteWrite write;
  /// The calls away of the caller's event loop (null: none to ask). A write whose loop is being
  /// destroyed is not started, as off_thread starts no work for it: nobody waits for its outcome.
  const detail::OffThreadCalls* caller = nullptr;
  /// Set by commit_batch: null once the write has committed, else why not (one line).
  std::exception_ptr error;
};

/// Runs `batch`'s writes in order in one transaction (BEGIN IMMEDIATE ... COMMIT) on `connection`
/// and sets each entry's error. One transaction for many writes is the point: a commit costs far
/// more than a statement. Failures stay with the writes they belong to where SQLite allows:
/// - BEGIN fails (another process holds the file past busy_timeout): every write fails with that reason;
/// - a statement fails: SQLite undoes that statement only, so only that write fails and the others go on;
/// - a failure after which SQLite rolled the whole transaction back (a full disk, an I/O error):
///   the writes are run again one per transaction, as before batching, each with its own outcome;
/// - COMMIT fails: every write that had run fails with that reason, "... failed at commit: ...".
/// A batch of one runs as a statement of its own: the same outcome, with two statements fewer.
void commit_batch(SqliteConnection& connection, std::span<SqliteBatchEntry* const> batch, std::int64_t now_ms);

}  // namespace cortado::stores
