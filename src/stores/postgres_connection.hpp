#pragma once
// PgConnection: one pipelined libpq connection on one io_context, and libpq's helpers.

#include "pipelined_connection.hpp"

#include "cortado/core/task.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
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
  /// Longest wait for the server's next answer while statements are due.
  std::chrono::milliseconds command_timeout{5000};
  /// Each statement's SQL prepared once per connection (PostgresOptions::prepare_statements).
  bool prepare_statements = true;
};

/// The first line of a libpq message without its trailing spaces ("" for null).
std::string pg_first_line(const char* message);

/// A result's error as one line: the server's primary message when there is one.
std::string pg_result_error(const PGresult* result);

/// Connects with blocking libpq (for stores::postgres() itself, never on an I/O thread); throws
/// std::runtime_error("postgres store: cannot connect: <reason>").
PgConnPtr pg_connect_blocking(const PgSettings& settings);

/// One statement and its text parameters.
struct PgStatement {
  std::string sql;
  std::vector<std::string> params;
};

/// One pipelined connection to PostgreSQL (see PipelinedConnection) in libpq's pipeline mode,
/// with one Sync per statement so that an error only fails its own. libpq owns the socket; its
/// readiness is waited for through Asio.
class PgConnection final : public PipelinedConnection<PgConnection, PgStatement, PgResult> {
 public:
  /// Nothing happens until the first statement.
  PgConnection(const boost::asio::any_io_executor& executor, std::shared_ptr<const PgSettings> settings);
  ~PgConnection() override;

  /// Runs `sql` with text parameters (their types inferred by the server, as node-postgres sends
  /// them) and returns the result; throws std::runtime_error("postgres store: <what>: <reason>")
  /// on an SQL error, an unreachable server or a timeout. `what` must outlive the call.
  Task<PgResult> execute(const char* what, std::string sql, std::vector<std::string> params);

 private:
  void add_unsent(PgStatement statement) override { unsent_.push_back(std::move(statement)); }
  void forget_unsent() override { unsent_.clear(); }
  bool idle_socket_alive() override;
  Task<> connect(std::uint64_t generation) override;
  Task<std::optional<std::string>> wait_ready(boost::asio::posix::stream_descriptor::wait_type type);
  void flush() override;
  bool write_statement(const PgStatement& statement);
  void read_more() override;
  bool take_replies();
  bool take_oldest();
  struct InFlight;
  void forget_if_unusable(const InFlight& sent);
  void lost();
  short ready_now(short events);
  void wait_socket(bool or_write);
  void on_ready(std::uint64_t generation, std::uint64_t round, bool readable, boost::system::error_code ec);
  void forget_waits();
  bool attach_socket();
  void detach_socket();
  void close_socket() override;
  std::string stuck_reason(std::chrono::milliseconds limit) const override;

  std::shared_ptr<const PgSettings> settings_;
  // Everything below is touched on executor_ only.
  PgConnPtr conn_;
  // libpq owns the socket; this only registers it with the reactor, and is released, never closed.
  std::optional<boost::asio::posix::stream_descriptor> socket_;
  std::deque<PgStatement> unsent_;  // statements not yet handed to libpq
  // What each statement sent and not yet answered was run as, oldest first.
  struct InFlight {
    std::string name;            // its prepared statement's, or empty: sent unnamed
    bool prepared_here = false;  // its Prepare went in the same Sync, before it
  };
  std::deque<InFlight> in_flight_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> its prepared statement's name
  std::uint64_t statements_named_ = 0;                     // never reused: a failed Prepare may have left its name
  PgResult result_;                 // the oldest statement's result so far
  bool results_over_ = false;       // its results ended (with a null): its Sync's answer comes next
  std::uint64_t round_ = 0;         // bumped by every new wait on the socket: older waits are ignored
  bool first_round_ = false;        // read_more() after statements sent to an idle connection: wait only
};

}  // namespace cortado::stores
