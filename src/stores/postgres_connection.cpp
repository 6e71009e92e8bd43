// PgConnection: libpq's asynchronous protocol, its socket waited on through the caller's reactor.
#include "postgres_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <poll.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

namespace cortado::stores {
namespace {

using boost::asio::posix::stream_descriptor;

// Notices (and a FATAL that an idle connection receives when the server shuts down) would go
// to stderr by default; the outcome of each statement is reported by its result instead.
void discard_notice(void*, const char*) {}

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

std::string describe_ms(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

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

// A statement in the pipeline, or a caller waiting for a connect under way.
struct PgConnection::Entry {
  Entry(const boost::asio::any_io_executor& executor, std::uint64_t sent_on)
      : timer(executor, boost::asio::steady_timer::time_point::max()), generation(sent_on) {}
  boost::asio::steady_timer timer;  // never expires: cancelled to wake the coroutine waiting on it
  std::uint64_t generation;         // the connection it was sent on
};

// Keeps a statement's place honest: should its coroutine end (be destroyed, or cancelled) before
// it took its reply, nobody would read that reply and every later one would go to the wrong
// statement, so the connection is given up and the statements behind it sent again.
struct PgConnection::Ticket {
  PgConnection* connection;
  std::shared_ptr<Entry> entry;
  bool settled = false;
  ~Ticket() {
    if (!settled && !connection->shut_down_ && entry->generation == connection->generation_) {
      connection->drop("a statement was abandoned", true);
    }
  }
};

// When one wait (a statement's reply, a connect) must be over. Each wait has its own, checked by
// a timer of its own, so that nothing another statement does (start a connect, finish a read)
// can lift or move it: libpq ignores connect_timeout in PQconnectPoll, and a host that drops
// packets would otherwise hold a connect for as long as the kernel retries its SYN.
struct PgConnection::Deadline {
  std::chrono::steady_clock::time_point at;
  std::chrono::milliseconds limit;  // what the message names

  static Deadline after(std::chrono::milliseconds limit) {
    using clock = std::chrono::steady_clock;
    // Zero or less: no limit.
    return {limit > std::chrono::milliseconds::zero() ? clock::now() + limit : clock::time_point::max(), limit};
  }
  bool passed() const { return std::chrono::steady_clock::now() >= at; }
  std::string reason() const { return "timed out after " + describe_ms(limit); }
};

// What became of one statement: its result, or why there is none.
struct PgConnection::Reply {
  PgResult result;
  std::optional<std::string> failure;  // the connection was lost or stuck: no result
  bool retryable = false;              // whether sending it again on a new connection may help
};

PgConnection::PgConnection(const boost::asio::any_io_executor& executor, std::shared_ptr<const PgSettings> settings)
    : executor_(executor), settings_(std::move(settings)) {}

PgConnection::~PgConnection() {
  detach_socket();
  conn_.reset();
}

void PgConnection::fail(const char* what, const std::string& reason) {
  throw std::runtime_error(std::string("postgres store: ") + what + ": " + reason);
}

Task<PgResult> PgConnection::query(const char* what, std::string sql, std::vector<std::string> params) {
  const auto self = shared_from_this();  // alive until the end even if the service lets it go
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& param : params) values.push_back(param.c_str());
  for (int attempt = 0;; ++attempt) {
    co_await ensure_connected(what);
    PGconn* const conn = conn_.get();
    // No parameter types: the server infers them, as it does for node-postgres's untyped parameters.
    if (PQsendQueryParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr,
                          0) == 0 ||
        PQpipelineSync(conn) == 0) {
      const bool connection_fine = PQstatus(conn) == CONNECTION_OK;
      std::string reason = pg_first_line(PQerrorMessage(conn));
      drop(reason, true);  // half a message may be in the buffer: the connection cannot be trusted
      if (connection_fine || attempt > 0) fail(what, reason);
      continue;
    }
    auto entry = std::make_shared<Entry>(executor_, generation_);
    in_flight_.push_back(entry);
    PQflush(conn);  // out now if the socket takes it; the reader flushes whatever remains
    Reply reply = co_await take_reply(std::move(entry));
    if (!reply.failure) {
      const ExecStatusType status = PQresultStatus(reply.result.get());
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(what, pg_result_error(reply.result.get()));
      co_return std::move(reply.result);
    }
    // An idle connection may have died with a server restart that is already over, or a statement
    // ahead of this one lost the connection: one more try on a new connection tells that from an
    // outage. Every statement the store sends is idempotent, so running one twice is harmless.
    if (!reply.retryable || attempt > 0) fail(what, *reply.failure);
  }
}

Task<PgConnection::Reply> PgConnection::take_reply(std::shared_ptr<Entry> entry) {
  Ticket ticket{this, entry};
  if (in_flight_.front() != entry) {
    // Woken when the statement ahead has taken its reply, or when the connection went.
    co_await entry->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  Reply reply;
  if (entry->generation == generation_) reply = co_await read_reply();
  if (entry->generation != generation_) {
    // The connection went while this statement waited, or while it read (another statement's
    // send failed): what ended it is this statement's answer too.
    reply.result.reset();
    reply.failure = drop_reason_;
    reply.retryable = drop_retryable_;
  } else if (reply.failure) {
    drop(*reply.failure, reply.retryable);
  } else {
    in_flight_.pop_front();
    if (!in_flight_.empty()) in_flight_.front()->timer.cancel();  // the next statement reads now
  }
  ticket.settled = true;
  co_return reply;
}

Task<PgConnection::Reply> PgConnection::read_reply() {
  PGconn* const conn = conn_.get();
  Reply reply;
  bool results_over = false;  // the statement's results end with a null, then comes its Sync
  const auto lost = [&] {
    reply.failure = pg_first_line(PQerrorMessage(conn));
    // The server said why ("terminating connection due to administrator command").
    if (reply.result && PQresultStatus(reply.result.get()) == PGRES_FATAL_ERROR) reply.failure = pg_result_error(reply.result.get());
    if (reply.failure->empty()) reply.failure = "connection lost";
    reply.retryable = true;
    reply.result.reset();
  };
  const Deadline deadline = Deadline::after(settings_->query_timeout);
  for (;;) {
    // Statements behind this one may still be partly unsent; the server needs them whole.
    const int unsent = PQflush(conn);
    if (unsent < 0 || PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
      lost();
      break;
    }
    bool complete = false;
    while (!complete && !PQisBusy(conn)) {
      PgResult next(PQgetResult(conn));
      if (!results_over) {
        if (!next) {
          results_over = true;
        } else if (!reply.result || (PQresultStatus(next.get()) == PGRES_FATAL_ERROR &&
                                     PQresultStatus(reply.result.get()) != PGRES_FATAL_ERROR)) {
          // One statement gives one result; should more come, an error among them is what counts.
          reply.result = std::move(next);
        }
      } else if (!next) {
        break;  // the Sync's answer has not arrived yet
      } else {
        complete = PQresultStatus(next.get()) == PGRES_PIPELINE_SYNC;
      }
    }
    if (PQstatus(conn) != CONNECTION_OK) {
      lost();
      break;
    }
    if (complete) break;
    const std::uint64_t generation = generation_;
    std::optional<std::string> stuck =
        co_await wait(boost::asio::posix::stream_descriptor::wait_read, deadline, unsent == 1);
    if (generation_ != generation) break;  // dropped meanwhile, `conn` is gone: the caller reports why
    if (stuck) {
      // A statement is half way through the protocol: the connection cannot be reused, and the
      // statements behind it would wait as long again.
      reply.failure = std::move(stuck);
      reply.retryable = false;
      reply.result.reset();
      break;
    }
  }
  if (!reply.failure && !reply.result) reply.failure = "no result";
  co_return reply;
}

Task<> PgConnection::ensure_connected(const char* what) {
  for (;;) {
    if (shut_down_) fail(what, "the event loop is shutting down");
    if (connecting_) {
      auto waiter = std::make_shared<Entry>(executor_, generation_);
      connect_waiters_.push_back(waiter);
      co_await waiter->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      // The connect this call waited for failed: its reason is this call's too (rather than
      // each waiter trying, and timing out, one after another).
      if (!conn_ && !connecting_ && !connect_failure_.empty()) fail(what, connect_failure_);
      continue;
    }
    if (conn_) {
      if (!in_flight_.empty() || still_open()) co_return;
      drop(pg_first_line(PQerrorMessage(conn_.get())), true);
    }
    connecting_ = true;
    std::optional<std::string> failure = co_await connect();
    connecting_ = false;
    connect_failure_ = failure.value_or("");
    for (const auto& waiter : std::exchange(connect_waiters_, {})) waiter->timer.cancel();
    if (failure) fail(what, *failure);
    co_return;
  }
}

bool PgConnection::still_open() {
  // Reads whatever arrived while idle: a server that went away has closed the socket, and libpq
  // notices it here instead of in the middle of the next statement.
  if (PQconsumeInput(conn_.get()) == 0) return false;
  PQisBusy(conn_.get());  // parses it
  return PQstatus(conn_.get()) == CONNECTION_OK && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

Task<std::optional<std::string>> PgConnection::connect() {
  const ConnectParams params(*settings_);
  conn_.reset(PQconnectStartParams(params.keywords(), params.values(), 1));
  if (!conn_) co_return "out of memory";
  PQsetNoticeProcessor(conn_.get(), discard_notice, nullptr);
  PostgresPollingStatusType state = PQstatus(conn_.get()) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  std::optional<std::string> stuck;
  const Deadline deadline = Deadline::after(settings_->connect_timeout);
  while (state != PGRES_POLLING_OK && state != PGRES_POLLING_FAILED) {
    // libpq may have moved to another socket (the next address, a retry without TLS).
    attach_socket();
    stuck = co_await wait(state == PGRES_POLLING_READING ? stream_descriptor::wait_read : stream_descriptor::wait_write,
                          deadline);
    if (stuck) break;
    state = PQconnectPoll(conn_.get());
  }
  // Non-blocking, or a full socket would block the thread inside libpq; pipelined, so that
  // statements need not wait for the replies to those before them.
  if (state != PGRES_POLLING_OK || PQsetnonblocking(conn_.get(), 1) != 0 || PQenterPipelineMode(conn_.get()) != 1) {
    std::string reason = stuck ? *stuck : pg_first_line(PQerrorMessage(conn_.get()));
    if (reason.empty()) reason = "cannot connect";
    drop(reason, false);
    co_return reason;
  }
  attach_socket();
  co_return std::nullopt;
}

Task<std::optional<std::string>> PgConnection::wait(stream_descriptor::wait_type type, Deadline deadline, bool or_write) {
  using namespace boost::asio::experimental::awaitable_operators;
  using boost::asio::as_tuple;
  using boost::asio::use_awaitable;
  if (deadline.passed()) co_return deadline.reason();
  if (!socket_) co_return "no socket to wait on";
  // Asio's reactor is edge-triggered and async_wait never looks at the descriptor's current
  // state, so readiness that arrived while nobody waited would be missed: ask the kernel first.
  const short events = static_cast<short>((type == stream_descriptor::wait_read ? POLLIN : POLLOUT) | (or_write ? POLLOUT : 0));
  pollfd fd{socket_->native_handle(), events, 0};
  if (::poll(&fd, 1, 0) > 0) co_return std::nullopt;
  boost::asio::steady_timer timer(executor_, deadline.at);
  boost::system::error_code error;
  bool expired = false;
  const auto first_error = [](const auto& result) {
    return std::visit([](const auto& r) { return std::get<0>(r); }, result);
  };
  if (or_write) {
    // Both ways: the server may be blocked sending replies until this side reads them.
    auto first = co_await (socket_->async_wait(type, as_tuple(use_awaitable)) ||
                           socket_->async_wait(stream_descriptor::wait_write, as_tuple(use_awaitable)) ||
                           timer.async_wait(as_tuple(use_awaitable)));
    expired = first.index() == 2;
    error = first_error(first);
  } else {
    auto first =
        co_await (socket_->async_wait(type, as_tuple(use_awaitable)) || timer.async_wait(as_tuple(use_awaitable)));
    expired = first.index() == 1;
    error = first_error(first);
  }
  if (expired && !error) co_return deadline.reason();
  if (error) co_return error == boost::asio::error::operation_aborted ? "cancelled" : error.message();
  co_return std::nullopt;
}

void PgConnection::attach_socket() {
  detach_socket();
  const int fd = PQsocket(conn_.get());
  if (fd < 0) return;
  socket_.emplace(executor_);
  boost::system::error_code error;
  socket_->assign(fd, error);
  if (error) socket_.reset();
}

void PgConnection::detach_socket() {
  if (!socket_) return;
  // release(), not close(): the descriptor is libpq's and PQfinish closes it.
  socket_->release();
  socket_.reset();
}

void PgConnection::drop(std::string reason, bool retryable) {
  detach_socket();
  conn_.reset();
  ++generation_;
  drop_reason_ = std::move(reason);
  drop_retryable_ = retryable;
  // Every statement still waiting lost its reply with the connection.
  for (const auto& entry : std::exchange(in_flight_, {})) entry->timer.cancel();
}

void PgConnection::shutdown() {
  shut_down_ = true;
  detach_socket();
  conn_.reset();
  in_flight_.clear();
  connect_waiters_.clear();
}

}  // namespace cortado::stores
