#pragma once
// ReadWatch: a connection's wait for the bytes of its next request, begun as soon as a read has
// emptied the socket instead of after the response is written.
//
// A keep-alive client sends its next request only once it has read the response. Reading right
// after the response therefore fails (EAGAIN) nearly every time, and only then did the wait
// begin: three system calls per request where nginx makes two. nginx knows the socket is empty
// when a read returns less than it asked for, and waits for the next readiness event without
// trying. Asio's reactor is edge-triggered, so a wait begun after the bytes came would miss their
// event; begun when the read found the socket empty, it sees every later arrival.
//
// Asio 1.81 re-arms the descriptor (epoll_ctl) for every wait it starts, one system call more
// per request than nginx: a wait does not know whether the socket already holds bytes whose
// event was taken, and the re-arm makes the kernel look again. Here it does know: the watch is
// armed right after a read found the socket empty, in the same step, and an io_context run by one
// thread reaches no epoll_wait in between. Every later arrival raises an event on the descriptor,
// which is registered edge-triggered for reading from its start. So on such an io_context (the
// server's workers mark theirs) the wait is a reactor operation of this file's own, queued on the
// descriptor as a read would be, without the re-arm (read_watch.cpp). Elsewhere, or on another
// Boost or reactor, it is Asio's async_wait. (A read operation instead of the wait would be tried
// first every time, a failed recvfrom instead of the epoll_ctl: docs/PERFORMANCE.md.)
//
// The wait's operation lives in the watch's state (no allocation per request), and so does the
// coroutine parked on it. The state is kept alive by the pending operation, so that an operation
// still pending when its connection ends (closed with it, completed later) or when the
// io_context is destroyed (destroyed unrun, and the parked coroutine with it) touches no freed
// memory.

#include "http/op_memory.hpp"

#include "cortado/core/task.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>

#include <memory>
#include <optional>
#include <utility>

namespace cortado::http {

class ReadWatch {
 public:
  ReadWatch() : state_(std::make_shared<State>()) {}

  /// The socket was found empty (a read returned less than it asked for, or would block): from
  /// now on, readiness is watched. Nothing to do while a watch is already pending.
  void arm(boost::asio::ip::tcp::socket& socket);

  /// Whether the watch is pending: nothing has come since the socket was found empty.
  bool pending() const { return state_->phase == Phase::watching; }

  /// The wait on the pending watch, for a Task to `co_await`: true when bytes (or the client's
  /// close) came, false when the wait was cancelled (the sweeper's idle timeout, shutdown). An
  /// operation awaited as it is (deferred), not a Task: use_awaitable's took a coroutine frame per
  /// request for its initiation.
  auto readable() {
    return boost::asio::async_initiate<const boost::asio::deferred_t, void(bool)>(
        [state = state_.get()](Caller caller) { state->parked.emplace(std::move(caller)); }, boost::asio::deferred);
  }

 private:
  // The coroutine parked on the watch: resumed by calling it (on its own executor). Destroyed
  // uncalled, it destroys the coroutine, as Asio does at shutdown.
  using Caller = boost::asio::detail::awaitable_async_op_handler<void(bool), boost::asio::any_io_executor>;
  enum class Phase { idle, watching };

  struct State;

  // The wait as a reactor operation: done when the descriptor's read event comes, not when it is
  // queued (the reactor tries an operation once as it queues it, and this one says not yet).
  class Readiness : public boost::asio::detail::reactor_op {
   public:
    explicit Readiness(State& state);
    bool queuing = true;

   private:
    static status perform(reactor_op* base);
    static void complete(void* owner, boost::asio::detail::scheduler_operation* base,
                         const boost::system::error_code& ignored, std::size_t bytes);
    State& state_;
  };

  struct State {
    Phase phase = Phase::idle;
    std::optional<Caller> parked;
    bool reactor_checked = false;                      // whether `reactor` was looked for yet
    boost::asio::detail::reactor* reactor = nullptr;   // when the waits are Readiness operations
    std::optional<Readiness> readiness;                // the pending one
    std::shared_ptr<State> keep;                       // the state itself, while `readiness` is queued
    OpMemory memory;                                   // the pending async_wait's, otherwise
  };

  // async_wait's handler. Run: the watch ends and a parked coroutine resumes here. Destroyed unrun
  // (the io_context is being destroyed): the parked coroutine is destroyed with it, as Asio
  // destroys a coroutine whose operation is, and the state outlives the operation's memory.
  struct Fired {
    std::shared_ptr<State> state;

    explicit Fired(std::shared_ptr<State> s) : state(std::move(s)) {}
    Fired(Fired&&) noexcept = default;
    Fired& operator=(Fired&&) = delete;
    ~Fired() {
      if (state) state->parked.reset();
    }

    void operator()(boost::system::error_code ec) {
      const std::shared_ptr<State> held = std::move(state);
      held->phase = Phase::idle;
      if (!held->parked) return;
      Caller caller = std::move(*held->parked);
      held->parked.reset();
      std::move(caller)(!ec);
    }
  };

  std::shared_ptr<State> state_;
};

}  // namespace cortado::http
