// commit_batch: one transaction for the writes that queued up, failures kept to their own writes.
#include "sqlite_batch.hpp"

#include <stdexcept>
#include <string>

namespace cortado::stores {
namespace {

std::exception_ptr failure(const SqliteWrite& write, const char* when, const std::string& reason) {
  return std::make_exception_ptr(
      std::runtime_error("sqlite store: " + std::string(write_name(write.kind)) + " failed" + when + ": " + reason));
}

// A write for a caller whose event loop is going away is not started: its outcome would reach
// no one, and the loop's destructor is waiting for it.
bool skipped(SqliteBatchEntry& entry) {
  if (entry.caller == nullptr || !entry.caller->abandoned()) return false;
  entry.error = std::make_exception_ptr(std::runtime_error(
      "sqlite store: " + std::string(write_name(entry.write.kind)) + " not run: the caller's event loop is being destroyed"));
  return true;
}

// Outside a transaction: the statement is a transaction of its own.
void run_alone(SqliteConnection& connection, SqliteBatchEntry& entry, std::int64_t now_ms) {
  entry.error = nullptr;
  if (skipped(entry)) return;
  try {
    connection.apply(entry.write, now_ms);
  } catch (...) {
    entry.error = std::current_exception();
  }
}

// Inside the open transaction. False when a failure made SQLite roll the transaction back: the
// writes that had run are undone with it.
bool run_together(SqliteConnection& connection, std::span<SqliteBatchEntry* const> batch, std::int64_t now_ms) {
  for (SqliteBatchEntry* entry : batch) {
    if (skipped(*entry)) continue;
    try {
      connection.apply(entry->write, now_ms);
    } catch (...) {
      entry->error = std::current_exception();
      if (!connection.in_transaction()) return false;
    }
  }
  return true;
}

}  // namespace

void commit_batch(SqliteConnection& connection, std::span<SqliteBatchEntry* const> batch, std::int64_t now_ms) {
  if (batch.size() == 1) return run_alone(connection, *batch.front(), now_ms);
  if (const std::string reason = connection.begin(); !reason.empty()) {
    connection.rollback();  // in case SQLite left one open
    for (SqliteBatchEntry* entry : batch) entry->error = failure(entry->write, "", reason);
    return;
  }
  if (!run_together(connection, batch, now_ms)) {
    for (SqliteBatchEntry* entry : batch) run_alone(connection, *entry, now_ms);
    return;
  }
  if (const std::string reason = connection.commit(); !reason.empty()) {
    connection.rollback();
    for (SqliteBatchEntry* entry : batch) {
      if (!entry->error) entry->error = failure(entry->write, " at commit", reason);
    }
  }
}

}  // namespace cortado::stores
