#pragma once
// RedisConnection: one pipelined connection to Redis on one io_context, and the RESP encoding.

#include "pipelined_connection.hpp"
#include "redis_reply.hpp"
#include "redis_url.hpp"

#include "cortado/core/task.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cortado::stores {

/// `argc` arguments in RESP (an array of bulk strings), as Redis reads a command.
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

/// A command's arguments, encoded only when its connection queues it, straight into the bytes it
/// sends (no string of its own per command: with 64 requests waiting on Redis, each such string
/// was an allocation past glibc's per-thread cache). The arguments must outlive the wait for the
/// reply, as the awaiting caller's locals do.
struct RedisArgs {
  static constexpr std::size_t most = 5;  // SET key value EX seconds
  std::array<std::string_view, most> args{};
  std::size_t count = 0;
};

/// The arguments of one command, as views of `args`.
template <class... Args>
RedisArgs redis_args(const Args&... args) {
  static_assert(sizeof...(Args) <= RedisArgs::most, "RedisArgs holds at most five arguments");
  return RedisArgs{{std::string_view(args)...}, sizeof...(Args)};
}

/// `command` in RESP, appended to `out`.
void append_redis_command(std::string& out, const RedisArgs& command);
/// `command` in RESP.
std::string redis_format(const RedisArgs& command);

/// `name` followed by every element of `args` (MGET, DEL of many keys) in RESP.
std::string redis_keys_command(std::string_view name, const std::vector<std::string>& args, std::size_t first,
                               std::size_t count);

/// Which replies the caller of a request gets.
enum class RedisReplies {
  one,          // `text` is one command
  last_of_two,  // two commands: the second's reply, or the first's when that is an error (execute_pair)
  both,         // two commands: both replies, as an array of two (execute_both)
};

/// What one caller sends: one encoded command, or two that must run back to back (ASKING and the
/// redirected command, a write and its WAIT, a save and its owner binding's TTL). The two are
/// kept apart until they join the connection's unsent bytes: appending one to the other first
/// would reallocate it.
struct RedisRequest {
  std::string text;
  std::string second;  // empty for one command
  RedisReplies replies = RedisReplies::one;
  // Or, when `text` is empty: the commands' arguments (a second only with a second reply).
  RedisArgs first_args{};
  RedisArgs second_args{};
};

/// One pipelined connection to Redis (see PipelinedConnection); hiredis only encodes commands
/// and parses replies, the socket is Asio's.
class RedisConnection final : public PipelinedConnection<RedisConnection, RedisRequest, RedisReplyPtr> {
 public:
  /// Nothing happens until the first command.
  RedisConnection(const boost::asio::any_io_executor& executor, RedisEndpoint endpoint);
  ~RedisConnection() override;

  /// Sends one encoded command and resumes with its reply (an error reply too); throws
  /// ConnectionDropped ("redis store: <reason>") when Redis cannot be reached or stops answering.
  Task<RedisReplyPtr> execute(std::string command) {
    return send(RedisRequest{std::move(command), std::string(), RedisReplies::one});
  }
  /// Sends `first` and `second` adjacently (no other caller's command between them) and resumes
  /// with the reply to `second`, or with the reply to `first` when that is an error.
  Task<RedisReplyPtr> execute_pair(std::string first, std::string second) {
    return send(RedisRequest{std::move(first), std::move(second), RedisReplies::last_of_two});
  }
  /// Sends `first` and `second` adjacently and resumes with both replies, as an array of two
  /// (redis_reply_pair): one round trip and one wait for two keys on the same server.
  Task<RedisReplyPtr> execute_both(std::string first, std::string second) {
    return send(RedisRequest{std::move(first), std::move(second), RedisReplies::both});
  }

 private:
  void add_unsent(RedisRequest request) override {
    if (request.text.empty()) {
      append_redis_command(unsent_, request.first_args);
      if (request.replies != RedisReplies::one) append_redis_command(unsent_, request.second_args);
    } else {
      unsent_ += request.text;
      unsent_ += request.second;
    }
    pairs_.push_back(request.replies);
  }
  // Called when every caller is dropped, so the pair marks go with them.
  void forget_unsent() override {
    unsent_.clear();
    pairs_.clear();
    held_.reset();
  }
  bool idle_socket_alive() override;
  Task<> connect(std::uint64_t generation) override;
  Task<bool> handshake(std::uint64_t generation);
  void flush() override;
  void read_more() override;
  void on_read(std::uint64_t generation, boost::system::error_code ec, std::size_t size);
  void close_socket() override;
  std::string stuck_reason(std::chrono::milliseconds limit) const override;

  RedisEndpoint endpoint_;
  // Everything below is touched on executor_ only.
  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::resolver resolver_;
  RedisReader reader_;
  bool writing_ = false;
  std::string unsent_;   // encoded commands not yet handed to the socket
  std::string sending_;  // the batch the current async_write sends
  std::deque<RedisReplies> pairs_;  // per waiting caller, oldest first: which replies it awaits
  RedisReplyPtr held_;              // the first reply of the oldest caller's two, when it came
  std::array<char, 16384> read_buffer_{};
};

}  // namespace cortado::stores
