// PgConnection: libpq's pipeline mode, its socket waited on through Asio.
#include "postgres_connection.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <poll.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace cortado::stores {
namespace {

using boost::asio::posix::stream_descriptor;

// Notices (and a FATAL that an idle connection receives when the server shuts down) would go
// to stderr by default; the outcome of each statement is reported by its result instead.
void discard_notice(void*, const char*) {}

[[noreturn]] void fail(const char* what, const std::string& reason) {
  throw std::runtime_error(std::string("postgres store: ") + what + ": " + reason);
}

// cortado's connection defaults, then the user's conninfo. libpq expands a dbname that looks
// like a connection string or URL, and a repeated keyword takes its last value, so anything the
// user wrote wins over these defaults.
class ConnectParams {
 public:
  explicit ConnectParams(const PgSettings& settings) {
    using namespace std::chrono;
    // libpq counts whole seconds, treats less than 2 as 2, and 0 as no limit.
    const auto limit = settings.connect_timeout;
    timeout_ = limit > 0ms ? std::to_string(std::max<long long>(2, duration_cast<seconds>(limit + 999ms).count())) : "0";
    add("connect_timeout", timeout_.c_str());
    // node-postgres always asks for UTF8, so the JSON text crosses unconverted whatever the database's encoding.
    add("client_encoding", "UTF8");
    add("fallback_application_name", "cortado");
    add("dbname", settings.conninfo.c_str());
    add(nullptr, nullptr);
  }
  ConnectParams(const ConnectParams&) = delete;
  ConnectParams& operator=(const ConnectParams&) = delete;

  const char* const* keywords() const { return keywords_.data(); }
  const char* const* values() const { return values_.data(); }

 private:
  void add(const char* keyword, const char* value) {
    keywords_.push_back(keyword);
    values_.push_back(value);
  }

  std::string timeout_;
  std::vector<const char*> keywords_;
  std::vector<const char*> values_;
};

}  // namespace

