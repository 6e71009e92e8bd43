#pragma once
// PipelinedConnection: what the Redis and PostgreSQL connections share (the callers waiting in
// order, the generation counter, dropping, the watchdog); the protocol is the derived class's.

#include "cortado/core/one_thread.hpp"
#include "cortado/core/task.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace cortado::stores {

/// How timeout messages name a duration: "300 ms".
inline std::string milliseconds_text(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

/// What a caller gets when its connection was dropped before its reply came.
class ConnectionDropped : public std::runtime_error {
 public:
  /// what() is "<store> store: <reason>".
  ConnectionDropped(const std::string& store, std::string reason, bool retryable)
      : std::runtime_error(store + " store: " + reason), reason_(std::move(reason)), retryable_(retryable) {}

  /// Why, in one line.
  const std::string& reason() const { return reason_; }
  /// Whether sending the command again, on a new connection, may help.
  bool retryable() const { return retryable_; }

 private:
  std::string reason_;
  bool retryable_;
};

/// What a caller of a connection is resumed with: its reply, or why there is none.
template <class Reply>
struct Outcome {
  std::exception_ptr error;  // a ConnectionDropped, when there is no reply
  Reply reply;

  /// The reply; throws the error instead when there is one.
  Reply take() && {
    if (error) std::rethrow_exception(error);
    return std::move(reply);
  }
};

/// What is left of a coroutine that awaits `await_outcome()`: resumed by calling it with the
/// Outcome, on its own executor (its associated one); destroying it uncalled destroys the
/// coroutine, as Asio does at shutdown. Kept as it is, not type-erased (any_completion_handler
/// cost an allocation per command).
template <class Reply>
using OutcomeCaller =
    boost::asio::detail::awaitable_async_op_handler<void(Outcome<Reply>), boost::asio::any_io_executor>;

/// The operation that `start(caller)` begins (`start` keeps `caller` to call when it is done),
/// for a Task to `co_await` (it yields the Outcome). An operation awaited this way costs no
/// coroutine frame, where one awaited through use_awaitable costs one for its initiation: a frame
/// that, while 64 requests wait on a store, misses Asio's recycling cache and is a malloc and a
/// free. Its signature takes one argument because Boost 1.81 cannot await an operation that
/// completes with (exception_ptr, value): its awaitable_async_op_handler for that signature does
/// not compile.
template <class Reply, class Start>
auto await_outcome(Start start) {
  return boost::asio::async_initiate<const boost::asio::deferred_t, void(Outcome<Reply>)>(
      [](auto caller, Start start) {
        static_assert(std::is_same_v<decltype(caller), OutcomeCaller<Reply>>,
                      "awaited from a Task (an awaitable on any_io_executor)");
        std::move(start)(std::move(caller));
      },
      boost::asio::deferred, std::move(start));
}

/// One connection to a server on one executor (through a strand, so that an io_context run by
/// several threads is safe too; on an io_context marked as run by one thread, directly). It
/// connects on first use, sends every command as soon as it is given (several in flight, replies
/// matched in order) and reconnects on the next command after an outage. While no reply is
/// awaited it keeps no operation pending, so the io_context's run() may return. `Connection` is
/// the derived class (its handlers keep it alive through shared_from_this()); it writes
/// `Command`s and parses `Reply`s.
///
/// One watchdog rule covers every wait: a connection that has callers waiting and has made no
/// progress for its limit is dropped, and every caller fails with a one-line reason. The limit is
/// connect_timeout while connecting (counted from the start: a connect and its login are one
/// step) and command_timeout while replies are due (each read from the server is progress); zero
/// or less is no limit. It is one timer per connection, not one per wait (as the PostgreSQL store
/// had): waits cannot lift or move each other's deadline since the connection has one, the rule
/// holds for a connect too, and a busy connection arms one timer rather than one per command.
template <class Connection, class Command, class Reply>
class PipelinedConnection : public std::enable_shared_from_this<Connection> {
 public:
  PipelinedConnection(const PipelinedConnection&) = delete;
  PipelinedConnection& operator=(const PipelinedConnection&) = delete;
  virtual ~PipelinedConnection() = default;

  using Caller = OutcomeCaller<Reply>;

  /// Sends `command` after every earlier one; `caller` is resumed with its reply, or with a
  /// ConnectionDropped when the connection goes first. From any thread.
  void begin(Command command, Caller caller);

  /// Closes the socket and drops every waiting caller unresumed: the io_context is being destroyed.
  void shutdown();

 protected:
  enum class State { closed, connecting, open };

  /// Nothing happens until the first command. `store` names the store in error messages.
  PipelinedConnection(const boost::asio::any_io_executor& executor, std::string store,
                      std::chrono::milliseconds connect_timeout, std::chrono::milliseconds command_timeout);

  /// begin() for a Task to `co_await`, without a frame: it yields the Outcome.
  auto submit(Command command) {
    return await_outcome<Reply>([self = this->shared_from_this(), command = std::move(command)](Caller caller) mutable {
      self->begin(std::move(command), std::move(caller));
    });
  }
  /// submit() awaited: the reply; throws ConnectionDropped when the connection goes first.
  Task<Reply> send(Command command);

  // For the protocol's part, on executor_.
  void connected();                  // the connect and login succeeded: what waited is sent now
  void start_reading();              // replies are due: reads begin and the watchdog counts from now
  bool reading() const { return reading_; }
  void progress();                   // something came from the server
  bool waiting() const { return !callers_.empty(); }
  void resume_oldest(Reply reply);   // the oldest caller's reply came
  // resume_oldest(), but the caller runs at once, inside this call, up to its next wait, when it
  // runs on this connection's own thread; false when that run reset or dropped this socket (a
  // command on a connection the server had closed): the protocol then stops reading from it.
  bool resume_oldest_here(Reply reply);
  void stop_reading();               // nothing is due: nothing stays pending
  void reset_socket();               // closes the socket and keeps the callers, to connect again
  // Closes the socket; every caller fails with `reason`, and learns whether a retry may help.
  void drop(std::string reason, bool retryable = false);

  // The protocol's part, on executor_.
  virtual void add_unsent(Command command) = 0;    // queued for the next flush()
  virtual void forget_unsent() = 0;
  virtual bool idle_socket_alive() = 0;            // whether the server kept the idle connection
  virtual Task<> connect(std::uint64_t generation) = 0;  // connected() or drop(), unless dropped meanwhile
  virtual void flush() = 0;                        // sends what is unsent, then start_reading()
  virtual void read_more() = 0;                    // reads on while waiting()
  virtual void close_socket() = 0;
  virtual std::string stuck_reason(std::chrono::milliseconds limit) const = 0;  // the watchdog's

  // Where everything of this connection runs: a strand on the caller's io_context, or, when one
  // thread alone runs it (run_by_one_thread), its executor itself. A strand there would cost
  // every command a post and a lock for an order that thread keeps anyway.
  boost::asio::any_io_executor executor_;
  // Everything below is touched on executor_ only.
  State state_ = State::closed;
  std::uint64_t generation_ = 0;  // bumped when a socket is dropped: late completions of the old one are ignored

 private:
  static boost::asio::any_io_executor serial(const boost::asio::any_io_executor& executor) {
    if (run_by_one_thread(executor)) return executor;
    return boost::asio::make_strand(executor);
  }
  // Whether the caller runs on the thread that alone runs executor_ (the server's workers' case),
  // so that it may call enqueue() itself: dispatch() through the type-erased executor would
  // allocate a function object for it even when it runs it at once.
  bool on_own_thread() const {
    const auto* context = executor_.template target<boost::asio::io_context::executor_type>();
    return context != nullptr && context->running_in_this_thread();
  }
  void enqueue(Command command, Caller caller);
  void complete(Caller caller, std::exception_ptr error, Reply reply);
  std::chrono::milliseconds limit() const { return state_ == State::connecting ? connect_timeout_ : command_timeout_; }
  void arm_watchdog();
  void on_watchdog(std::uint64_t generation, boost::system::error_code ec);

  std::string store_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds command_timeout_;
  boost::asio::steady_timer watchdog_;
  std::deque<Caller> callers_;  // in the order of their commands, hence of the replies
  bool reading_ = false;
  std::chrono::steady_clock::time_point last_progress_;  // when connecting or reading began, or data last came
};

template <class Connection, class Command, class Reply>
PipelinedConnection<Connection, Command, Reply>::PipelinedConnection(const boost::asio::any_io_executor& executor,
                                                                     std::string store,
                                                                     std::chrono::milliseconds connect_timeout,
                                                                     std::chrono::milliseconds command_timeout)
    // Untracked: an idle connection must never keep its io_context's run() from returning.
    : executor_(serial(boost::asio::prefer(executor, boost::asio::execution::outstanding_work.untracked))),
      store_(std::move(store)),
      connect_timeout_(connect_timeout),
      command_timeout_(command_timeout),
      watchdog_(executor_) {}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::begin(Command command, Caller caller) {
  if (on_own_thread()) return enqueue(std::move(command), std::move(caller));
  boost::asio::dispatch(executor_, [self = this->shared_from_this(), command = std::move(command),
                                    caller = std::move(caller)]() mutable {
    self->enqueue(std::move(command), std::move(caller));
  });
}

template <class Connection, class Command, class Reply>
Task<Reply> PipelinedConnection<Connection, Command, Reply>::send(Command command) {
  Outcome<Reply> outcome = co_await submit(std::move(command));
  co_return std::move(outcome).take();
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::enqueue(Command command, Caller caller) {
  callers_.push_back(std::move(caller));
  add_unsent(std::move(command));
  if (state_ == State::open && callers_.size() == 1 && !idle_socket_alive()) {
    // The server restarted (or dropped us) while we were idle: reconnect instead of failing this call.
    reset_socket();
  }
  if (state_ == State::closed) {
    state_ = State::connecting;
    progress();
    arm_watchdog();
    boost::asio::co_spawn(executor_, connect(generation_), boost::asio::detached);
  } else if (state_ == State::open) {
    flush();
  }
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::connected() {
  state_ = State::open;
  flush();
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::start_reading() {
  if (reading_ || callers_.empty()) return;
  reading_ = true;
  progress();
  arm_watchdog();
  read_more();
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::progress() {
  last_progress_ = std::chrono::steady_clock::now();
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::resume_oldest(Reply reply) {
  Caller caller = std::move(callers_.front());
  callers_.pop_front();
  complete(std::move(caller), nullptr, std::move(reply));
}

template <class Connection, class Command, class Reply>
bool PipelinedConnection<Connection, Command, Reply>::resume_oldest_here(Reply reply) {
  // Called rather than posted: a post queues an operation (an allocation once 64 requests wait)
  // and takes the scheduler's lock twice, per command. Only where the caller would run on this
  // very thread anyway: on the io_context this connection alone lives on.
  using ContextExecutor = boost::asio::io_context::executor_type;
  Caller caller = std::move(callers_.front());
  callers_.pop_front();
  const boost::asio::any_io_executor executor = boost::asio::get_associated_executor(caller);
  const auto* context = executor.template target<ContextExecutor>();
  if (!on_own_thread() || context == nullptr || *context != *executor_.template target<ContextExecutor>()) {
    complete(std::move(caller), nullptr, std::move(reply));
    return true;
  }
  const std::uint64_t generation = generation_;
  std::move(caller)(Outcome<Reply>{nullptr, std::move(reply)});
  return generation == generation_;
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::stop_reading() {
  reading_ = false;
  watchdog_.cancel();
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::reset_socket() {
  ++generation_;
  close_socket();
  watchdog_.cancel();
  state_ = State::closed;
  reading_ = false;
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::drop(std::string reason, bool retryable) {
  // Every caller of this socket gets the reason; their commands may or may not have run.
  std::deque<Caller> failed;
  failed.swap(callers_);
  forget_unsent();
  reset_socket();
  const auto error = std::make_exception_ptr(ConnectionDropped(store_, std::move(reason), retryable));
  for (Caller& caller : failed) complete(std::move(caller), error, Reply{});
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::shutdown() {
  std::deque<Caller> dropped;
  dropped.swap(callers_);
  forget_unsent();
  reset_socket();
  dropped.clear();  // destroying a handler destroys the suspended caller, as Asio does at shutdown
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::complete(Caller caller, std::exception_ptr error, Reply reply) {
  // Posted, not called: the caller's coroutine resumes on its own executor, after this handler.
  // When that executor is an io_context's own (a server worker's coroutine), it is posted to
  // through that type, bound to the handler: through the type-erased executor, each post also
  // allocated a function object. (Passed to post() beside the handler instead of bound, an
  // executor of another type than the handler's makes post() wrap it in a work_dispatcher that
  // counts outstanding work: a tenth of a Redis request's instructions.)
  const boost::asio::any_io_executor executor = boost::asio::get_associated_executor(caller);
  auto resumed = boost::asio::append(std::move(caller), Outcome<Reply>{error, std::move(reply)});
  if (const auto* context = executor.template target<boost::asio::io_context::executor_type>()) {
    boost::asio::post(boost::asio::bind_executor(*context, std::move(resumed)));
    return;
  }
  boost::asio::post(std::move(resumed));
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::arm_watchdog() {
  // Armed once per connect or busy period rather than once per command; it checks for progress
  // when it fires.
  const std::chrono::milliseconds limit = this->limit();
  if (limit <= std::chrono::milliseconds::zero()) return;
  watchdog_.expires_at(last_progress_ + limit);
  watchdog_.async_wait([self = this->shared_from_this(), generation = generation_](boost::system::error_code ec) {
    static_cast<PipelinedConnection&>(*self).on_watchdog(generation, ec);
  });
}

template <class Connection, class Command, class Reply>
void PipelinedConnection<Connection, Command, Reply>::on_watchdog(std::uint64_t generation,
                                                                  boost::system::error_code ec) {
  const bool watched = state_ == State::connecting || reading_;
  if (ec || generation != generation_ || !watched) return;
  if (std::chrono::steady_clock::now() < last_progress_ + limit()) return arm_watchdog();
  drop(stuck_reason(limit()));
}

}  // namespace cortado::stores
