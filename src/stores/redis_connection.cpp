// RedisConnection: an Asio socket with hiredis as the RESP codec.
#include "redis_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <hiredis/hiredis.h>

#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <new>
#include <stdexcept>

namespace cortado::stores {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

// How many decimal digits `n` takes.
std::size_t digits(std::size_t n) {
  std::size_t count = 1;
  while (n >= 10) {
    n /= 10;
    ++count;
  }
  return count;
}

// Writes `n` in decimal at `out` (which has room for it) and returns the end.
char* put_number(char* out, std::size_t n) { return std::to_chars(out, out + 20, n).ptr; }

// The encoded size of a command of `argc` arguments of `lengths`.
std::size_t encoded_size(std::size_t argc, const std::size_t* lengths) {
  std::size_t size = 1 + digits(argc) + 2;
  for (std::size_t i = 0; i < argc; ++i) size += 1 + digits(lengths[i]) + 2 + lengths[i] + 2;
  return size;
}

// Encodes the command at `at`, which has room for its encoded_size(), and returns the end.
char* encode(char* at, std::size_t argc, const char* const* argv, const std::size_t* lengths) {
  // RESP's array of bulk strings: "*<argc>\r\n" then "$<length>\r\n<bytes>\r\n" per argument.
  // Written here rather than by hiredis's redisFormatCommandArgv, which sprintf()s every length
  // and copies the whole into a buffer of its own: a third of a Redis request's instructions.
  *at++ = '*';
  at = put_number(at, argc);
  *at++ = '\r';
  *at++ = '\n';
  for (std::size_t i = 0; i < argc; ++i) {
    *at++ = '$';
    at = put_number(at, lengths[i]);
    *at++ = '\r';
    *at++ = '\n';
    if (lengths[i] != 0) std::memcpy(at, argv[i], lengths[i]);
    at += lengths[i];
    *at++ = '\r';
    *at++ = '\n';
  }
  return at;
}

}  // namespace

std::string redis_format(std::size_t argc, const char* const* argv, const std::size_t* lengths) {
  std::string out(encoded_size(argc, lengths), '\0');
  encode(out.data(), argc, argv, lengths);
  return out;
}

void append_redis_command(std::string& out, const RedisArgs& command) {
  std::array<const char*, RedisArgs::most> argv{};
  std::array<std::size_t, RedisArgs::most> lengths{};
  for (std::size_t i = 0; i < command.count; ++i) {
    argv[i] = command.args[i].data();
    lengths[i] = command.args[i].size();
  }
  const std::size_t start = out.size();
  out.resize(start + encoded_size(command.count, lengths.data()));
  encode(out.data() + start, command.count, argv.data(), lengths.data());
}

std::string redis_format(const RedisArgs& command) {
  std::string out;
  append_redis_command(out, command);
  return out;
}

std::string redis_keys_command(std::string_view name, const std::vector<std::string>& args, std::size_t first,
                               std::size_t count) {
  std::vector<const char*> argv{name.data()};
  std::vector<std::size_t> lengths{name.size()};
  argv.reserve(count + 1);
  lengths.reserve(count + 1);
  for (std::size_t i = first; i < first + count; ++i) {
    argv.push_back(args[i].data());
    lengths.push_back(args[i].size());
  }
  return redis_format(argv.size(), argv.data(), lengths.data());
}

RedisConnection::RedisConnection(const asio::any_io_executor& executor, RedisEndpoint endpoint)
    : PipelinedConnection(executor, "redis", endpoint.connect_timeout, endpoint.command_timeout),
      endpoint_(std::move(endpoint)),
      socket_(executor_),
      resolver_(executor_),
      reader_(nullptr, redisReaderFree) {}

RedisConnection::~RedisConnection() = default;

bool RedisConnection::idle_socket_alive() {
  // Nothing is read while idle, so a close by the server is only seen by looking: a peek that
  // would block means the connection is still there; EOF, data or an error mean it is not.
  char byte = 0;
  const ssize_t got = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void RedisConnection::flush() {
  if (!writing_ && !unsent_.empty()) {
    writing_ = true;
    sending_.clear();
    sending_.swap(unsent_);
    asio::async_write(socket_, asio::buffer(sending_),
                      [self = shared_from_this(), generation = generation_](error_code ec, std::size_t) {
                        if (generation != self->generation_) return;
                        self->writing_ = false;
                        if (ec)
                          return self->drop("lost connection to " + self->endpoint_.address() + ": " + ec.message());
                        self->flush();
                      });
  }
  start_reading();
}

void RedisConnection::read_more() {
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this(), generation = generation_](error_code ec, std::size_t size) {
                            self->on_read(generation, ec, size);
                          });
}

