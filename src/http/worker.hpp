#pragma once
// Worker: one I/O thread's event loop, its acceptor and the connections that live on it.

#include "cortado/core/one_thread.hpp"
#include "cortado/http/server.hpp"
#include "http/block_cache.hpp"
#include "http/read_watch.hpp"
#include "http/tls_context.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cortado::http {

using Clock = std::chrono::steady_clock;
struct Worker;

/// Told by the sweeper when a connection's deadline has passed, instead of the connection's
/// operations being cancelled (a WebSocket of our own: its keep-alive ping and idle timeout run
/// on the connection's deadline rather than on a timer of each socket's).
class DeadlineWatcher {
 public:
  virtual void deadline_passed() = 0;

 protected:
  ~DeadlineWatcher() = default;
};

/// What the server tracks of one open connection (lives in the connection's coroutine frame).
struct Connection {
  explicit Connection(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}
  boost::asio::ip::tcp::socket socket;
  /// When the current read or write must be done; the sweeper cancels it after that.
  Clock::time_point deadline = Clock::time_point::max();
  /// Waiting for a request to start: shutdown may close it at once.
  bool idle = true;
  bool timed_out = false;
  /// Responses written but not yet sent: those held back while more pipelined requests were
  /// buffered, then the head of the one that ends the batch. Reused from request to request.
  HeldText held;
  std::size_t held_count = 0;
  /// The WebSocket the connection was handed over to, if any: shutdown closes it with 1001.
  WebSocketConnection* websocket = nullptr;
  /// Set while a PlainWebSocket runs on the connection (it handles its deadline itself).
  DeadlineWatcher* watcher = nullptr;
  /// The wait for its next request's bytes (serve, read_arrived).
  ReadWatch watch;
};

/// Beast's parser for one request, with the whole body in a string.
using RequestParser = beast_http::request_parser<beast_http::string_body, FieldAllocator<char>>;

/// Beast's parser for a streamed body, which it writes straight into the reader's buffer.
using StreamParser = beast_http::request_parser<beast_http::buffer_body, FieldAllocator<char>>;

/// Why a request is not answered: a status to refuse it with, or `close` when the client went away
/// in the middle and nobody is left to answer. Neither: it is answered.
struct Refusal {
  unsigned status = 0;
  bool close = false;
};

/// What read_request found besides the request itself (which it writes into the caller's, so
/// that the request is moved once rather than through this result and the coroutine's return):
/// what to do instead of answering it, if anything, and how its body is had.
struct ReadResult {
  Refusal refusal;
  /// The head was read but its body refused (413, 400): the handler answers it (Exchange::refused).
  unsigned refused_body = 0;
  /// Set when ServerOptions::stream_body chose to stream the body: the handler reads it from here.
  std::unique_ptr<BodyReader> streamed{};
  /// Beast's parser saw the token "upgrade" in Connection (or Proxy-Connection) while it read the
  /// head: only such a request can be a WebSocket upgrade, so only it is looked at for one.
  bool names_upgrade = false;
};

/// A TLS connection's stream over the socket that the Connection owns (the sweeper and shutdown
/// cancel and close that socket, which ends whatever the TLS stream is waiting for).
using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;
/// The plain one is the socket itself: the plain path is the same code as before TLS existed.
using PlainStream = boost::asio::ip::tcp::socket;

/// One port a worker accepts on; `tls` null for plain HTTP.
struct Listener {
  boost::asio::ip::tcp::acceptor acceptor;
  std::shared_ptr<TlsContext> tls;
};

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  // Declared before the workers: connections still open when a worker is destroyed count down here.
  std::atomic<std::size_t> open_connections{0};
  std::vector<std::unique_ptr<Worker>> workers;
  /// Every TLS listener's certificates, for reload_certificates().
  std::vector<std::shared_ptr<TlsContext>> tls_contexts;
  std::uint16_t port = 0;
};

template <class Stream>
class StreamedBody;

struct Worker {
  explicit Worker(Server::Impl& s) : server(s) { mark_one_thread(ioc); }

  Server::Impl& server;
  /// Declared before ioc: connections cut at the end of the grace period are destroyed with the
  /// io_context and unregister themselves from this list.
  std::list<Connection*> connections;
  /// Concurrency hint 1: only this thread runs it, so Asio can skip its internal locking; marked
  /// so (mark_one_thread) for the stores' connections, which then need no strand.
  boost::asio::io_context ioc{1};
  std::list<Listener> listeners;
  boost::asio::steady_timer sweeper{ioc};
  bool stopping = false;
  Clock::time_point grace_deadline{};

  /// Spawns the accept loop and the timeout sweeper.
  void start();
  /// Stops accepting, closes idle connections; busy ones close after their response.
  void begin_shutdown();

 private:
  Task<> accept_loop(Listener& listener);
  Task<> sweep_loop();
  // The connection's steps, one instantiation for PlainStream and one for TlsStream (worker.cpp).
  template <class Stream>
  Task<> serve(Connection conn, std::shared_ptr<boost::asio::ssl::context> tls);
  template <class Stream>
  Task<bool> read_next_request(Connection& conn, Stream& stream, ReadBuffer& buffer);
  template <class Stream>
  Task<ReadResult> read_request(Connection& conn, Stream& stream, ReadBuffer& buffer,
                                Exchange& exchange, RawRequest& request);
  template <class Stream>
  Task<Refusal> read_body(Connection& conn, Stream& stream, ReadBuffer& buffer,
                          RequestParser& parser, Exchange& exchange);
  template <class Stream>
  Task<> refuse(Connection& conn, Stream& stream, unsigned status);
  template <class Stream>
  Task<bool> write_response(Connection& conn, Stream& stream, const RawRequest& req, const RawResponse& res,
                            Exchange& exchange);
  template <class Stream>
  Task<bool> write_rest(Stream& stream, std::array<boost::asio::const_buffer, 2> wire);
  template <class Stream>
  Task<bool> send_held(Connection& conn, Stream& stream);
  template <class Stream>
  Task<bool> write_with_file(Connection& conn, Stream& stream, std::string_view head_text, FileBody& file);
  template <class Stream>
  Task<> refuse_over_cap(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls);
  template <class Stream>
  Task<> close_gently(Connection& conn, Stream& stream);
  /// The response text of the HTTP layer's own refusals (ServerOptions::refusal_body or the phrase).
  std::string refusal_text(unsigned status) const;

  template <class Stream>
  friend class StreamedBody;  // awaits send_held before its first read, as read_body does

  /// Connections over the cap still being answered and drained (bounded: see accept_loop).
  std::size_t refusals_in_flight = 0;
  void sweep(Clock::time_point now);
};

}  // namespace cortado::http