std::string pg_first_line(const char* message) {
  if (message == nullptr) return {};
  std::string_view text(message);
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

std::string pg_result_error(const PGresult* result) {
  if (result == nullptr) return "no result";
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string line = pg_first_line(primary != nullptr && *primary != '\0' ? primary : PQresultErrorMessage(result));
  return line.empty() ? std::string(PQresStatus(PQresultStatus(result))) : line;
}

PgConnPtr pg_connect_blocking(const PgSettings& settings) {
  const ConnectParams params(settings);
  PgConnPtr conn(PQconnectdbParams(params.keywords(), params.values(), 1));
  if (!conn) throw std::runtime_error("postgres store: cannot connect: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("postgres store: cannot connect: " + pg_first_line(PQerrorMessage(conn.get())));
  }
  PQsetNoticeProcessor(conn.get(), discard_notice, nullptr);
  return conn;
}

PgConnection::PgConnection(const boost::asio::any_io_executor& executor, std::shared_ptr<const PgSettings> settings)
    : PipelinedConnection(executor, "postgres", settings->connect_timeout, settings->command_timeout),
      settings_(std::move(settings)) {}

PgConnection::~PgConnection() { close_socket(); }

Task<PgResult> PgConnection::execute(const char* what, std::string sql, std::vector<std::string> params) {
  const PgStatement statement{std::move(sql), std::move(params)};
  for (int attempt = 0;; ++attempt) {
    try {
      Outcome<PgResult> sent = co_await submit(statement);
      PgResult result = std::move(sent).take();
      const ExecStatusType status = PQresultStatus(result.get());
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(what, pg_result_error(result.get()));
      co_return result;
    } catch (const ConnectionDropped& dropped) {
      // An idle connection may have died with a server restart that is already over, or a
      // statement ahead of this one lost the connection: one more try on a new connection tells
      // that from an outage. Every statement the store sends is idempotent, so running one twice
      // is harmless.
      if (!dropped.retryable() || attempt > 0) fail(what, dropped.reason());
    }
  }
}

bool PgConnection::idle_socket_alive() {
  // Reads whatever arrived while idle: a server that went away has closed the socket, and libpq
  // notices it here instead of in the middle of the next statement.
  if (PQconsumeInput(conn_.get()) == 0) return false;
  PQisBusy(conn_.get());  // parses it
  return PQstatus(conn_.get()) == CONNECTION_OK && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

Task<> PgConnection::connect(std::uint64_t generation) {
  const auto self = shared_from_this();  // the frame keeps the connection alive
  const ConnectParams params(*settings_);
  conn_.reset(PQconnectStartParams(params.keywords(), params.values(), 1));
  if (!conn_) {
    drop("out of memory");
    co_return;
  }
  PQsetNoticeProcessor(conn_.get(), discard_notice, nullptr);
  PostgresPollingStatusType polling =
      PQstatus(conn_.get()) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (polling != PGRES_POLLING_OK && polling != PGRES_POLLING_FAILED) {
    // libpq may have moved to another socket (the next address, a retry without TLS).
    std::optional<std::string> stuck = "no socket to wait on";
    if (attach_socket()) {
      stuck = co_await wait_ready(polling == PGRES_POLLING_READING ? stream_descriptor::wait_read
                                                                 : stream_descriptor::wait_write);
    }
    if (generation != generation_) co_return;  // dropped meanwhile: the watchdog, or a shutdown
    if (stuck) {
      drop(*stuck);
      co_return;
    }
    polling = PQconnectPoll(conn_.get());
  }
  // Non-blocking, or a full socket would block the thread inside libpq; pipelined, so that
  // statements need not wait for the replies to those before them.
  if (polling != PGRES_POLLING_OK || PQsetnonblocking(conn_.get(), 1) != 0 || PQenterPipelineMode(conn_.get()) != 1) {
    const std::string reason = pg_first_line(PQerrorMessage(conn_.get()));
    drop(reason.empty() ? "cannot connect" : reason);
    co_return;
  }
  if (!attach_socket()) {
    drop("no socket to wait on");
    co_return;
  }
  connected();
}

Task<std::optional<std::string>> PgConnection::wait_ready(stream_descriptor::wait_type type) {
  if (ready_now(type == stream_descriptor::wait_read ? POLLIN : POLLOUT) != 0) co_return std::nullopt;
  boost::system::error_code error;
  co_await socket_->async_wait(type, boost::asio::redirect_error(boost::asio::use_awaitable, error));
  if (error) co_return error.message();
  co_return std::nullopt;
}

void PgConnection::flush() {
  for (; !unsent_.empty(); unsent_.pop_front()) {
    if (!write_statement(unsent_.front())) return;  // dropped: the callers know why
  }
  if (!reading()) {
    if (!waiting()) return;
    // Nothing was in flight before these statements, so no reply can be waiting to be read: the
    // first round only waits (a read now would fail with EAGAIN nearly always).
    first_round_ = true;
    return start_reading();
  }
  // Replies are due already, and the read wait under way covers these statements' too: a new
  // round (a read that fails with EAGAIN, a wait re-armed in epoll) only when libpq could not
  // send all of them, so that the wait covers writing the rest.
  const int unsent = PQflush(conn_.get());
  if (unsent < 0) return lost();
  if (unsent == 1) read_more();
}

bool PgConnection::write_statement(const PgStatement& statement) {
  PGconn* const conn = conn_.get();
  std::vector<const char*> values;
  values.reserve(statement.params.size());
  for (const std::string& param : statement.params) values.push_back(param.c_str());
  // No parameter types: the server infers them, as it does for node-postgres's untyped parameters.
  const int count = static_cast<int>(values.size());
  bool sent = false;
  if (!settings_->prepare_statements) {
    sent = PQsendQueryParams(conn, statement.sql.c_str(), count, nullptr, values.data(), nullptr, nullptr, 0) == 1;
    in_flight_.emplace_back();
  } else {
    // A statement's SQL goes to the server once per connection, named, in the same Sync as its
    // first use: the server parses and plans it once, where an unnamed statement is parsed and
    // planned on every call (half of the server's CPU per W1p request, docs/PERFORMANCE.md).
    const auto [named, fresh] = prepared_.try_emplace(statement.sql);
    if (fresh) named->second = "cortado_" + std::to_string(++statements_named_);
    const char* const name = named->second.c_str();
    sent = (!fresh || PQsendPrepare(conn, name, statement.sql.c_str(), count, nullptr) == 1) &&
           PQsendQueryPrepared(conn, name, count, values.data(), nullptr, nullptr, 0) == 1;
    in_flight_.push_back(InFlight{named->second, fresh});
  }
  if (sent && PQpipelineSync(conn) == 1) return true;
  // Half a message may be in the buffer: the connection cannot be trusted. Every statement on it
  // is sent once more on a new one; this one, should it have failed for a reason of its own
  // (the connection still fine), fails there again with that reason.
  drop(pg_first_line(PQerrorMessage(conn)), true);
  return false;
}

void PgConnection::read_more() {
  PGconn* const conn = conn_.get();
  // Statements behind the oldest may still be partly unsent; the server needs them whole.
  const int unsent = PQflush(conn);
  if (unsent < 0) return lost();
  if (!std::exchange(first_round_, false)) {
    if (PQconsumeInput(conn) == 0) return lost();
    if (!take_replies()) return;
  }
  // Both ways while statements are unsent: the server may be blocked sending replies until this
  // side reads them. No look at the socket first: Asio's wait re-arms it in epoll, which reports
  // what has already arrived on the next turn, and a poll() here found nothing nearly every time
  // (one system call per round for nothing).
  wait_socket(unsent == 1);
}

bool PgConnection::take_replies() {
  // Every reply libpq holds whole goes to its caller; false once dropped, or when nothing is due.
  PGconn* const conn = conn_.get();
  while (!PQisBusy(conn)) {
    PgResult next(PQgetResult(conn));
    if (!results_over_) {
      if (!next) {
        results_over_ = true;
      } else if (!result_ || (PQresultStatus(next.get()) == PGRES_FATAL_ERROR &&
                              PQresultStatus(result_.get()) != PGRES_FATAL_ERROR)) {
        // One statement gives one result; should more come, an error among them is what counts.
        result_ = std::move(next);
      }
    } else if (!next) {
      break;  // the Sync's answer has not arrived yet
    } else if (PQresultStatus(next.get()) == PGRES_PIPELINE_SYNC) {
      if (!take_oldest()) return false;
    } else {
      // The statement's own result after its Prepare's: it counts, unless the Prepare failed
      // (the statement then only says it was skipped).
      results_over_ = false;
      if (!result_ || PQresultStatus(result_.get()) != PGRES_FATAL_ERROR) result_ = std::move(next);
    }
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    lost();
    return false;
  }
  return true;
}

bool PgConnection::take_oldest() {
  // The oldest statement's Sync answered: its result goes to its caller.
  if (!result_) {
    drop("no result");
    return false;
  }
  results_over_ = false;
  forget_if_unusable(in_flight_.front());
  in_flight_.pop_front();
  resume_oldest(std::move(result_));
  if (waiting()) return true;
  forget_waits();
  stop_reading();
  return false;
}

void PgConnection::forget_if_unusable(const InFlight& sent) {
  // A failed statement whose Prepare was in its Sync may have left no statement of that name;
  // one the server says does not exist (SQLSTATE 26000: a pooler's DISCARD) is gone; one whose
  // table's columns changed type cannot run its plan any more (0A000, "cached plan must not
  // change result type"). Its SQL is then prepared again, under a new name, at its next use.
  if (sent.name.empty() || PQresultStatus(result_.get()) != PGRES_FATAL_ERROR) return;
  const char* const code = PQresultErrorField(result_.get(), PG_DIAG_SQLSTATE);
  const std::string_view state = code == nullptr ? "" : code;
  if (!sent.prepared_here && state != "26000" && state != "0A000") return;
  std::erase_if(prepared_, [&](const auto& entry) { return entry.second == sent.name; });
}

void PgConnection::lost() {
  std::string reason = pg_first_line(PQerrorMessage(conn_.get()));
  // The server said why ("terminating connection due to administrator command").
  if (result_ && PQresultStatus(result_.get()) == PGRES_FATAL_ERROR) reason = pg_result_error(result_.get());
  if (reason.empty()) reason = "connection lost";
  drop(std::move(reason), true);
}

short PgConnection::ready_now(short events) {
  // A look before every wait: readiness that came while nobody waited is taken at once, without
  // a round through the reactor.
  pollfd fd{socket_->native_handle(), events, 0};
  return ::poll(&fd, 1, 0) > 0 ? fd.revents : 0;
}

void PgConnection::wait_socket(bool or_write) {
  forget_waits();
  const auto handler = [self = shared_from_this(), generation = generation_, round = round_](bool readable) {
    return [self, generation, round, readable](boost::system::error_code ec) {
      self->on_ready(generation, round, readable, ec);
    };
  };
  socket_->async_wait(stream_descriptor::wait_read, handler(true));
  if (or_write) socket_->async_wait(stream_descriptor::wait_write, handler(false));
}

void PgConnection::on_ready(std::uint64_t generation, std::uint64_t round, bool readable,
                            boost::system::error_code ec) {
  if (generation != generation_ || round != round_) return;
  if (ec) return drop(ec.message());
  if (readable) progress();
  read_more();
}

void PgConnection::forget_waits() {
  // A new round: the waits of the one before (flush() starts a round while one waits, and a
  // round may wait both ways) are cancelled, and their completions ignored.
  ++round_;
  boost::system::error_code ignored;
  socket_->cancel(ignored);
}

bool PgConnection::attach_socket() {
  detach_socket();
  const int fd = PQsocket(conn_.get());
  if (fd < 0) return false;
  socket_.emplace(executor_);
  boost::system::error_code error;
  socket_->assign(fd, error);
  if (error) socket_.reset();
  return socket_.has_value();
}

void PgConnection::detach_socket() {
  if (!socket_) return;
  // release(), not close(): the descriptor is libpq's and PQfinish closes it.
  socket_->release();
  socket_.reset();
}

void PgConnection::close_socket() {
  detach_socket();
  conn_.reset();
  prepared_.clear();  // a new connection has none
  in_flight_.clear();
  result_.reset();
  results_over_ = false;
}

std::string PgConnection::stuck_reason(std::chrono::milliseconds limit) const {
  return "timed out after " + milliseconds_text(limit);
}

}  // namespace cortado::stores
