#pragma once
/// The wall clock every layer reads: milliseconds since the epoch, as JavaScript's Date.now().

#include <chrono>
#include <cstdint>

namespace cortado {

/// A JavaScript Date's value: milliseconds since the epoch, with its whole range (±275,000
/// years; a system_clock time_point, counting nanoseconds, ends in 2262).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// The current time (Date.now()). On the system clock, because session expiry dates are stored
/// and compared across processes and with Node; timeouts within a process use steady_clock.
inline Timestamp now_ms() { return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

/// now_ms() as the number Date.now() returns, for stores that keep expiry as plain integers.
inline std::int64_t date_now() { return now_ms().time_since_epoch().count(); }

/// A time point as such a number (Date's getTime()), whole milliseconds toward zero.
template <class Duration>
std::int64_t date_value(std::chrono::sys_time<Duration> when) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
}

}  // namespace cortado
