#include "http/worker.hpp"

#include "cortado/core/metrics.hpp"
#include "cortado/core/status.hpp"
#include "http/coarse_clock.hpp"
#include "http/date_cache.hpp"
#include "http/finish_response.hpp"
#include "http/plain_head.hpp"
#include "http/request_checks.hpp"
#include "http/websocket_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <exception>
#include <iostream>
#include <optional>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <vector>

namespace cortado::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <class Stream>
constexpr bool is_tls = std::is_same_v<Stream, TlsStream>;

namespace {

// Open connections of every server in the process, for metrics (a per-thread cell: no lock).
Gauge open_connections_gauge() {
  static const Gauge gauge =
      metrics_registry().gauge_family("http_open_connections", "HTTP connections open now.").gauge();
  return gauge;
}

// The response is out (or in the batch the connection sends next): the on-finished hooks run.
void run_finished_hooks(const RawResponse& res, Exchange& exchange) {
  for (auto& hook : exchange.on_finished) {
    try {
      hook(res);
    } catch (const std::exception& e) {
      std::cerr << "cortado: on-finished hook failed: " << e.what() << '\n';
    }
  }
  exchange.on_finished.clear();
}

// Keeps the worker's list of connections up to date for the sweeper and for shutdown.
class Registration {
 public:
  /// An uncounted connection (one refused over the cap) is swept but does not hold a place.
  Registration(Worker& w, Connection& c, bool counted = true) : worker_(w), counted_(counted) {
    position_ = worker_.connections.insert(worker_.connections.end(), &c);
    if (counted_) ++worker_.server.open_connections;
    open_connections_gauge().inc();
  }
  ~Registration() {
    worker_.connections.erase(position_);
    if (counted_) --worker_.server.open_connections;
    open_connections_gauge().dec();
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  Worker& worker_;
  bool counted_;
  std::list<Connection*>::iterator position_;
};

// Refusals over the cap answered with a lingering close at one time, per thread; past this a
// flood of connections gets its 503 in one write and an immediate close (it may then see a reset).
constexpr std::size_t max_lingering_refusals = 256;

// The status a client gets when its request could not be read; 0 = just close. `unparsed` is
// what the read buffer holds that the parser could not use yet.
unsigned status_for_read_error(const boost::system::error_code& ec, const Connection& conn, std::string_view unparsed) {
  using error = beast_http::error;
  if (conn.timed_out) return conn.idle ? 0 : 408;
  if (ec == error::header_limit) return 431;
  if (ec == error::body_limit) return 413;
  // Only a chunk-size line or a trailer section can fill the bounded read buffer: the parser
  // takes body bytes out of it as they arrive.
  if (ec == error::buffer_overflow) return status_for_overlong_chunk_text(unparsed);
  if (ec == error::end_of_stream || ec == error::partial_message || ec == asio::error::eof ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
      ec == asio::error::bad_descriptor)
    return 0;
  return 400;  // malformed request line, header, chunk or length
}

// The most a connection's read buffer holds: a head up to the header limit and what one more
// read brings (the head is read 4 KiB at a time). A body passes through it (the parser moves the
// bytes into the body as they arrive), so only a chunk-size line or a trailer section can fill it.
std::size_t read_buffer_limit(const ServerOptions& opt) { return opt.header_limit + 16 * 1024; }

// A complete response for a request the HTTP layer refuses itself; the connection closes after it.
// The body is the app's (ServerOptions::refusal_body) or the status phrase.
std::string refusal(unsigned status, const ServerOptions& options) {
  auto reason = status_text(status);
  if (reason.empty()) reason = "Error";  // every refusal status has a phrase; a guard for new ones
  RefusalBody body;
  if (options.refusal_body) {
    try {
      body = options.refusal_body(status);
    } catch (const std::exception& e) {
      std::cerr << "cortado: refusal_body threw: " << e.what() << '\n';
      body = RefusalBody{};
    }
  }
  if (!options.refusal_body || body.content_type.find_first_of("\r\n") != std::string::npos) {
    body.content_type = "text/plain; charset=utf-8";
    body.body = std::string(reason);
  }
  std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
  out += reason;
  out += "\r\nDate: ";
  out += current_http_date();
  out += "\r\nConnection: close\r\nContent-Type: ";
  out += body.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(body.body.size());
  out += "\r\n\r\n";
  out += body.body;
  return out;
}

// Appends the status line and the header fields, as Beast's serializer would write them, and the
// Date after them unless the handler set one (as Node writes it: after the headers the app set,
// and not among them, so that res.getHeader('date') has none; adding it to the fields cost a
// field's insert and erase per response). The length is summed first and the text written into
// one resize: an append per piece (four per field) cost more than the copying.
void append_head(HeldText& out, const RawResponse& res) {
  static constexpr std::string_view date_name = "Date: ";
  char code[12];
  const auto code_end = std::to_chars(code, code + sizeof code, res.result_int()).ptr;
  const auto reason = res.reason();
  std::size_t size = 9 + static_cast<std::size_t>(code_end - code) + 1 + reason.size() + 2 + 2;
  bool dated = false;
  for (const auto& field : res) {
    size += field.name_string().size() + 2 + field.value().size() + 2;
    dated = dated || field.name() == beast_http::field::date;
  }
  const std::string_view date = dated ? std::string_view() : current_http_date();
  if (!dated) size += date_name.size() + date.size() + 2;
  const std::size_t start = out.size();
  reserve_block(out, start + size);
  out.resize(start + size);
  char* to = out.data() + start;
  auto put = [&to](std::string_view piece) {
    if (piece.empty()) return;  // an empty reason's data() may be null, which memcpy must not see
    std::memcpy(to, piece.data(), piece.size());
    to += piece.size();
  };
  put(res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  put({code, static_cast<std::size_t>(code_end - code)});
  put(" ");
  put({reason.data(), reason.size()});
  put("\r\n");
  for (const auto& field : res) {
    const auto name = field.name_string();
    const auto value = field.value();
    put({name.data(), name.size()});
    put(": ");
    put({value.data(), value.size()});
    put("\r\n");
  }
  if (!dated) {
    put(date_name);
    put(date);
    put("\r\n");
  }
  put("\r\n");
}

// A handler that threw: the error is logged, and the client gets a plain 500 instead of whatever
// the handler had put into the response (or the file it had chosen) before it failed.
void answer_internal_error(const std::exception& e, RawResponse& res, Exchange& exchange) {
  std::cerr << "cortado: unhandled error in request handler: " << e.what() << '\n';
  res = RawResponse{};
  res.result(500);
  res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
  res.body() = "Internal Server Error";
  exchange.file.reset();
}

// A refused body that the handler answered as if it had been read (a success or a redirect): the
// client gets the refusal instead, as the HTTP layer would have sent it.
void answer_unhandled_refusal(RawResponse& res, Exchange& exchange) {
  if (res.result_int() >= 400) return;
  auto reason = status_text(exchange.refused);
  res = RawResponse{};
  res.result(exchange.refused);
  res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::string(reason);
  exchange.file.reset();
}

// What the read buffer holds, as text for the checks.
std::string_view buffered(const ReadBuffer& buffer) {
  return {static_cast<const char*>(buffer.data().data()), buffer.size()};
}

// Each request starts clean: a deadline that passed during the last one is not this one's, and
// the last one's trailers and file are not this one's either.
void begin_request(Connection& conn, Exchange& exchange) {
  conn.idle = true;
  conn.timed_out = false;
  exchange.trailers.clear();
  exchange.file.reset();
  exchange.refused = 0;
  exchange.body = nullptr;
  exchange.upgrader = nullptr;
  exchange.upgraded = false;
}

// RFC 9112 2.2: empty lines before a request line are ignored (old clients send CRLF after a
// body). False when nothing else is buffered: the next request has not begun.
bool skip_empty_lines(ReadBuffer& buffer) {
  while (buffered(buffer).starts_with("\r\n")) buffer.consume(2);
  return buffer.size() != 0;
}

// Where the head in the buffer stands before Beast parses it: folded (refused), ready for the
// parser (whole, or past the header limit, which the parser refuses), or partial.
enum class HeadState { partial, ready, folded };

HeadState head_state(std::string_view text, std::size_t header_limit) {
  const auto scan = scan_head(text);
  if (scan.folded) return HeadState::folded;
  if (scan.complete || text.size() > header_limit) return HeadState::ready;
  return HeadState::partial;
}

// The status to refuse a head with, 0 for none: what its read error, a fold, a version other
// than 1.x or the head checks call for.
unsigned head_status(const boost::system::error_code& head_ec, bool folded, const Connection& conn,
                     std::string_view text, const RawRequest& head) {
  unsigned status = head_ec ? status_for_read_error(head_ec, conn, text) : 0;
  if (folded) status = 400;
  if (head_ec == beast_http::error::bad_version && other_major_version(text)) status = 505;
  if (!head_ec && !status) status = check_head(head);
  return status;
}

// Responses to pipelined requests are held back and sent together while the next request is
// already buffered, up to these bounds (TechEmpower's plaintext test pipelines 16).
constexpr std::size_t max_held_responses = 16;
constexpr std::size_t max_held_bytes = 64 * 1024;

// Empties the held batch once sent; a batch of large responses does not stay attached to a
// connection that may then sit idle.
void forget_held(Connection& conn) {
  if (conn.held.capacity() > max_held_bytes) conn.held = HeldText();
  conn.held.clear();
  conn.held_count = 0;
}

// Appends a whole response (a HEAD's without its body) to the batch held for one write.
void hold_response(HeldText& held, const RawRequest& req, const RawResponse& res) {
  append_head(held, res);
  if (req.method() != beast_http::verb::head) held += res.body();
}

// Whether the buffer holds the whole head of another request, so that its answer can join this
// one's in a single write.
bool next_head_buffered(ReadBuffer& buffer) {
  return skip_empty_lines(buffer) && head_complete(buffered(buffer));
}

// Parses a head that is whole in the buffer without a trip through the event loop (Beast's
// async_read_header would complete through a posted handler even then). need_more when it is not
// whole after all (a head cut off at the header limit): the caller reads on as before.
boost::system::error_code parse_buffered_head(RequestParser& parser, ReadBuffer& buffer) {
  boost::system::error_code ec;
  while (!parser.is_header_done() && buffer.size() > 0) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec || used == 0) break;
  }
  if (!ec && !parser.is_header_done()) ec = beast_http::error::need_more;
  return ec;
}

}  // namespace

