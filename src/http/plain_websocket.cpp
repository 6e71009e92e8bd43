#include "http/plain_websocket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <limits>

namespace cortado::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
/// For the wait of an idle socket: a deferred operation is awaited in the socket's own frame,
/// where use_awaitable would start a coroutine (192 bytes, kept while the socket waits).
constexpr auto deferred_tuple = asio::as_tuple(asio::deferred);

/// How long the peer has to answer our close frame, or to close TCP after the close handshake
/// (Beast's handshake timeout, which bounded the close before).
constexpr std::chrono::seconds close_timeout{10};

/// Every socket of a thread reads into this one buffer and takes what it read out of it before
/// it awaits anything, so that no socket keeps a read buffer of its own while it waits.
std::span<unsigned char> scratch() {
  thread_local std::array<unsigned char, 16 * 1024> buffer;
  return buffer;
}

bool would_block(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

bool is_control(std::uint8_t opcode) { return opcode >= 8; }

}  // namespace

PlainWebSocket::PlainWebSocket(Connection& conn, const WebSocketOptions& options)
    : conn_(conn), context_(static_cast<asio::io_context&>(conn.socket.get_executor().context())),
      max_queue_(options.max_send_queue),
      // 0: no limit, as Beast's read_message_max(0) meant.
      max_message_(options.max_message == 0 ? std::numeric_limits<std::uint64_t>::max() : options.max_message),
      idle_timeout_(options.idle_timeout) {}

void PlainWebSocket::start() {
  conn_.watcher = this;
  activity();
}

// Anything received keeps the socket alive: the next ping is due half an idle timeout from now.
void PlainWebSocket::activity() {
  if (closing_) return;  // the close handshake's own deadline stays
  pinged_ = false;
  conn_.deadline = idle_timeout_.count() > 0 ? Clock::now() + idle_timeout_ / 2 : Clock::time_point::max();
}

void PlainWebSocket::deadline_passed() {
  if (finished_ || closed_) return;
  if (closing_) {
    // The peer did not finish the close handshake in time.
    drop();
    return;
  }
  if (!pinged_) {
    // Half the idle timeout without a byte: a ping, which a live client answers.
    pinged_ = true;
    conn_.deadline = Clock::now() + idle_timeout_ / 2;
    enqueue(Opcode::ping, {});
    if (!writing_) {
      writing_ = true;
      ++spawned_;
      asio::co_spawn(context_, run_detached(shared_from_this(), write_queue()), asio::detached);
    }
    return;
  }
  drop();  // no answer for a whole idle timeout
}

PlainWebSocket::Fed PlainWebSocket::feed(std::span<unsigned char> bytes, std::size_t& used) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (!in_frame_) {
      // The header, perhaps partly kept from the last read: at most 14 bytes are looked at.
      const std::size_t before = header_have_;
      const std::size_t take = std::min(header_.size() - before, bytes.size() - at);
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), take, header_.begin() + static_cast<std::ptrdiff_t>(before));
      auto header = parse_frame_header(std::span<const unsigned char>(header_.data(), before + take));
      if (!header) {
        header_have_ = static_cast<std::uint8_t>(before + take);
        at += take;
        break;
      }
      header_have_ = 0;
      at += header->size - before;
      fail_code_ = frame_error(*header, in_message_, message_.size(), max_message_);
      if (fail_code_ != 0) {
        used = at;
        return Fed::failed;
      }
      mask_ = header->mask;
      opcode_ = header->opcode;
      fin_ = header->fin;
      frame_left_ = header->length;
      frame_offset_ = 0;
      in_frame_ = true;
      if (opcode_ == static_cast<std::uint8_t>(Opcode::text) || opcode_ == static_cast<std::uint8_t>(Opcode::binary)) {
        in_message_ = true;
        message_binary_ = opcode_ == static_cast<std::uint8_t>(Opcode::binary);
        utf8_.reset();
        // A message in one frame (the usual) is read into a string of its size at once.
        if (fin_) message_.reserve(header->length);
      }
    }
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(frame_left_, bytes.size() - at));
    auto piece = bytes.subspan(at, take);
    unmask(piece, mask_, frame_offset_);
    frame_offset_ = static_cast<std::uint8_t>((frame_offset_ + take) % 4);
    frame_left_ -= take;
    at += take;
    if (is_control(opcode_)) {
      control_.append(reinterpret_cast<const char*>(piece.data()), piece.size());
    } else {
      if (!message_binary_ && !utf8_.add(piece)) {
        fail_code_ = 1007;
        used = at;
        return Fed::failed;
      }
      message_.append(reinterpret_cast<const char*>(piece.data()), piece.size());
    }
    if (frame_left_ > 0) break;  // the rest of the payload comes with the next read
    in_frame_ = false;
    Fed done = frame_done();
    if (done != Fed::need_more) {
      used = at;
      return done;
    }
  }
  used = at;
  return Fed::need_more;
}

