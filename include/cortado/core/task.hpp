#pragma once
/// Task<T>: the awaitable that handlers, middleware and stores return when they wait on I/O.

#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace cortado {

/// A coroutine that runs on the server's event loop; `co_await` it from another Task.
/// It is Boost.Asio's awaitable, so any Asio operation can be awaited inside it too.
template <class T = void>
using Task = boost::asio::awaitable<T>;

/// Waits without blocking the thread (other requests keep being served meanwhile).
Task<> sleep_for(std::chrono::milliseconds duration);

}  // namespace cortado