std::string Worker::refusal_text(unsigned status) const { return refusal(status, server.options); }

void Worker::start() {
  for (auto& listener : listeners) asio::co_spawn(ioc, accept_loop(listener), asio::detached);
  asio::co_spawn(ioc, sweep_loop(), asio::detached);
}

Task<> Worker::accept_loop(Listener& listener) {
  while (!stopping) {
    auto [ec, socket] = co_await listener.acceptor.async_accept(use_tuple);
    if (stopping) break;
    if (ec) {
      // Out of descriptors or a connection reset before accept: wait a moment, keep serving.
      if (ec != asio::error::connection_aborted) {
        asio::steady_timer pause(ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(use_tuple);
      }
      continue;
    }
    // A TLS connection keeps the certificate it was accepted with, whatever a reload does later.
    std::shared_ptr<ssl::context> tls = listener.tls ? listener.tls->current() : nullptr;
    if (server.open_connections.load(std::memory_order_relaxed) >= server.options.max_connections) {
      // Over the cap: say so rather than leaving the client hanging.
      if (refusals_in_flight < max_lingering_refusals) {
        if (tls)
          asio::co_spawn(ioc, refuse_over_cap<TlsStream>(std::move(socket), std::move(tls)), asio::detached);
        else
          asio::co_spawn(ioc, refuse_over_cap<PlainStream>(std::move(socket), nullptr), asio::detached);
      } else {
        // A flood: no handshake for a TLS client, which then sees the connection close.
        boost::system::error_code ignored;
        if (!tls) {
          auto text = refusal_text(503);
          asio::write(socket, asio::buffer(text), ignored);
        }
        socket.close(ignored);
      }
      continue;
    }
    if (tls)
      asio::co_spawn(ioc, serve<TlsStream>(Connection(std::move(socket)), std::move(tls)), asio::detached);
    else
      asio::co_spawn(ioc, serve<PlainStream>(Connection(std::move(socket)), nullptr), asio::detached);
  }
}

Task<> Worker::sweep_loop() {
  for (;;) {
    sweeper.expires_after(stopping ? std::chrono::milliseconds(20) : std::chrono::milliseconds(250));
    co_await sweeper.async_wait(use_tuple);  // cancelled early by begin_shutdown(): sweep at once
    sweep(Clock::now());
    if (stopping && (connections.empty() || Clock::now() >= grace_deadline)) {
      // Nothing left to finish, or the grace is over (sweep() has cut the connections; a handler
      // still waiting is dropped with the io_context): let run() return even if other work (a
      // store's connection) remains.
      ioc.stop();
      co_return;
    }
  }
}

void Worker::sweep(Clock::time_point now) {
  bool grace_over = stopping && now >= grace_deadline;
  for (Connection* conn : connections) {
    if (conn->watcher && !grace_over && now >= conn->deadline) {
      conn->deadline = Clock::time_point::max();  // the watcher sets the next one
      conn->watcher->deadline_passed();
      continue;
    }
    if (now >= conn->deadline || grace_over) {
      conn->timed_out = true;
      conn->deadline = Clock::time_point::max();
      boost::system::error_code ignored;
      conn->socket.cancel(ignored);
      if (grace_over) conn->socket.close(ignored);
    }
  }
}

void Worker::begin_shutdown() {
  if (stopping) return;
  stopping = true;
  grace_deadline = Clock::now() + server.options.shutdown_grace;
  boost::system::error_code ignored;
  for (auto& listener : listeners) listener.acceptor.close(ignored);
  for (Connection* conn : connections) {
    if (conn->idle) conn->socket.cancel(ignored);
    // RFC 6455 7.4.1: 1001, going away.
    if (conn->websocket) conn->websocket->close_soon(1001, "server shutting down");
  }
  sweeper.cancel();
}

namespace {

// The stream a connection's steps read and write: the socket itself, or a TLS stream over it
// that lives as long as the connection.
template <class Stream>
struct StreamHolder;

template <>
struct StreamHolder<PlainStream> {
  StreamHolder(tcp::socket& socket, ssl::context*) : stream(socket) {}
  tcp::socket& stream;
};

template <>
struct StreamHolder<TlsStream> {
  StreamHolder(tcp::socket& socket, ssl::context* context) : stream(socket, *context) {}
  TlsStream stream;
};

}  // namespace

// How the body flows. Without ServerOptions::stream_body (and for every request it declines),
// read_request reads the whole body into the request's string before the handler runs, as
// before: the keep-alive path is unchanged. A request it accepts (the app: multipart/form-data)
// gets its handler called as soon as the head passes the checks, with this reader in
// Exchange::body; the Beast parser moves along with it, converted to a buffer_body parser that
// writes body bytes straight into the caller's buffer, so memory stays at the connection's read
// buffer however large the body. The limit and timeout start when the first read does, so that a
// middleware can raise them first; what the server answered before stays the same (413 over the
// limit, 400 malformed or cut short, 408 too slow), but as a BodyError the caller turns into an
// error for the app's handlers. A body not read to its end by the time the response is sent
// closes the connection after the response (with the lingering close that drains a little of
// it), rather than draining an upload of unknown size nobody wants.
template <class Stream>
class StreamedBody final : public BodyReader {
 public:
  StreamedBody(Worker& worker, Connection& conn, Stream& stream, ReadBuffer& buffer,
               RequestParser&& head, Exchange& exchange)
      : worker_(worker), conn_(conn), stream_(stream), buffer_(buffer), exchange_(exchange),
        parser_(std::move(head)), limit_(worker.server.options.body_limit),
        timeout_(worker.server.options.body_timeout) {}

  /// The head as the handler sees it (its body stays empty).
  RawRequest head() const { return RawRequest(parser_.get().base()); }

  Task<std::size_t> read_some(std::span<char> out) override {
    if (failed_) throw *failed_;
    if (parser_.is_done() || out.empty()) co_return 0;
    if (!started_) {
      bool ready = co_await start();
      if (!ready) fail(400, "request aborted");
    }
    std::size_t got = 0;
    while (got == 0 && !parser_.is_done()) {
      auto& body = parser_.get().body();
      body.data = out.data();
      body.size = out.size();
      body.more = true;
      conn_.deadline = deadline_;
      auto [ec, n] = co_await beast_http::async_read_some(stream_, buffer_, parser_, use_tuple);
      conn_.deadline = Clock::time_point::max();  // the handler's own awaits have no read deadline
      if (ec == beast_http::error::need_buffer) ec = {};
      got = out.size() - body.size;
      if (ec) {
        unsigned status = status_for_read_error(ec, conn_, buffered(buffer_));
        if (status == 0 || ec == beast_http::error::partial_message) fail(400, "request aborted");
        if (status == 413) fail(413, "request entity too large");
        if (status == 408) fail(408, "request timeout");
        fail(status, "malformed request body");
      }
    }
    received_ += got;
    if (parser_.is_done() && approved_head_) {
      separate_trailers(parser_.get(), std::move(*approved_head_), exchange_.trailers);
      approved_head_.reset();
      if (section_size(exchange_.trailers) > worker_.server.options.header_limit) fail(431, "trailers too large");
    }
    co_return got;
  }

  void limit(std::uint64_t bytes) override { limit_ = bytes; }
  void timeout(std::chrono::milliseconds duration) override { timeout_ = duration; }
  std::uint64_t received() const override { return received_; }
  bool done() const override { return parser_.is_done() && !failed_; }

 private:
  // Before the first byte: the limit by Content-Length, the responses held for a batch, the
  // 100 Continue the client may wait for, the deadline. False when the client went away.
  Task<bool> start() {
    started_ = true;
    auto length = parser_.content_length();
    if (length && *length > limit_) fail(413, "request entity too large");
    parser_.body_limit(limit_);  // what chunks may still bring: all of it
    bool sent = co_await worker_.send_held(conn_, stream_);
    if (!sent) co_return false;
    if (parser_.get()[beast_http::field::expect] == "100-continue") {
      static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
      conn_.deadline = coarse_steady_now() + worker_.server.options.write_timeout;
      auto [write_ec, n] = co_await asio::async_write(stream_, asio::buffer(go_on), use_tuple);
      conn_.deadline = Clock::time_point::max();
      if (write_ec) co_return false;
    }
    if (parser_.chunked()) approved_head_.emplace(static_cast<const Fields&>(parser_.get()));
    deadline_ = coarse_steady_now() + timeout_;
    co_return true;
  }

  [[noreturn]] void fail(unsigned status, const std::string& message) {
    failed_.emplace(status, message);
    throw *failed_;
  }

  Worker& worker_;
  Connection& conn_;
  Stream& stream_;
  ReadBuffer& buffer_;
  Exchange& exchange_;
  StreamParser parser_;
  std::uint64_t limit_;
  std::chrono::milliseconds timeout_;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::uint64_t received_ = 0;
  bool started_ = false;
  std::optional<Fields> approved_head_;
  std::optional<BodyError> failed_;
};

namespace {

// What read_arrived found of the next request.
enum class NextRead { started, nothing, ended };

// Reads what has already arrived of the next request into the empty `buffer`, on a plain stream
// (the socket is non-blocking). When nothing has (or less than a whole read), the watch is armed,
// so that no read has to fail first once this request is answered (read_watch.hpp). A plain
// function rather than a coroutine, and the wait on the watch is serve()'s own: the frame that
// read_next_request took for every request is gone.
NextRead read_arrived(Connection& conn, ReadBuffer& buffer) {
  constexpr std::size_t read_size = 4096;
  boost::system::error_code ec;
  const std::size_t n = conn.socket.read_some(buffer.prepare(read_size), ec);
  if (!ec) {
    buffer.commit(n);
    if (n < read_size) conn.watch.arm(conn.socket);  // less than asked for: the socket is empty now
    return NextRead::started;
  }
  if (ec != asio::error::would_block && ec != asio::error::try_again) return NextRead::ended;
  conn.watch.arm(conn.socket);
  return NextRead::nothing;
}

// Reads the head in the buffer without Beast's parser, which is then never built (see
// plain_head.hpp): true, with `result` set and the head consumed, for most heads; false, with
// nothing consumed, for those the parser must read.
bool read_plain_head(const ServerOptions& options, ReadBuffer& buffer, RawRequest& request, ReadResult& result) {
  const std::size_t used = parse_plain_head(buffered(buffer), options.header_limit, request);
  if (used == 0) return false;
  buffer.consume(used);
  result = ReadResult{{check_head(request), false}};
  return true;
}

// read_request's common case, without its coroutine: the whole head is buffered, unfolded, and
// read_plain_head reads it. False, with nothing consumed, otherwise: read_request reads it then. A
// coroutine's frame is taken even when it never waits, so this spares one per request.
bool read_buffered_request(const ServerOptions& options, ReadBuffer& buffer, RawRequest& request,
                           ReadResult& result) {
  const auto scan = scan_head(buffered(buffer));
  return scan.complete && !scan.folded && read_plain_head(options, buffer, request, result);
}

// Appends the response's head to the responses held back for it and starts the write timeout:
// the pieces to write, the held text and the body (none for HEAD).
std::array<asio::const_buffer, 2> response_wire(Connection& conn, std::chrono::milliseconds write_timeout,
                                                const RawRequest& req, const RawResponse& res) {
  conn.deadline = coarse_steady_now() + write_timeout;
  append_head(conn.held, res);
  const bool head = req.method() == beast_http::verb::head;
  return {asio::buffer(conn.held), head ? asio::const_buffer() : asio::buffer(res.body())};
}

// Writes what the kernel takes of `wire` at once (the socket is non-blocking) and leaves the rest
// in it; false when the connection failed. A response usually fits in the socket's send buffer,
// so it then needs no asynchronous write: that was an operation of Asio's (allocated; with 64
// requests waiting on a store, its recycling cache had none to give), a post, and the coroutine's
// resumption through the scheduler, per response.
bool write_now(tcp::socket& socket, std::array<asio::const_buffer, 2>& wire) {
  boost::system::error_code ec;
  std::size_t sent = socket.write_some(wire, ec);
  if (ec) return ec == asio::error::would_block || ec == asio::error::try_again;
  for (asio::const_buffer& piece : wire) {
    const std::size_t taken = std::min(sent, piece.size());
    piece += taken;
    sent -= taken;
  }
  return true;
}

}  // namespace

// One connection: its requests read, answered and written in turn until either side ends it.
// A TLS connection first completes its handshake, under the handshake timeout.
// The connection is the parameter itself: a coroutine keeps each parameter in its frame for its
// whole life, so a socket parameter moved into a local Connection would keep a dead 88-byte copy
// in every connection's frame.
template <class Stream>
Task<> Worker::serve(Connection conn, std::shared_ptr<ssl::context> tls) {
  Registration registration(*this, conn);
  boost::system::error_code ec;
  Exchange exchange{.remote = conn.socket.remote_endpoint(ec), .trailers = {}, .file = {}, .secure = is_tls<Stream>,
                    .refused = 0};
  conn.socket.set_option(tcp::no_delay(true), ec);
  StreamHolder<Stream> holder(conn.socket, tls.get());
  Stream& stream = holder.stream;
  if constexpr (is_tls<Stream>) {
    // Idle until the handshake is done: shutdown may close it at once, and a timeout closes it
    // without an answer, as a connection that never sent a request.
    conn.deadline = Clock::now() + server.options.handshake_timeout;
    auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (handshake_ec || stopping) {
      conn.socket.close(ec);
      co_return;
    }
  } else {
    conn.socket.non_blocking(true, ec);  // read_next_request's read fails at once rather than waits
  }
  // Bounded, so that no part of a request the parser cannot consume (a chunk-size line, a trailer
  // section, the next unnamed case) can grow it: reading past the bound fails with buffer_overflow.
  ReadBuffer buffer(read_buffer_limit(server.options));

  for (;;) {
    begin_request(conn, exchange);
    if (stopping) break;
    if (buffer.size() == 0) {
      // Between requests: the keep-alive timeout applies until the next request's first byte.
      conn.deadline = coarse_steady_now() + server.options.idle_timeout;
      bool started = false;
      if constexpr (is_tls<Stream>) {
        started = co_await read_next_request(conn, stream, buffer);
      } else {
        // read_next_request's steps written out: a frame less per request (see read_arrived).
        for (;;) {
          if (conn.watch.pending()) {  // nothing came since the socket was last found empty
            buffer.shrink_to_fit();
            conn.held.shrink_to_fit();  // empty between requests: its memory too goes back while idle
            const bool readable = co_await conn.watch.readable();
            if (!readable) break;  // cancelled by the sweeper (idle timeout) or by shutdown
          }
          const NextRead next = read_arrived(conn, buffer);
          if (next == NextRead::nothing) continue;
          started = next == NextRead::started;
          break;
        }
      }
      if (!started) break;
    }
    conn.idle = false;
    if (!skip_empty_lines(buffer)) continue;

    RawRequest req;
    ReadResult read;
    if (!read_buffered_request(server.options, buffer, req, read)) {
      read = co_await read_request(conn, stream, buffer, exchange, req);
    }
    if (read.refusal.close) break;
    if (read.refusal.status) {
      co_await refuse(conn, stream, read.refusal.status);
      co_return;
    }

    exchange.refused = read.refused_body;
    exchange.body = read.streamed.get();
    RawResponse res;
    res.version(11);  // RFC 9110 2.5: the highest 1.x we speak, also to a 1.0 client (as Node)
    // The connection's read deadlines do not apply to the handler (as in Node); shutdown's grace does.
    conn.deadline = Clock::time_point::max();
    // Only an upgrade request pays for the upgrader (one pointer in this frame otherwise).
    std::unique_ptr<StreamUpgrader<Stream>> upgrader;
    // Beast's is_upgrade() looks the Connection field up again; the parser's flag spares that lookup
    // on every other request.
    if (read.names_upgrade && websocket::is_upgrade(req)) {
      upgrader = std::make_unique<StreamUpgrader<Stream>>(conn, stream, buffer, req, res, exchange,
                                                          [&res, &exchange] { run_finished_hooks(res, exchange); });
      exchange.upgrader = upgrader.get();
    }
    try {
      co_await server.handler(req, res, exchange);
    } catch (const std::exception& e) {
      answer_internal_error(e, res, exchange);
    }
    if (exchange.upgraded) {
      // The connection was handed over: no HTTP after a 101. The response was sent with it.
      res = RawResponse{};
      if (exchange.socket_run) {
        try {
          co_await exchange.socket_run();
        } catch (const std::exception& e) {
          std::cerr << "cortado: WebSocket failed: " << e.what() << '\n';
        }
        exchange.socket_run = nullptr;
      }
      co_await upgrader->finish();
      conn.socket.close(ec);
      co_return;
    }
    if (exchange.refused) answer_unhandled_refusal(res, exchange);
    // After a refused body the stream cannot be trusted (the body is unread): close after this.
    // So too after a streamed body the handler did not read to its end (see StreamedBody).
    bool unread = read.streamed && !read.streamed->done();
    bool keep_alive = finish_response(req, res, exchange, stopping || exchange.refused != 0 || unread);
    if (keep_alive && !exchange.file && conn.held_count + 1 < max_held_responses &&
        conn.held.size() < max_held_bytes && next_head_buffered(buffer)) {
      hold_response(conn.held, req, res);
      ++conn.held_count;
      run_finished_hooks(res, exchange);
      continue;
    }
    bool written = false;
    if constexpr (!is_tls<Stream>) {
      // write_response's common case written out: a frame less per request.
      if (!exchange.file) {
        std::array<asio::const_buffer, 2> wire = response_wire(conn, server.options.write_timeout, req, res);
        written = write_now(conn.socket, wire);
        if (written && asio::buffer_size(wire) > 0) written = co_await write_rest(stream, wire);
        forget_held(conn);
      }
    }
    if (is_tls<Stream> || exchange.file) written = co_await write_response(conn, stream, req, res, exchange);
    run_finished_hooks(res, exchange);
    if (!written || !keep_alive) break;
  }

  co_await send_held(conn, stream);  // what was answered before the end (shutdown, a client gone mid-request)
  co_await close_gently(conn, stream);
}

// The coroutines a request runs when it has to wait: read_next_request (over TLS, when nothing is
// buffered yet), read_request (a head not yet whole, or one for Beast's parser) and
// write_response (TLS, a file). Each costs a frame, which Asio takes from a per-thread cache when
// it is at most 1020 bytes; the common case of each is a plain function above, called by serve().

namespace {

// read_request's results made outside its coroutine: GCC 12 gives every local of a coroutine a
// place in its frame, suspension or not, and these two requests (about 200 bytes each) took its
// frame past the 1020 bytes Asio recycles, so that it went back to malloc on every request.

// The head of a request whose body the handler will stream (ServerOptions::stream_body).
template <class Stream>
ReadResult streamed_request(Worker& worker, Connection& conn, Stream& stream, ReadBuffer& buffer,
                            RequestParser& parser, Exchange& exchange, RawRequest& request) {
  const bool names_upgrade = parser.upgrade();
  auto reader = std::make_unique<StreamedBody<Stream>>(worker, conn, stream, buffer, std::move(parser), exchange);
  request = reader->head();
  return ReadResult{{0, false}, 0, std::move(reader), names_upgrade};
}

// The parsed request, for the handler; `refused` names a body refused part way (its bytes are dropped).
ReadResult parsed_request(RequestParser& parser, Exchange& exchange, RawRequest& request, unsigned refused = 0) {
  const bool names_upgrade = parser.upgrade();
  request = parser.release();
  if (refused == 413 || refused == 400) {
    request.body().clear();
    exchange.trailers.clear();
  }
  return ReadResult{{0, false}, refused, nullptr, names_upgrade};
}


}  // namespace

// Awaits: the head may come in pieces, and a body after it. Reads one request under the head and
// body timeouts, its trailer fields into exchange.trailers. The parser lives in this frame (about
// 780 bytes with it; Asio recycles frames of up to 1020), not in serve's, which every idle
// keep-alive connection holds.
template <class Stream>
Task<ReadResult> Worker::read_request(Connection& conn, Stream& stream, ReadBuffer& buffer,
                                      Exchange& exchange, RawRequest& request) {
  const auto& opt = server.options;
  conn.deadline = coarse_steady_now() + opt.head_timeout;
  // Beast unfolds obs-fold into spaces; Node refuses it, and so do we (RFC 9112 5.2 allows
  // either), so that a proxy in front that reads the fold otherwise cannot be played against us.
  // That needs the whole head in the buffer before Beast parses it.
  boost::system::error_code head_ec;
  HeadState state;
  while ((state = head_state(buffered(buffer), opt.header_limit)) == HeadState::partial) {
    auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
    buffer.commit(n);
    if (read_ec) {
      head_ec = read_ec;  // eof, reset or the head timeout: answered below as the parser's would be
      break;
    }
  }
  bool folded = state == HeadState::folded;
  if (!head_ec && !folded) {
    ReadResult plain;  // most heads
    if (read_plain_head(opt, buffer, request, plain)) co_return plain;
  }

  RequestParser parser;
  parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
  // With stream_body the limit is applied once the head is read, by whoever reads the body.
  if (opt.stream_body) parser.body_limit(boost::none);
  else parser.body_limit(opt.body_limit);
  if (!head_ec && !folded) {
    head_ec = parse_buffered_head(parser, buffer);
    if (head_ec == beast_http::error::need_more)
      std::tie(head_ec, std::ignore) = co_await beast_http::async_read_header(stream, buffer, parser, use_tuple);
  }
  unsigned status = head_status(head_ec, folded, conn, buffered(buffer), parser.get());
  if (status == 413 && head_ec == beast_http::error::body_limit) {
    // The whole head was parsed and only its Content-Length is over the limit: once the head
    // passes the checks, the handler answers the refusal, and the body is never read.
    status = check_head(parser.get());
    if (!status) co_return parsed_request(parser, exchange, request, 413);
  }
  if (head_ec && !status) co_return ReadResult{{0, true}};
  if (status) co_return ReadResult{{status, false}};
  if (opt.stream_body && !parser.is_done()) {
    if (opt.stream_body(parser.get())) co_return streamed_request(*this, conn, stream, buffer, parser, exchange, request);
    // As the parser would have refused it with the limit set before the head (see above).
    if (parser.content_length().value_or(0) > opt.body_limit) co_return parsed_request(parser, exchange, request, 413);
    parser.body_limit(opt.body_limit);
  }
  if (!parser.is_done()) {
    auto refusal = co_await read_body(conn, stream, buffer, parser, exchange);
    // A body refused part way (chunks over the limit, malformed chunks): the handler answers.
    if (refusal.status == 413 || refusal.status == 400) co_return parsed_request(parser, exchange, request, refusal.status);
    if (refusal.status || refusal.close) co_return ReadResult{refusal};
  }
  co_return parsed_request(parser, exchange, request);
}

// Awaits. The body of a request whose head passed the checks; a separate coroutine so that a
// request without a body (most GETs) costs no frame for it.
template <class Stream>
Task<Refusal> Worker::read_body(Connection& conn, Stream& stream, ReadBuffer& buffer,
                                RequestParser& parser, Exchange& exchange) {
  const auto& opt = server.options;
  bool sent = co_await send_held(conn, stream);
  if (!sent) co_return Refusal{0, true};
  if (parser.get()[beast_http::field::expect] == "100-continue") {
    static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    co_await asio::async_write(stream, asio::buffer(go_on), use_tuple);
  }
  // The approved head, kept to take the trailer section's fields back out (chunked bodies only).
  std::optional<Fields> approved_head;
  if (parser.chunked()) approved_head.emplace(static_cast<const Fields&>(parser.get()));
  conn.deadline = Clock::now() + opt.body_timeout;
  auto [body_ec, n] = co_await beast_http::async_read(stream, buffer, parser, use_tuple);
  if (body_ec) {
    unsigned status = status_for_read_error(body_ec, conn, buffered(buffer));
    co_return Refusal{status, status == 0};
  }
  if (approved_head) {
    separate_trailers(parser.get(), std::move(*approved_head), exchange.trailers);
    if (section_size(exchange.trailers) > opt.header_limit) co_return Refusal{431, false};  // as a head that large
  }
  co_return Refusal{0, false};
}

// Awaits. Answers a request the HTTP layer refuses itself, then closes: the stream can no longer
// be trusted, so no further request is read from it.
template <class Stream>
Task<> Worker::refuse(Connection& conn, Stream& stream, unsigned status) {
  std::string text(conn.held.data(), conn.held.size());  // the batch answered so far goes first
  text += refusal_text(status);
  forget_held(conn);
  // A 408's read timed out, but its answer and the lingering close after it get their own time.
  conn.timed_out = false;
  conn.deadline = Clock::now() + std::chrono::seconds(1);
  co_await asio::async_write(stream, asio::buffer(text), use_tuple);
  co_await close_gently(conn, stream);
}

// Awaits. Sends the finished response, after the responses held back for it, under the write
// timeout. The head is appended to them and sent with the body in a single gathered write
// (Beast's serializer costs more than the rest of a small response), or before the file's
// pieces. HEAD gets no body. False when the connection must end.
template <class Stream>
Task<bool> Worker::write_response(Connection& conn, Stream& stream, const RawRequest& req, const RawResponse& res,
                                  Exchange& exchange) {
  std::array<asio::const_buffer, 2> wire = response_wire(conn, server.options.write_timeout, req, res);
  bool written = false;
  if (exchange.file && req.method() != beast_http::verb::head) {
    written = co_await write_with_file(conn, stream, conn.held, *exchange.file);
    exchange.file.reset();  // closes the file now rather than when the next request begins
  } else {
    written = true;
    if constexpr (!is_tls<Stream>) written = write_now(conn.socket, wire);
    if (written && asio::buffer_size(wire) > 0) {
      auto [write_ec, n] = co_await asio::async_write(stream, wire, use_tuple);
      written = !write_ec;
    }
  }
  forget_held(conn);
  co_return written;
}

// Awaits. The part of a response the socket did not take at once, under the write timeout set
// by response_wire(). False when the connection must end.
template <class Stream>
Task<bool> Worker::write_rest(Stream& stream, std::array<asio::const_buffer, 2> wire) {
  auto [write_ec, n] = co_await asio::async_write(stream, wire, use_tuple);
  co_return !write_ec;
}

// Awaits. Sends the responses held back for a batch, when the batch ends without a response of
// its own to carry them: before a 100 Continue or a body is awaited (the client may wait for
// them first), before a refusal, before the connection closes. False when the write failed.
template <class Stream>
Task<bool> Worker::send_held(Connection& conn, Stream& stream) {
  if (conn.held.empty()) co_return true;
  conn.deadline = coarse_steady_now() + server.options.write_timeout;
  auto [write_ec, n] = co_await asio::async_write(stream, asio::buffer(conn.held), use_tuple);
  forget_held(conn);
  co_return !write_ec;
}

// Writes the head, then the file's part in pieces of at most 64 KiB (the first with the head, in
// one gathered write), each under the write timeout. False when the connection must end: the
// client went away or stalled, or the file shrank or failed, so the length the head promised
// cannot be kept.
template <class Stream>
Task<bool> Worker::write_with_file(Connection& conn, Stream& stream, std::string_view head_text, FileBody& file) {
  std::vector<char> piece(static_cast<std::size_t>(std::min<std::uint64_t>(file.remaining(), 64 * 1024)));
  std::string_view head = head_text;
  do {
    std::size_t n = 0;
    try {
      n = file.read_next(piece);
    } catch (const std::system_error& e) {
      std::cerr << "cortado: " << e.what() << '\n';
      co_return false;
    }
    if (n == 0 && !piece.empty()) co_return false;
    conn.deadline = coarse_steady_now() + server.options.write_timeout;
    std::array<asio::const_buffer, 2> wire{asio::buffer(head.data(), head.size()), asio::buffer(piece.data(), n)};
    auto [write_ec, written] = co_await asio::async_write(stream, wire, use_tuple);
    if (write_ec) co_return false;
    head = {};
  } while (file.remaining() > 0);
  co_return true;
}

// Reads the first bytes of the next request over TLS into the empty `buffer`; false when the
// connection ended or timed out. The stream reads as usual: OpenSSL may hold decrypted bytes that
// the socket's readiness would not show. (A plain stream's are read by read_arrived; while
// nothing has arrived, the buffer is given back, so that an idle keep-alive connection holds no
// read buffer: 4 KiB of each of 10 000 idle connections. The thread keeps the block for the next
// connection that reads, block_cache.hpp.)
template <class Stream>
Task<bool> Worker::read_next_request(Connection& conn, Stream& stream, ReadBuffer& buffer) {
  conn.held.shrink_to_fit();
  auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
  buffer.commit(n);
  co_return n > 0;
}

// The 503 for a connection over the cap. Its request is already on the way, so closing at once
// would let the kernel answer that unread request with a reset, which can destroy the 503
// before the client reads it (RFC 9112 9.6): it gets the same lingering close as refuse() gives,
// without taking one of the places the cap counts.
// Over TLS the handshake comes first, within the same second.
template <class Stream>
Task<> Worker::refuse_over_cap(tcp::socket socket, std::shared_ptr<ssl::context> tls) {
  ++refusals_in_flight;
  Connection conn(std::move(socket));
  Registration registration(*this, conn, /*counted=*/false);
  StreamHolder<Stream> holder(conn.socket, tls.get());
  Stream& stream = holder.stream;
  conn.idle = false;
  conn.deadline = Clock::now() + std::chrono::seconds(1);
  boost::system::error_code write_ec;
  if constexpr (is_tls<Stream>) std::tie(write_ec) = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (!write_ec) {
    auto text = refusal_text(503);
    std::tie(write_ec, std::ignore) = co_await asio::async_write(stream, asio::buffer(text), use_tuple);
  }
  if (!write_ec) co_await close_gently(conn, stream);
  boost::system::error_code ignored;
  conn.socket.close(ignored);
  --refusals_in_flight;
}

// Lingering close: stop sending, then drain what the client still sends for a moment, so that
// a refusal sent before the body was read reaches it instead of being lost to a reset.
// Over TLS, a close_notify first, waiting at most half a second for the client's (a peer that
// never answers cannot stall the close, nor shutdown).
template <class Stream>
Task<> Worker::close_gently(Connection& conn, Stream& stream) {
  boost::system::error_code ec;
  if constexpr (is_tls<Stream>) {
    if (conn.socket.is_open() && !conn.timed_out) {
      conn.deadline = std::min(conn.deadline, Clock::now() + std::chrono::milliseconds(500));
      co_await stream.async_shutdown(use_tuple);
    }
  }
  conn.socket.shutdown(tcp::socket::shutdown_send, ec);
  if (conn.socket.is_open() && !conn.timed_out) {
    conn.deadline = Clock::now() + std::chrono::milliseconds(500);
    // Drained bytes are thrown away, so one buffer per thread serves every connection on it
    // (in the coroutine frame it cost 4 KiB of every open connection's memory).
    static thread_local char sink[4096];
    for (std::size_t drained = 0; drained < (1u << 20);) {
      auto [drain_ec, n] = co_await conn.socket.async_read_some(asio::buffer(sink), use_tuple);
      if (drain_ec) break;
      drained += n;
    }
  }
  conn.socket.close(ec);
}

}  // namespace cortado::http

