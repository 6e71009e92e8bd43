#pragma once
// PgConnection: one libpq connection driven by the caller's event loop (libpq's asynchronous
// API, waits on its socket through Asio).

#include "cortado/core/task.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cortado::stores {

/// Frees a PGresult.
struct PgResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
/// A statement's result, owned.
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

/// Closes a PGconn.
struct PgConnDeleter {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
/// A libpq connection, owned.
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;

/// Where and how long: shared, read-only, by every connection of one store.
struct PgSettings {
  /// What the user gave stores::postgres(): a URL, key=value pairs, or empty.
  std::string conninfo;
  /// Longest time making a connection (TCP, TLS, authentication) may take.
  std::chrono::milliseconds connect_timeout{3000};
  /// Longest wait for one statement's answer.
  std::chrono::milliseconds query_timeout{5000};
};

/// The first line of a libpq message without its trailing spaces ("" for null).
std::string pg_first_line(const char* message);

/// A result's error as one line: the server's primary message when there is one.
std::string pg_result_error(const PGresult* result);

/// Connects with blocking libpq (for stores::postgres() itself, never on an I/O thread); throws
/// std::runtime_error("postgres store: cannot connect: <reason>").
PgConnPtr pg_connect_blocking(const PgSettings& settings);

/// One connection on one event loop, connected on demand and pipelined: each statement is sent
/// as soon as it is asked for (libpq's pipeline mode, one Sync per statement so that an error
/// only fails its own), and replies are read in order by the caller whose reply is next. A lost
/// connection is remade by the next statement. Only the thread running the io_context may use
/// it (cortado runs one thread per io_context).
class PgConnection : public std::enable_shared_from_this<PgConnection> {
 public:
  /// Does not connect yet: the first query does.
  PgConnection(const boost::asio::any_io_executor& executor, std::shared_ptr<const PgSettings> settings);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  /// Runs `sql` with text parameters (their types inferred by the server, as node-postgres sends
  /// them) and returns the result; throws std::runtime_error("postgres store: <what>: <reason>")
  /// on an SQL error, an unreachable server or a timeout. `what` must outlive the call.
  Task<PgResult> query(const char* what, std::string sql, std::vector<std::string> params);

  /// Closes the connection for good and wakes nobody: the io_context is shutting down.
  void shutdown();

 private:
  struct Entry;
  struct Ticket;
  struct Reply;
  struct Deadline;

  Task<> ensure_connected(const char* what);
  Task<std::optional<std::string>> connect();
  bool still_open();
  Task<Reply> take_reply(std::shared_ptr<Entry> entry);
  Task<Reply> read_reply();
  // nullopt when the socket is ready (for reading, or for either when `or_write`) before
  // `deadline`; why not otherwise.
  Task<std::optional<std::string>> wait(boost::asio::posix::stream_descriptor::wait_type type, Deadline deadline,
                                        bool or_write = false);
  void attach_socket();
  void detach_socket();
  // Closes the connection; the statements sent on it learn `reason` and whether to try again.
  void drop(std::string reason, bool retryable);
  [[noreturn]] void fail(const char* what, const std::string& reason);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<const PgSettings> settings_;
  PgConnPtr conn_;
  // libpq owns the socket; this only registers it with the reactor, and is released, never closed.
  std::optional<boost::asio::posix::stream_descriptor> socket_;
  std::uint64_t generation_ = 0;  // bumped by every drop: a statement sent before it has lost its reply
  std::string drop_reason_;
  bool drop_retryable_ = false;
  bool connecting_ = false;
  std::string connect_failure_;
  std::deque<std::shared_ptr<Entry>> in_flight_;       // sent, reply not yet taken; the front reads
  std::deque<std::shared_ptr<Entry>> connect_waiters_;  // arrived while a connect was under way
  bool shut_down_ = false;
};

}  // namespace cortado::stores