// A whole frame has arrived: a message may be complete, or a control frame to act on.
PlainWebSocket::Fed PlainWebSocket::frame_done() {
  switch (opcode_) {
    case static_cast<std::uint8_t>(Opcode::ping):
      if (!closing_) enqueue(Opcode::pong, std::move(control_));  // RFC 6455 5.5.3: its payload back
      control_ = std::string();
      return Fed::need_more;
    case static_cast<std::uint8_t>(Opcode::pong):
      control_ = std::string();  // it kept the socket alive, which is all a pong does
      return Fed::need_more;
    case static_cast<std::uint8_t>(Opcode::close): {
      // RFC 6455 5.5.1: no payload, or a valid code and a UTF-8 reason.
      const std::string payload = std::move(control_);
      control_ = std::string();
      if (payload.size() == 1) {
        fail_code_ = 1002;
        return Fed::failed;
      }
      if (payload.size() >= 2) {
        const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                     static_cast<unsigned char>(payload[1]));
        if (!valid_close_code(code)) {
          fail_code_ = 1002;
          return Fed::failed;
        }
        Utf8Check reason;
        auto bytes = std::span(reinterpret_cast<const unsigned char*>(payload.data()) + 2, payload.size() - 2);
        if (!reason.add(bytes) || !reason.complete()) {
          fail_code_ = 1007;
          return Fed::failed;
        }
        close_code_ = code;
      }
      return Fed::closed;
    }
    default:
      break;
  }
  if (!fin_) return Fed::need_more;  // a fragment: the message goes on
  in_message_ = false;
  if (!message_binary_ && !utf8_.complete()) {
    fail_code_ = 1007;  // the text ends inside a character
    return Fed::failed;
  }
  return Fed::message;
}

std::optional<std::string> PlainWebSocket::take_message(bool& binary) {
  binary = message_binary_;
  std::optional<std::string> out(std::move(message_));
  message_ = std::string();
  return out;
}

