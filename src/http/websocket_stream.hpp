#pragma once
// The WebSocket over a connection's stream (plain or TLS): Beast's websocket::stream, and the
// Upgrader the worker puts in the Exchange of an upgrade request. Included by worker.cpp only.
// An uncompressed socket over plain TCP (the default) is a PlainWebSocket instead, whose idle
// state is a fraction of Beast's; TLS keeps Beast's stream, since OpenSSL may hold decrypted
// bytes that the socket's readiness would not show, and so does permessage-deflate.

#include "cortado/http/websocket.hpp"
#include "http/plain_websocket.hpp"
#include "http/websocket_handshake.hpp"
#include "http/worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <list>
#include <functional>

namespace cortado::http {

namespace websocket = boost::beast::websocket;

/// One open WebSocket. Shared: the app's handler holds it, and a close asked for from another
/// thread holds it until that close has run; the worker waits for those (finish()) before the
/// stream it refers to goes away with the connection.
template <class Stream>
class WebSocketStream final : public WebSocketConnection,
                              public std::enable_shared_from_this<WebSocketStream<Stream>> {
 public:
  WebSocketStream(Connection& conn, Stream& stream, const WebSocketOptions& options)
      : conn_(conn), ws_(stream), done_(conn.socket.get_executor()), max_queue_(options.max_send_queue) {
    ws_.read_message_max(options.max_message);
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = std::chrono::seconds(10);
    timeout.idle_timeout = options.idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    websocket::permessage_deflate deflate;
    deflate.server_enable = options.permessage_deflate;
    ws_.set_option(deflate);
    // A message goes out as one frame, straight from its own buffer: without compression a server
    // (which does not mask) needs no write buffer of Beast's, 4 KiB kept by each socket that wrote.
    ws_.auto_fragment(options.permessage_deflate);
  }

  websocket::stream<Stream&>& beast() { return ws_; }

  Task<std::optional<std::string>> receive(bool& binary) override {
    if (finished_ || !ws_.is_open()) co_return std::nullopt;
    // The message is read into its own string, grown as it comes: an idle socket holds no read
    // buffer while it waits (a flat_buffer would prepare 1.5 KB for each), a message that fits the
    // string's inline capacity costs no allocation, and nothing is copied after the read. The
    // size limit holds all the same: Beast checks it on each frame's header.
    std::string data;
    std::size_t used = 0;
    for (;;) {
      if (used == data.size()) data.resize(used == 0 ? data.capacity() : used * 2);
      auto [ec, n] = co_await ws_.async_read_some(boost::asio::buffer(data.data() + used, data.size() - used),
                                                  boost::asio::as_tuple(boost::asio::use_awaitable));
      used += n;
      if (ec) co_return std::nullopt;  // closed by the peer, by us, by a limit (Beast sent 1009/1007)
      if (ws_.is_message_done()) break;
    }
    data.resize(used);
    binary = ws_.got_binary();
    co_return data;
  }

  // Not a coroutine: the message is queued when send() is called (in call order, whoever awaits
  // first), and only the writing waits.
  Task<> send(std::string data, bool binary) override {
    if (finished_ || closing_ || !ws_.is_open()) return nothing();
    queued_ += data.size();
    if (queued_ > max_queue_) {
      // A reader this slow would make the queue grow without end: it is dropped.
      drop();
      return nothing();
    }
    auto& queued = queue_.emplace_back();
    queued.data = std::move(data);
    queued.binary = binary;
    if (writing_) return nothing();
    writing_ = true;
    return write_queue();
  }

  Task<> close(std::uint16_t code, std::string reason) override {
    if (finished_ || closing_ || !ws_.is_open()) return nothing();
    closing_ = true;
    // 4000-4999, the app's own codes, too.
    close_code_ = code;
    close_text_ = std::move(reason);
    return write_close();
  }

  void close_soon(std::uint16_t code, std::string reason) override {
    std::weak_ptr<WebSocketStream> weak = this->shared_from_this();
    boost::asio::post(done_.get_executor(), [weak, code, reason = std::move(reason)]() mutable {
      auto self = weak.lock();
      if (!self || self->finished_ || self->closing_ || !self->ws_.is_open()) return;
      self->closing_ = true;
      self->close_code_ = code;
      self->close_text_ = std::move(reason);
      ++self->spawned_;
      boost::asio::co_spawn(self->done_.get_executor(), run_close(self), boost::asio::detached);
    });
  }

  void send_soon(std::string data, bool binary) override {
    std::weak_ptr<WebSocketStream> weak = this->shared_from_this();
    boost::asio::post(done_.get_executor(), [weak, data = std::move(data), binary]() mutable {
      auto self = weak.lock();
      if (!self || self->finished_ || self->closing_ || !self->ws_.is_open()) return;
      // send() queues it at once; a writer already running writes it, else this one must run
      // detached, counted so that finish() waits for it before the stream goes away.
      const bool was_writing = self->writing_;
      auto writer = self->send(std::move(data), binary);
      if (was_writing || !self->writing_) return;  // a writer runs already, or it was dropped
      ++self->spawned_;
      boost::asio::co_spawn(self->done_.get_executor(), run_detached(self, std::move(writer)), boost::asio::detached);
    });
  }

  std::uint16_t close_code() const override { return ws_.reason().code; }
  bool is_open() const override { return !finished_ && ws_.is_open(); }

  /// After the handler: no operation may still use the stream once the connection's frame ends.
  Task<> finish() {
    finished_ = true;
    boost::system::error_code ignored;
    while (spawned_ > 0) {
      conn_.socket.close(ignored);  // ends the close still waiting for the peer
      done_.expires_at(Clock::time_point::max());
      co_await done_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
  }

 private:
  static Task<> nothing() { co_return; }

  Task<> write_queue() {
    while (!queue_.empty() && !finished_) {
      // The message stays in the queue while it is written (a list keeps it in place as others
      // are added behind it).
      const WebSocketMessage& message = queue_.front();
      ws_.binary(message.binary);
      auto [ec, n] = co_await ws_.async_write(boost::asio::buffer(message.data.data(), message.data.size()),
                                              boost::asio::as_tuple(boost::asio::use_awaitable));
      queued_ -= queue_.front().data.size();
      queue_.pop_front();
      if (ec) {
        queue_.clear();
        queued_ = 0;
        break;
      }
    }
    writing_ = false;
  }

  Task<> write_close() {
    // Failure (the peer gone) needs nothing more: the socket is closed either way.
    websocket::close_reason reason(static_cast<websocket::close_code>(close_code_), close_text_);
    co_await ws_.async_close(reason, boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  static Task<> run_detached(std::shared_ptr<WebSocketStream> self, Task<> task) {
    co_await std::move(task);  // awaitable is move-only
    --self->spawned_;
    self->done_.cancel();
  }

  static Task<> run_close(std::shared_ptr<WebSocketStream> self) {
    co_await self->write_close();
    --self->spawned_;
    self->done_.cancel();
  }

  void drop() {
    finished_ = true;
    if (!writing_) queue_.clear();  // else the writer, woken by the close, empties it
    queued_ = 0;
    boost::system::error_code ignored;
    conn_.socket.close(ignored);
  }

  Connection& conn_;
  websocket::stream<Stream&> ws_;
  /// Wakes finish() when a spawned close ends.
  boost::asio::steady_timer done_;
  /// A list, not a deque: a deque allocates some 600 bytes up front, kept by every idle socket.
  std::list<WebSocketMessage> queue_;
  // Not a websocket::close_reason, whose text is 123 bytes kept inline by every socket.
  std::uint16_t close_code_ = 0;
  std::string close_text_;
  std::size_t queued_ = 0;
  std::size_t max_queue_;
  int spawned_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

/// What the worker puts in the Exchange of an upgrade request.
template <class Stream>
class StreamUpgrader final : public Upgrader {
 public:
  StreamUpgrader(Connection& conn, Stream& stream, ReadBuffer& buffer, RawRequest& req,
                 RawResponse& res, Exchange& exchange, std::function<void()> on_open)
      : conn_(conn), stream_(stream), buffer_(buffer), req_(req), res_(res), exchange_(exchange),
        on_open_(std::move(on_open)) {}

  Task<std::shared_ptr<WebSocketConnection>> accept(const Fields& extra,
                                                    const WebSocketOptions& options) override {
    exchange_.upgraded = true;
    // RFC 6455 4.1: a client sends no frame before the 101; bytes already buffered after the
    // request would be lost to Beast's stream, so such a client is refused.
    if (buffer_.size() != 0 || socket_ || plain_ || conn_.socket.is_open() == false) co_return nullptr;
    if constexpr (std::is_same_v<Stream, PlainStream>) {
      if (!options.permessage_deflate) {
        auto plain = co_await accept_plain(extra, options);
        co_return plain;
      }
    }
    auto socket = std::make_shared<WebSocketStream<Stream>>(conn_, stream_, options);
    std::vector<std::pair<std::string, std::string>> fields;
    for (const auto& field : extra) {
      if (!sent_with_101(field.name())) continue;
      fields.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    socket->beast().set_option(websocket::stream_base::decorator([fields](websocket::response_type& r) {
      for (const auto& [name, value] : fields) r.insert(name, value);
    }));
    buffer_.shrink_to_fit();  // empty (see above), and no HTTP is read on this connection again
    conn_.deadline = Clock::time_point::max();  // Beast's own timeouts watch the socket from here
    conn_.idle = false;
    auto [ec] = co_await socket->beast().async_accept(req_, boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) co_return nullptr;
    // The decorator's copy of the fields is needed for the 101 only; Beast would keep it for the
    // socket's life.
    socket->beast().set_option(websocket::stream_base::decorator([](websocket::response_type&) {}));
    res_.result(101);  // what the request logs and metrics see
    socket_ = socket;
    conn_.websocket = socket.get();
    if (on_open_) on_open_();
    co_return socket;
  }

  /// After the handler: the socket is closed and nothing refers to the stream any longer.
  Task<> finish() {
    conn_.websocket = nullptr;
    if (socket_) co_await socket_->finish();
    if (plain_) co_await plain_->finish();
  }

 private:
  // The handshake for a PlainWebSocket: the checks Beast makes, the 101 (or the refusal) in one
  // write under Beast's handshake timeout.
  Task<std::shared_ptr<WebSocketConnection>> accept_plain(const Fields& extra,
                                                          const WebSocketOptions& options) {
    bool accepted = false;
    std::string response = handshake_response(req_, extra, accepted);
    buffer_.shrink_to_fit();  // empty (see accept), and no HTTP is read on this connection again
    conn_.idle = false;
    conn_.deadline = Clock::now() + std::chrono::seconds(10);
    auto [ec, n] = co_await boost::asio::async_write(conn_.socket, boost::asio::buffer(response),
                                                     boost::asio::as_tuple(boost::asio::use_awaitable));
    conn_.deadline = Clock::time_point::max();
    if (ec || !accepted) co_return nullptr;
    plain_ = std::make_shared<PlainWebSocket>(conn_, options);
    plain_->start();
    res_.result(101);  // what the request logs and metrics see
    conn_.websocket = plain_.get();
    if (on_open_) on_open_();
    co_return plain_;
  }

  Connection& conn_;
  Stream& stream_;
  ReadBuffer& buffer_;
  RawRequest& req_;
  RawResponse& res_;
  Exchange& exchange_;
  std::function<void()> on_open_;
  std::shared_ptr<WebSocketStream<Stream>> socket_;
  std::shared_ptr<PlainWebSocket> plain_;
};

}  // namespace cortado::http
