#pragma once
// RedisConnection: one pipelined connection to Redis on one io_context; hiredis only encodes
// commands and parses replies, the socket is Asio's.

#include "redis_url.hpp"

#include "cortado/core/task.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;
struct redisReader;

namespace cortado::stores {

/// Frees a hiredis reply tree.
struct RedisReplyFree {
  void operator()(redisReply* reply) const;
};
/// A parsed reply; the caller owns it.
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyFree>;

/// `argc` arguments in RESP, encoded by hiredis's redisFormatCommandArgv.
std::string redis_format(std::size_t argc, const char* const* argv, const std::size_t* lengths);

/// One command in RESP. Variadic rather than an initializer_list: GCC 12 miscompiles braced
/// lists inside coroutines ("array used as initializer"), and the store calls this in them.
template <class... Args>
std::string redis_command(const Args&... args) {
  const std::array<std::string_view, sizeof...(Args)> views{std::string_view(args)...};
  std::array<const char*, sizeof...(Args)> argv{};
  std::array<std::size_t, sizeof...(Args)> lengths{};
  for (std::size_t i = 0; i < views.size(); ++i) {
    argv[i] = views[i].data();
    lengths[i] = views[i].size();
  }
  return redis_format(views.size(), argv.data(), lengths.data());
}

/// `name` followed by every element of `args` (MGET, DEL of many keys) in RESP.
std::string redis_keys_command(std::string_view name, const std::vector<std::string>& args, std::size_t first,
                               std::size_t count);

/// A connection that lives on one executor (through a strand, so that an io_context run by several
/// threads is safe too), connects on first use, sends every command as soon as it is given
/// (several in flight, replies matched in order) and reconnects on the next command after an outage.
/// While no reply is awaited it keeps no operation pending, so the io_context's run() may return.
class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  /// Nothing happens until the first command.
  RedisConnection(const boost::asio::any_io_executor& executor, RedisEndpoint endpoint);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  /// Sends one encoded command and resumes with its reply (an error reply too); throws
  /// std::runtime_error with a one-line reason when Redis cannot be reached or stops answering.
  Task<RedisReplyPtr> execute(std::string command);

  /// Closes the socket and drops every waiting caller unresumed: the io_context is being destroyed.
  void shutdown();

 private:
  using Handler = boost::asio::any_completion_handler<void(std::exception_ptr, RedisReplyPtr)>;
  struct Waiter {
    Handler handler;
    boost::asio::any_io_executor executor;  // where the caller resumes
  };
  enum class State { closed, connecting, open };

  void enqueue(std::string command, Waiter waiter);
  bool idle_socket_alive();
  void flush();
  void read_more();
  void on_read(std::uint64_t generation, boost::system::error_code ec, std::size_t size);
  void arm_watchdog();
  Task<> connect(std::uint64_t generation);
  Task<bool> handshake(std::uint64_t generation);
  void fail(const std::string& reason);
  void reset_socket();
  void complete(Waiter waiter, std::exception_ptr error, RedisReplyPtr reply);

  RedisEndpoint endpoint_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  // Everything below is touched on strand_ only.
  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer reply_timer_;
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;
  State state_ = State::closed;
  std::uint64_t generation_ = 0;  // bumped when a socket is dropped: late completions of the old one are ignored
  bool connect_timed_out_ = false;
  bool writing_ = false;
  bool reading_ = false;
  std::string unsent_;                                   // encoded commands not yet handed to the socket
  std::string sending_;                                  // the batch the current async_write sends
  std::deque<Waiter> waiting_;                           // callers in the order of their commands, hence of the replies
  std::chrono::steady_clock::time_point last_progress_;  // when reading began or the last reply came
  std::array<char, 16384> read_buffer_{};
};

}  // namespace cortado::stores
