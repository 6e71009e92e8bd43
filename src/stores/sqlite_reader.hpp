#pragma once
// SqliteReader: a reader thread on which the session reads queued together share one read
// transaction.

#include "sqlite_worker.hpp"

#include <boost/asio/post.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace cortado::stores {

/// A read in a transaction of its own takes the database file's shared lock and drops it again,
/// which on Linux is up to four `fcntl` calls (2.1 per W1s request), and starts a snapshot of the
/// WAL. The reader wakes up for a whole round of requests (SqliteWorker), so the reads queued by
/// then run in one transaction instead, ended once the reader has run what was queued with them.
///
/// Why a read may share a snapshot that began before it ran: only a read queued before the
/// snapshot began joins it. What its request may depend on (a write acknowledged to the client
/// before the client sent the request) was committed before the read was queued, so the snapshot
/// has it. A read queued later starts a new snapshot.
class SqliteReader {
 public:
  SqliteReader(const std::string& path, const SqliteConnectionOptions& options) : worker_(path, options) {}

  /// Where to post the reads.
  boost::asio::io_context::executor_type executor() { return worker_.executor(); }

  /// Numbers a session read about to be posted: its ticket for get(). Any thread.
  std::uint64_t queue() { return queued_.fetch_add(1, std::memory_order_seq_cst) + 1; }

  /// The stored text of a live session, in the open transaction if `ticket` may join it. Only on
  /// the reader's thread.
  std::optional<std::string> get(const std::string& sid, std::int64_t now_ms, std::uint64_t ticket) {
    if (open_ && ticket > covers_) end();
    if (!open_) begin();
    try {
      return worker_.connection().get(sid, now_ms);
    } catch (...) {
      end();
      throw;
    }
  }

  /// Whether earlier reads' transaction is still open. Only on the reader's thread.
  bool sharing() const { return open_; }

  /// The connection with no transaction of earlier reads open, for any other statement (which
  /// must see the latest). Only on the reader's thread.
  SqliteConnection& fresh_connection() {
    end();
    return worker_.connection();
  }

 private:
  void begin() {
    // Read before the snapshot begins (at the transaction's first SELECT): every read numbered
    // up to here was queued before it.
    covers_ = queued_.load(std::memory_order_seq_cst);
    // A transaction that cannot begin leaves the reads to run one by one, each in its own.
    if (!worker_.connection().begin_read().empty()) return;
    open_ = true;
    // Queued behind every read posted so far: the transaction ends once they have run.
    boost::asio::post(worker_.executor(), [this, generation = ++generation_] {
      if (generation == generation_) end();
    });
  }

  void end() {
    if (!open_) return;
    open_ = false;
    // A read transaction has nothing to lose: a failed COMMIT is rolled back.
    if (!worker_.connection().commit().empty()) worker_.connection().rollback();
  }

  std::atomic<std::uint64_t> queued_{0};
  // These belong to the reader's thread.
  bool open_ = false;
  std::uint64_t covers_ = 0;      // the last ticket queued before the open snapshot began
  std::uint64_t generation_ = 0;  // of the open transaction, so that a stale end leaves a newer one
  // Last: destroyed first, running what is posted to it (an end) while the members above exist.
  SqliteWorker worker_;
};

}  // namespace cortado::stores
