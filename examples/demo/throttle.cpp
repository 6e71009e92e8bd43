#include "throttle.hpp"

#include <algorithm>
#include <cctype>

namespace demo {
namespace {

// Names are unique without regard to case, so "Alice" and "alice" share one counter.
std::string user_key(std::string_view user) {
  std::string key = "user:";
  for (char c : user) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::string address_key(std::string_view address) { return "address:" + std::string(address); }

// Past this many keys, counters whose failures have all aged out are dropped, so that a flood
// of made-up names cannot grow the map without bound.
constexpr std::size_t tidy_threshold = 10'000;

}  // namespace

std::chrono::seconds LoginThrottle::wait_for(const std::string& key, std::size_t limit, clock::time_point now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::chrono::seconds(0);
  auto& times = it->second;
  while (!times.empty() && now - times.front() >= limits_.window) times.pop_front();
  if (times.size() < limit) return std::chrono::seconds(0);
  // Allowed again once enough of the failures have left the window.
  auto until = times[times.size() - limit] + limits_.window;
  return std::chrono::ceil<std::chrono::seconds>(until - now);
}

std::chrono::seconds LoginThrottle::retry_after(std::string_view user, std::string_view address) {
  std::lock_guard lock(mutex_);
  auto now = clock::now();
  return std::max(wait_for(user_key(user), limits_.per_user, now),
                  wait_for(address_key(address), limits_.per_address, now));
}

void LoginThrottle::failed(std::string_view user, std::string_view address) {
  std::lock_guard lock(mutex_);
  auto now = clock::now();
  if (failures_.size() > tidy_threshold) forget_old(now);
  for (auto key : {user_key(user), address_key(address)}) {
    auto& times = failures_[key];
    times.push_back(now);
    // Only the most recent `per_address` failures can matter to any limit.
    while (times.size() > std::max(limits_.per_user, limits_.per_address)) times.pop_front();
  }
}

void LoginThrottle::succeeded(std::string_view user) {
  std::lock_guard lock(mutex_);
  failures_.erase(user_key(user));
}

void LoginThrottle::forget_old(clock::time_point now) {
  std::erase_if(failures_,
                [&](const auto& entry) { return entry.second.empty() || now - entry.second.back() >= limits_.window; });
}

}  // namespace demo
