// RedisConnection: pipelining over an Asio socket with hiredis as the RESP codec.
#include "redis_connection.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <hiredis/hiredis.h>

#include <sys/socket.h>

#include <cerrno>
#include <new>
#include <stdexcept>

namespace cortado::stores {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

void RedisReplyFree::operator()(redisReply* reply) const { freeReplyObject(reply); }

namespace {

std::string milliseconds_text(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

}  // namespace

std::string redis_format(std::size_t argc, const char* const* argv, const std::size_t* lengths) {
  char* encoded = nullptr;
  // hiredis takes `const char**` but only reads through it.
  const int size = redisFormatCommandArgv(&encoded, static_cast<int>(argc), const_cast<const char**>(argv), lengths);
  if (size < 0) throw std::bad_alloc();
  std::string out(encoded, static_cast<std::size_t>(size));
  redisFreeCommand(encoded);
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
    : endpoint_(std::move(endpoint)),
      // Untracked: an idle connection must never keep its io_context's run() from returning.
      strand_(asio::make_strand(asio::prefer(executor, asio::execution::outstanding_work.untracked))),
      socket_(strand_),
      resolver_(strand_),
      connect_timer_(strand_),
      reply_timer_(strand_),
      reader_(nullptr, redisReaderFree) {}

RedisConnection::~RedisConnection() = default;

Task<RedisReplyPtr> RedisConnection::execute(std::string command) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, RedisReplyPtr)>(
      [self = shared_from_this()](auto handler, std::string command) mutable {
        RedisConnection* connection = self.get();
        // Taken before the handler's type is erased: Boost 1.81's any_completion_executor cannot be posted to.
        auto executor = asio::get_associated_executor(handler, connection->strand_);
        Waiter waiter{Handler(std::move(handler)), std::move(executor)};
        asio::dispatch(connection->strand_,
                       [self = std::move(self), command = std::move(command), waiter = std::move(waiter)]() mutable {
                         self->enqueue(std::move(command), std::move(waiter));
                       });
      },
      asio::use_awaitable, std::move(command));
}

void RedisConnection::enqueue(std::string command, Waiter waiter) {
  waiting_.push_back(std::move(waiter));
  unsent_ += command;
  if (state_ == State::open && waiting_.size() == 1 && !idle_socket_alive()) {
    // Redis restarted (or dropped us) while we were idle: reconnect instead of failing this call.
    reset_socket();
  }
  if (state_ == State::closed) {
    state_ = State::connecting;
    asio::co_spawn(strand_, connect(generation_), asio::detached);
  } else if (state_ == State::open) {
    flush();
  }
}

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
                          return self->fail("lost connection to " + self->endpoint_.address() + ": " + ec.message());
                        self->flush();
                      });
  }
  if (!reading_ && !waiting_.empty()) {
    reading_ = true;
    last_progress_ = std::chrono::steady_clock::now();
    arm_watchdog();
    read_more();
  }
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
    return fail("lost connection to " + endpoint_.address() + ": " + why);
  }
  // An exception here would escape the io_context's run(): every problem fails the callers instead.
  if (redisReaderFeed(reader_.get(), read_buffer_.data(), size) != REDIS_OK) return fail("out of memory");
  for (;;) {
    void* parsed = nullptr;
    if (redisReaderGetReply(reader_.get(), &parsed) != REDIS_OK) {
      return fail("bad reply from " + endpoint_.address() + ": " + reader_->errstr);
    }
    if (parsed == nullptr) break;
    RedisReplyPtr reply(static_cast<redisReply*>(parsed));
    if (waiting_.empty()) return fail("unexpected reply from " + endpoint_.address());
    Waiter waiter = std::move(waiting_.front());
    waiting_.pop_front();
    complete(std::move(waiter), nullptr, std::move(reply));
  }
  last_progress_ = std::chrono::steady_clock::now();
  if (!waiting_.empty()) return read_more();
  // Idle: no read and no timer stay pending, so an io_context with nothing else to do may return.
  reading_ = false;
  reply_timer_.cancel();
}