Task<std::optional<std::string>> PlainWebSocket::receive(bool& binary) {
  if (finished_ || closed_ || reading_) co_return std::nullopt;  // one reader at a time
  reading_ = true;
  for (;;) {
    Fed fed = Fed::need_more;
    std::size_t used = 0;
    if (!pending_.empty()) {
      fed = feed(std::span(reinterpret_cast<unsigned char*>(pending_.data()), pending_.size()), used);
      pending_.erase(0, used);
      if (pending_.empty()) pending_ = std::string();  // nothing is held while the socket waits
    } else {
      // Pongs (and pings) owed are written before the socket waits again.
      if (!queue_.empty() && !writing_) co_await flush();
      boost::system::error_code ec;
      auto buffer = scratch();
      std::size_t n = conn_.socket.read_some(asio::buffer(buffer.data(), buffer.size()), ec);  // non-blocking
      if (would_block(ec)) {
        auto [wait_ec] = co_await conn_.socket.async_wait(tcp::socket::wait_read, deferred_tuple);
        if (!wait_ec && !closed_ && !finished_) continue;
        ec = wait_ec ? wait_ec : asio::error::operation_aborted;  // closed by a timeout, a drop, finish()
      }
      if (ec) {
        // The peer went away without a close handshake (1006), or the socket was closed here.
        closed_ = true;
        boost::system::error_code ignored;
        if (!finished_) conn_.socket.close(ignored);
        break;
      }
      activity();
      fed = feed(buffer.first(n), used);
      if (used < n && (fed == Fed::message)) pending_.assign(reinterpret_cast<const char*>(buffer.data()) + used, n - used);
    }
    if (fed == Fed::need_more) continue;
    if (fed == Fed::message) {
      if (closing_) {
        message_ = std::string();  // after our close frame, messages are read only to reach theirs
        continue;
      }
      reading_ = false;
      notify();
      co_return take_message(binary);
    }
    // The peer's close frame (answered with its code), or a protocol error (closed with ours).
    pending_ = std::string();
    message_ = std::string();
    // A close without a code is answered with 1000, as Beast answers it.
    if (!closing_) begin_close(fed == Fed::failed ? fail_code_ : close_code_ != 0 ? close_code_ : 1000, {});
    co_await flush();
    co_await drain_to_eof();
    break;
  }
  reading_ = false;
  notify();
  co_return std::nullopt;
}

// Not a coroutine: the message is queued when send() is called (in call order, whoever awaits
// first), and only the writing waits.
Task<> PlainWebSocket::send(std::string data, bool binary) {
  if (finished_ || closing_ || closed_) return nothing();
  if (!enqueue(binary ? Opcode::binary : Opcode::text, std::move(data))) return nothing();
  if (writing_) return nothing();
  writing_ = true;
  return write_queue();
}

bool PlainWebSocket::enqueue(Opcode opcode, std::string data) {
  queued_ += data.size();
  if (queued_ > max_queue_ && opcode != Opcode::close) {
    // A reader this slow (or a client sending pings faster than it reads the pongs) would make
    // the queue grow without end: it is dropped.
    drop();
    return false;
  }
  auto& out = queue_.emplace_back();
  out.data = std::move(data);
  out.opcode = opcode;
  return true;
}

void PlainWebSocket::begin_close(std::uint16_t code, std::string_view reason) {
  closing_ = true;
  std::string payload;
  if (code != 0) {  // 0: an empty close frame
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xff));
    payload.append(reason.substr(0, 123));  // a control frame carries at most 125 bytes
  }
  enqueue(Opcode::close, std::move(payload));
  conn_.deadline = Clock::now() + close_timeout;
}

Task<> PlainWebSocket::close(std::uint16_t code, std::string reason) {
  if (finished_ || closing_ || closed_) co_return;
  begin_close(code, reason);
  co_await flush();
  // A reader running reads up to the peer's close frame; else this close does.
  if (reading_ || closed_) co_return;
  bool ignored = false;
  for (;;) {
    auto message = co_await receive(ignored);
    if (!message) break;
  }
}

void PlainWebSocket::close_soon(std::uint16_t code, std::string reason) {
  std::weak_ptr<PlainWebSocket> weak = shared_from_this();
  asio::post(context_, [weak, code, reason = std::move(reason)]() mutable {
    auto self = weak.lock();
    if (!self || self->finished_ || self->closing_ || self->closed_) return;
    ++self->spawned_;
    asio::co_spawn(self->context_, run_close(self, code, std::move(reason)), asio::detached);
  });
}

void PlainWebSocket::send_soon(std::string data, bool binary) {
  std::weak_ptr<PlainWebSocket> weak = shared_from_this();
  asio::post(context_, [weak, data = std::move(data), binary]() mutable {
    auto self = weak.lock();
    if (!self || self->finished_ || self->closing_ || self->closed_) return;
    // send() queues it at once; a writer already running writes it, else this one must run
    // detached, counted so that finish() waits for it before the connection goes away.
    const bool was_writing = self->writing_;
    auto writer = self->send(std::move(data), binary);
    if (was_writing || !self->writing_) return;  // a writer runs already, or it was dropped
    ++self->spawned_;
    asio::co_spawn(self->context_, run_detached(self, std::move(writer)), asio::detached);
  });
}

