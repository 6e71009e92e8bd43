#pragma once
// LoginThrottle: slows down password guessing. Failures are counted per user name (one account
// under attack) and, with a higher limit, per client address (one client trying many names);
// past a limit within the window, further attempts are refused until the oldest failure ages out.
// Kept in this process's memory: a restart forgets it, and several processes would each count
// on their own (a shared deployment would keep the counters in Redis beside the sessions).

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace demo {

/// How many failures are tolerated, and for how long they count.
struct ThrottleLimits {
  std::size_t per_user = 5;
  std::size_t per_address = 20;
  std::chrono::seconds window = std::chrono::minutes(15);
};

/// Failure counters shared by every I/O thread (hence the mutex).
class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleLimits limits = {}) : limits_(limits) {}

  /// How long to wait before `user` may be tried again from `address`; zero when allowed now.
  std::chrono::seconds retry_after(std::string_view user, std::string_view address);
  /// Counts a failed attempt.
  void failed(std::string_view user, std::string_view address);
  /// Forgets the user's failures after a successful login (the address keeps its count).
  void succeeded(std::string_view user);

 private:
  using clock = std::chrono::steady_clock;
  std::chrono::seconds wait_for(const std::string& key, std::size_t limit, clock::time_point now);
  void forget_old(clock::time_point now);

  ThrottleLimits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<clock::time_point>> failures_;
};

}  // namespace demo