void RedisConnection::arm_watchdog() {
  // One timer per busy period rather than one per command; it checks for progress when it fires.
  reply_timer_.expires_at(last_progress_ + endpoint_.command_timeout);
  reply_timer_.async_wait([self = shared_from_this(), generation = generation_](error_code ec) {
    if (ec || generation != self->generation_ || !self->reading_) return;
    if (std::chrono::steady_clock::now() < self->last_progress_ + self->endpoint_.command_timeout) {
      return self->arm_watchdog();
    }
    self->fail("no reply from " + self->endpoint_.address() + " within " +
               milliseconds_text(self->endpoint_.command_timeout));
  });
}

Task<> RedisConnection::connect(std::uint64_t generation) {
  auto self = shared_from_this();  // the frame keeps the connection alive
  try {
    connect_timed_out_ = false;
    connect_timer_.expires_after(endpoint_.connect_timeout);
    connect_timer_.async_wait([this, self, generation](error_code ec) {
      if (ec || generation != generation_ || state_ != State::connecting) return;
      connect_timed_out_ = true;
      error_code ignored;
      socket_.close(ignored);
      resolver_.cancel();
    });
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
    if (generation != generation_) co_return;  // shut down meanwhile
    if (ec) {
      const std::string why =
          connect_timed_out_ ? "no answer within " + milliseconds_text(endpoint_.connect_timeout) : ec.message();
      fail("cannot reach " + endpoint_.address() + ": " + why);
      co_return;
    }
    socket_.set_option(tcp::no_delay(true), ec);  // small pipelined writes must not wait for Nagle
    reader_.reset(redisReaderCreate());
    if (!reader_) throw std::bad_alloc();
    if (!co_await handshake(generation)) co_return;
    connect_timer_.cancel();
    state_ = State::open;
    flush();
  } catch (const std::exception& e) {
    if (generation == generation_) fail(std::string("cannot connect to ") + endpoint_.address() + ": " + e.what());
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
        fail(names[answered] + " refused by " + endpoint_.address() + ": " + std::string(reply->str, reply->len));
        co_return false;
      }
      ++answered;
    }
    if (reader_->err != 0) {
      fail("bad reply from " + endpoint_.address() + ": " + reader_->errstr);
      co_return false;
    }
  }
  if (generation != generation_) co_return false;
  if (ec) {
    const std::string why = connect_timed_out_ ? "no answer within " + milliseconds_text(endpoint_.connect_timeout)
                            : ec == asio::error::eof ? "closed by the server"
                                                     : ec.message();
    fail("cannot reach " + endpoint_.address() + ": " + why);
    co_return false;
  }
  co_return true;
}

void RedisConnection::reset_socket() {
  ++generation_;
  error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  connect_timer_.cancel();
  reply_timer_.cancel();
  state_ = State::closed;
  writing_ = false;
  reading_ = false;
  sending_.clear();
}

void RedisConnection::fail(const std::string& reason) {
  // Every caller of this socket gets the reason; their commands may or may not have run.
  std::deque<Waiter> failed;
  failed.swap(waiting_);
  unsent_.clear();
  reset_socket();
  const auto error = std::make_exception_ptr(std::runtime_error("redis store: " + reason));
  for (Waiter& waiter : failed) complete(std::move(waiter), error, nullptr);
}

void RedisConnection::complete(Waiter waiter, std::exception_ptr error, RedisReplyPtr reply) {
  // Posted, not called: the caller's coroutine resumes on its own executor, outside this strand.
  asio::post(waiter.executor, asio::append(std::move(waiter.handler), error, std::move(reply)));
}

void RedisConnection::shutdown() {
  std::deque<Waiter> dropped;
  dropped.swap(waiting_);
  unsent_.clear();
  reset_socket();
  dropped.clear();  // destroying a handler destroys the suspended caller, as Asio does at shutdown
}

}  // namespace cortado::stores
