#include "cortado/core/off_thread.hpp"

namespace cortado::detail {

OffThreadCalls::OffThreadCalls(boost::asio::execution_context& context) : service(context) {}

void OffThreadCalls::leave() {
  const std::lock_guard lock(mutex_);
  ++away_;
}

void OffThreadCalls::returned() {
  // Notified under the lock: the waiting destructor may free this service as soon as it is released.
  const std::lock_guard lock(mutex_);
  if (--away_ == 0) all_back_.notify_all();
}

void OffThreadCalls::shutdown() {
  abandoned_.store(true, std::memory_order_release);
  std::unique_lock lock(mutex_);
  all_back_.wait(lock, [this] { return away_ == 0; });
}

}  // namespace cortado::detail
