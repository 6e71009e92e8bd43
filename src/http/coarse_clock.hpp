#pragma once
// Clock reads for what needs no finer precision than a few milliseconds: a connection's deadlines
// (timeouts of seconds) and the Date header (a second). The COARSE clocks give the kernel's last
// tick (1 to 4 ms old) from the vDSO without reading the hardware counter; the four precise reads
// every response made came to about 2% of a small request's CPU (perf record on session-lab, W1m).

#include <chrono>
#include <ctime>

namespace cortado::http {

/// steady_clock::now(), up to a tick early (CLOCK_MONOTONIC_COARSE counts from the same origin
/// as the CLOCK_MONOTONIC behind steady_clock): a deadline set from it comes that much sooner.
inline std::chrono::steady_clock::time_point coarse_steady_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

/// The wall clock's current second, up to a tick late.
inline std::chrono::sys_seconds coarse_wall_second() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return std::chrono::sys_seconds(std::chrono::seconds(ts.tv_sec));
}

}  // namespace cortado::http
