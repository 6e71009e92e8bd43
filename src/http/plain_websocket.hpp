#pragma once
// PlainWebSocket: RFC 6455's data phase of our own, for a socket over plain TCP without
// extensions (the default; permessage-deflate and TLS keep Beast's stream, websocket_stream.hpp).
// Made for the idle socket: while it waits it holds no read buffer (it waits for readability,
// then reads into a per-thread scratch buffer), no timer of its own (the worker's sweeper calls
// deadline_passed() when the connection's deadline passes) and no pending operation but the
// wait, so that thousands of quiet sockets bound to sessions cost little memory.

#include "cortado/http/websocket.hpp"
#include "http/utf8_check.hpp"
#include "http/websocket_frame.hpp"
#include "http/worker.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace cortado::http {

/// One open, uncompressed WebSocket on a plain TCP connection. Shared: the app's handler holds
/// it, and work started from another thread (close_soon, send_soon, a keep-alive ping) holds it
/// until that work has run; finish() waits for all of it before the connection goes away.
class PlainWebSocket final : public WebSocketConnection,
                             public DeadlineWatcher,
                             public std::enable_shared_from_this<PlainWebSocket> {
 public:
  PlainWebSocket(Connection& conn, const WebSocketOptions& options);

  Task<std::optional<std::string>> receive(bool& binary) override;
  Task<> send(std::string data, bool binary) override;
  Task<> close(std::uint16_t code, std::string reason) override;
  void close_soon(std::uint16_t code, std::string reason) override;
  void send_soon(std::string data, bool binary) override;
  std::uint16_t close_code() const override { return close_code_; }
  bool is_open() const override { return !finished_ && !closing_ && !closed_; }

  /// The idle clock: a ping at half the idle timeout, the socket closed at the end of it; or
  /// the close handshake overdue.
  void deadline_passed() override;

  /// Once the 101 is out: the socket watches its connection's deadline from here.
  void start();
  /// After the handler: no operation may still use the socket once the connection's frame ends.
  Task<> finish();

 private:
  struct Outgoing {
    std::string data;
    Opcode opcode;
  };
  /// What a piece of received bytes completed.
  enum class Fed : std::uint8_t { need_more, message, closed, failed };

  Fed feed(std::span<unsigned char> bytes, std::size_t& used);
  Fed frame_done();
  std::optional<std::string> take_message(bool& binary);
  /// Queues a frame under the send queue bound; false when the socket was dropped instead.
  bool enqueue(Opcode opcode, std::string data);
  void begin_close(std::uint16_t code, std::string_view reason);
  void activity();
  void drop();
  void notify();
  Task<> wait_event();
  Task<> write_queue();
  Task<> flush();
  Task<> drain_to_eof();
  static Task<> nothing() { co_return; }
  static Task<> run_detached(std::shared_ptr<PlainWebSocket> self, Task<> task);
  static Task<> run_close(std::shared_ptr<PlainWebSocket> self, std::uint16_t code, std::string reason);

  Connection& conn_;
  /// The connection's thread, where work from other threads is posted.
  boost::asio::io_context& context_;
  /// An event, not a clock: never expires, and cancel() wakes whoever waits (finish(), close()).
  /// Made when first waited for (closing only): a timer is 120 bytes each idle socket would keep.
  std::unique_ptr<boost::asio::steady_timer> events_;
  /// A list, not a deque: a deque allocates some 600 bytes up front, kept by every idle socket.
  std::list<Outgoing> queue_;
  /// The message being received (empty, unallocated, between messages).
  std::string message_;
  /// Bytes read past a complete message (a client that sends several at once); empty and
  /// unallocated while the socket waits.
  std::string pending_;
  /// A control frame's payload while it arrives (at most 125 bytes).
  std::string control_;
  std::uint64_t frame_left_ = 0;  // payload bytes of the current frame still to come
  std::size_t queued_ = 0;
  std::size_t max_queue_;
  std::uint64_t max_message_;
  std::chrono::milliseconds idle_timeout_;
  int spawned_ = 0;
  std::array<unsigned char, 14> header_{};  // a header split across reads
  std::uint8_t header_have_ = 0;
  // The current frame, as much of its header as its payload needs.
  std::array<unsigned char, 4> mask_{};
  std::uint8_t frame_offset_ = 0;  // payload bytes already seen, modulo 4 (where the mask goes on)
  std::uint8_t opcode_ = 0;
  bool fin_ = false;
  Utf8Check utf8_;
  std::uint16_t close_code_ = 0;
  std::uint16_t fail_code_ = 0;
  bool in_frame_ = false;
  bool in_message_ = false;
  bool message_binary_ = false;
  bool pinged_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;  // our close frame is queued or sent
  bool closed_ = false;   // the socket is closed, or the peer went away
  bool finished_ = false;
};

}  // namespace cortado::http