Task<> PlainWebSocket::run_detached(std::shared_ptr<PlainWebSocket> self, Task<> task) {
  co_await std::move(task);  // awaitable is move-only
  --self->spawned_;
  self->notify();
}

Task<> PlainWebSocket::run_close(std::shared_ptr<PlainWebSocket> self, std::uint16_t code, std::string reason) {
  co_await self->close(code, std::move(reason));
  --self->spawned_;
  self->notify();
}

// One frame per message, header and payload in one gathered write. The caller set writing_.
Task<> PlainWebSocket::write_queue() {
  std::array<unsigned char, 10> head;
  std::array<asio::const_buffer, 2> wire;
  while (!queue_.empty() && !closed_ && !finished_) {
    // The message stays in the queue while it is written (a list keeps it in place as others
    // are added behind it).
    const Outgoing& out = queue_.front();
    wire[0] = asio::buffer(head.data(), write_frame_header(head, out.opcode, out.data.size()));
    wire[1] = asio::buffer(out.data);
    auto [ec, n] = co_await asio::async_write(conn_.socket, wire, use_tuple);
    const bool was_close = queue_.front().opcode == Opcode::close;
    queued_ -= std::min(queued_, queue_.front().data.size());  // drop() may have zeroed it meanwhile
    queue_.pop_front();
    if (ec) break;
    if (was_close) {
      // Nothing is sent after a close frame: the FIN tells the peer so at once.
      boost::system::error_code ignored;
      conn_.socket.shutdown(tcp::socket::shutdown_send, ignored);
      break;
    }
  }
  // All written, or the socket failed or closed: nothing more can go out.
  queue_.clear();
  queued_ = 0;
  writing_ = false;
  notify();
}

// Until the queue is written (or the socket failed).
Task<> PlainWebSocket::flush() {
  if (!writing_) {
    if (queue_.empty()) co_return;
    writing_ = true;
    co_await write_queue();
    co_return;
  }
  while (writing_) co_await wait_event();
}

// After the close handshake: the peer closes TCP first (RFC 6455 7.1.1); what it still sends is
// read and dropped, so that unread bytes do not turn our close into a reset that could destroy
// the close frame before the peer reads it. Bounded by the close deadline.
Task<> PlainWebSocket::drain_to_eof() {
  for (;;) {
    boost::system::error_code ec;
    auto buffer = scratch();
    conn_.socket.read_some(asio::buffer(buffer.data(), buffer.size()), ec);
    if (!ec) continue;
    if (!would_block(ec) || closed_ || finished_) break;
    auto [wait_ec] = co_await conn_.socket.async_wait(tcp::socket::wait_read, use_tuple);
    if (wait_ec) break;
  }
  closed_ = true;
  boost::system::error_code ignored;
  if (!finished_) conn_.socket.close(ignored);
}

void PlainWebSocket::drop() {
  closed_ = true;
  if (!writing_) queue_.clear();  // else the writer, woken by the close, empties it
  queued_ = 0;
  boost::system::error_code ignored;
  conn_.socket.close(ignored);
}

void PlainWebSocket::notify() {
  if (events_) events_->cancel();
}

Task<> PlainWebSocket::wait_event() {
  if (!events_) events_ = std::make_unique<asio::steady_timer>(context_, Clock::time_point::max());
  co_await events_->async_wait(use_tuple);
}

Task<> PlainWebSocket::finish() {
  finished_ = true;
  conn_.watcher = nullptr;
  boost::system::error_code ignored;
  while (spawned_ > 0 || reading_ || writing_) {
    conn_.socket.close(ignored);  // ends whatever still waits on it
    co_await wait_event();
  }
}

}  // namespace cortado::http