void RedisConnection::on_read(std::uint64_t generation, error_code ec, std::size_t size) {
  if (generation != generation_) return;
  if (ec) {
    const std::string why = ec == asio::error::eof ? "closed by the server" : ec.message();
    return drop("lost connection to " + endpoint_.address() + ": " + why);
  }
  // An exception here would escape the io_context's run(): every problem fails the callers instead.
  if (redisReaderFeed(reader_.get(), read_buffer_.data(), size) != REDIS_OK) return drop("out of memory");
  for (;;) {
    void* parsed = nullptr;
    if (redisReaderGetReply(reader_.get(), &parsed) != REDIS_OK) {
      return drop("bad reply from " + endpoint_.address() + ": " + reader_->errstr);
    }
    if (parsed == nullptr) break;
    RedisReplyPtr reply(static_cast<redisReply*>(parsed));
    if (!waiting()) return drop("unexpected reply from " + endpoint_.address());
    const RedisReplies expected = pairs_.front();
    if (expected != RedisReplies::one && !held_) {
      held_ = std::move(reply);  // the first of two: kept until the second comes
      continue;
    }
    if (expected == RedisReplies::last_of_two && held_->type == REDIS_REPLY_ERROR) reply = std::move(held_);
    if (expected == RedisReplies::both) {
      reply = redis_reply_pair(std::move(held_), std::move(reply));
      if (!reply) return drop("out of memory");
    }
    held_.reset();
    pairs_.pop_front();
    if (!resume_oldest_here(std::move(reply))) return;  // the caller's next command found the socket closed
  }
  progress();
  if (waiting()) return read_more();
  stop_reading();
}

Task<> RedisConnection::connect(std::uint64_t generation) {
  auto self = shared_from_this();  // the frame keeps the connection alive
  try {
    error_code ec;
    const auto address = asio::ip::make_address(endpoint_.host, ec);
    if (!ec) {
      co_await socket_.async_connect(tcp::endpoint(address, endpoint_.port),
                                     asio::redirect_error(asio::use_awaitable, ec));
    } else {
      // Resolution runs on Asio's resolver thread, never blocking this one.
      ec.clear();
      const auto results = co_await resolver_.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                                                            asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) co_await asio::async_connect(socket_, results, asio::redirect_error(asio::use_awaitable, ec));
    }
    if (generation != generation_) co_return;  // dropped meanwhile: the watchdog, or a shutdown
    if (ec) {
      drop("cannot reach " + endpoint_.address() + ": " + ec.message());
      co_return;
    }
    socket_.set_option(tcp::no_delay(true), ec);  // small pipelined writes must not wait for Nagle
    reader_ = make_redis_reader();
    if (!co_await handshake(generation)) co_return;
    connected();
  } catch (const std::exception& e) {
    if (generation == generation_) drop(std::string("cannot connect to ") + endpoint_.address() + ": " + e.what());
  }
}

Task<bool> RedisConnection::handshake(std::uint64_t generation) {
  // AUTH and SELECT go first and are answered before any caller's command is sent, so a refused
  // login fails the callers with its own reason instead of a NOAUTH on every command.
  std::vector<std::string> names;
  std::string hello;
  if (endpoint_.needs_auth()) {
    hello += endpoint_.user.empty() ? redis_command("AUTH", endpoint_.password)
                                    : redis_command("AUTH", endpoint_.user, endpoint_.password);
    names.emplace_back("AUTH");
  }
  if (endpoint_.db != 0) {
    hello += redis_command("SELECT", std::to_string(endpoint_.db));
    names.emplace_back("SELECT " + std::to_string(endpoint_.db));
  }
  if (names.empty()) co_return true;
  error_code ec;
  co_await asio::async_write(socket_, asio::buffer(hello), asio::redirect_error(asio::use_awaitable, ec));
  std::size_t answered = 0;
  while (!ec && answered < names.size()) {
    const std::size_t size =
        co_await socket_.async_read_some(asio::buffer(read_buffer_), asio::redirect_error(asio::use_awaitable, ec));
    if (generation != generation_) co_return false;
    if (ec) break;
    redisReaderFeed(reader_.get(), read_buffer_.data(), size);
    void* parsed = nullptr;
    while (answered < names.size() && redisReaderGetReply(reader_.get(), &parsed) == REDIS_OK && parsed != nullptr) {
      const RedisReplyPtr reply(static_cast<redisReply*>(parsed));
      if (reply->type == REDIS_REPLY_ERROR) {
        drop(names[answered] + " refused by " + endpoint_.address() + ": " + std::string(reply->str, reply->len));
        co_return false;
      }
      ++answered;
    }
    if (reader_->err != 0) {
      drop("bad reply from " + endpoint_.address() + ": " + reader_->errstr);
      co_return false;
    }
  }
  if (generation != generation_) co_return false;
  if (ec) {
    const std::string why = ec == asio::error::eof ? "closed by the server" : ec.message();
    drop("cannot reach " + endpoint_.address() + ": " + why);
    co_return false;
  }
  co_return true;
}

void RedisConnection::close_socket() {
  error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  writing_ = false;
  sending_.clear();
}

std::string RedisConnection::stuck_reason(std::chrono::milliseconds limit) const {
  if (state_ == State::connecting) {
    return "cannot reach " + endpoint_.address() + ": no answer within " + milliseconds_text(limit);
  }
  return "no reply from " + endpoint_.address() + " within " + milliseconds_text(limit);
}

}  // namespace cortado::stores
