// ReadWatch::arm and the Readiness operation (read_watch.hpp says why a wait of its own).
#include "http/read_watch.hpp"

#include "cortado/core/one_thread.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/version.hpp>

namespace cortado::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Readiness is queued where Asio's own operations are, on the reactor of this Boost: epoll's of
// 1.81, whose start_op() it calls. Another version or reactor waits with async_wait instead.
#if BOOST_VERSION == 108100 && defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
constexpr bool readiness_supported = true;

// A socket's registration with the reactor, which basic_socket keeps in a protected member: named
// through a class derived from it, the member pointer applies to any socket.
struct SocketImplementation : tcp::socket {
  static asio::detail::reactor::per_descriptor_data& reactor_data(tcp::socket& socket) {
    return (socket.*&SocketImplementation::impl_).get_implementation().reactor_data_;
  }
};

void queue_readiness(asio::detail::reactor& reactor, tcp::socket& socket, asio::detail::reactor_op& op) {
  reactor.start_op(asio::detail::reactor::read_op, socket.native_handle(), SocketImplementation::reactor_data(socket),
                   &op, /*is_continuation=*/false, /*allow_speculative=*/true);
}
#else
constexpr bool readiness_supported = false;

void queue_readiness(asio::detail::reactor&, tcp::socket&, asio::detail::reactor_op&) {}
#endif

}  // namespace

void ReadWatch::arm(tcp::socket& socket) {
  State& state = *state_;
  if (state.phase == Phase::watching) return;
  state.phase = Phase::watching;
  if (!state.reactor_checked) {
    // Once per connection: has_service takes the context's service lock.
    state.reactor_checked = true;
    if (readiness_supported && run_by_one_thread(socket.get_executor())) {
      auto& context = asio::query(socket.get_executor(), asio::execution::context);
      state.reactor = &asio::use_service<asio::detail::reactor>(context);
    }
  }
  if (state.reactor != nullptr) {
    state.readiness.emplace(state);
    state.keep = state_;
    queue_readiness(*state.reactor, socket, *state.readiness);
    state.readiness->queuing = false;
    return;
  }
  socket.async_wait(tcp::socket::wait_read, asio::bind_allocator(OpAllocator<void>(state.memory), Fired{state_}));
}

ReadWatch::Readiness::Readiness(State& state)
    : reactor_op(boost::system::error_code(), &Readiness::perform, &Readiness::complete), state_(state) {}

asio::detail::reactor_op::status ReadWatch::Readiness::perform(reactor_op* base) {
  // Tried as it is queued: not done, so that it waits (without the re-arm that a wait which is
  // never tried makes). Tried on the descriptor's read event (or an error or hang-up): done.
  return static_cast<Readiness*>(base)->queuing ? not_done : done;
}

void ReadWatch::Readiness::complete(void* owner, asio::detail::scheduler_operation* base,
                                    const boost::system::error_code& /*ignored*/, std::size_t /*bytes*/) {
  // Run (owner is the scheduler): the watch ends, and a parked coroutine resumes here, on the
  // one thread of its io_context. Destroyed unrun (no owner: the io_context is being destroyed):
  // the parked coroutine is destroyed with it, as Asio destroys a coroutine whose operation is.
  auto* op = static_cast<Readiness*>(base);
  State& state = op->state_;
  const std::shared_ptr<State> held = std::move(state.keep);  // the state outlives this call
  const bool readable = !op->ec_;                             // not cancelled, not closed
  state.phase = Phase::idle;
  state.readiness.reset();  // the operation itself; the reactor is done with it
  if (!state.parked) return;
  Caller caller = std::move(*state.parked);
  state.parked.reset();
  if (owner != nullptr) std::move(caller)(readable);
}

}  // namespace cortado::http
