#include "session/measured_store.hpp"

#include <chrono>
#include <string_view>

namespace cortado::detail {
namespace {

using SteadyClock = std::chrono::steady_clock;

MetricsRegistry::Family& duration_family() {
  static auto& family = metrics_registry().histogram_family(
      "session_store_duration_seconds",
      "Session store calls made by the session middleware and how long they took, by store and operation "
      "(load, save, touch, destroy); failed calls included.",
      {"store", "operation"}, {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5});
  return family;
}

MetricsRegistry::Family& errors_family() {
  static auto& family = metrics_registry().counter_family(
      "session_store_errors_total", "Session store calls that failed, by store and operation.", {"store", "operation"});
  return family;
}

constexpr std::array<std::string_view, StoreMetrics::operations> operation_names{"load", "save", "touch", "destroy"};

// Times one store call; counts it as an error when the call threw. The timing is taken whether
// the call returned or threw, so an outage shows in the latency too.
template <class T>
Task<T> timed(Task<T> call, Histogram duration, Counter errors) {
  auto start = SteadyClock::now();
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(call);
      duration.observe(std::chrono::duration<double>(SteadyClock::now() - start).count());
    } else {
      T result = co_await std::move(call);
      duration.observe(std::chrono::duration<double>(SteadyClock::now() - start).count());
      co_return result;
    }
  } catch (...) {
    duration.observe(std::chrono::duration<double>(SteadyClock::now() - start).count());
    errors.inc();
    throw;
  }
}

// The call itself while nothing reads the metrics: timing it costs a coroutine frame and two
// clock reads per call, a noticeable part of a request served from the memory store.
template <class T>
Task<T> measured(Task<T> call, Histogram duration, Counter errors) {
  if (!metrics_registry().is_read()) return call;
  return timed(std::move(call), duration, errors);
}

}  // namespace

std::string StoreMetrics::label_for(const Store& store) {
  std::string described = store.describe();
  std::size_t end = 0;
  while (end < described.size() && (std::isalnum(static_cast<unsigned char>(described[end])) ||
                                    described[end] == '-' || described[end] == '_'))
    ++end;
  return end ? described.substr(0, end) : "custom";
}

StoreMetrics::StoreMetrics(const Store& store) {
  auto label = label_for(store);
  for (std::size_t op = 0; op < operations; ++op) {
    duration[op] = duration_family().histogram({label, operation_names[op]});
    errors[op] = errors_family().counter({label, operation_names[op]});
  }
}

Task<std::optional<json::object>> MeasuredStore::get(std::string sid) const {
  return measured(store_.get(std::move(sid)), metrics_.duration[StoreMetrics::load], metrics_.errors[StoreMetrics::load]);
}

Task<std::optional<StoredSession>> MeasuredStore::load(std::string sid, json::storage_ptr storage) const {
  return measured(store_.load(std::move(sid), std::move(storage)), metrics_.duration[StoreMetrics::load],
                  metrics_.errors[StoreMetrics::load]);
}

Task<> MeasuredStore::set(std::string sid, json::object session) const {
  return measured(store_.set(std::move(sid), std::move(session)), metrics_.duration[StoreMetrics::save],
                  metrics_.errors[StoreMetrics::save]);
}

Task<> MeasuredStore::set_text(std::string sid, std::string text,
                               std::optional<std::chrono::system_clock::time_point> expires) const {
  return measured(store_.set_text(std::move(sid), std::move(text), expires), metrics_.duration[StoreMetrics::save],
                  metrics_.errors[StoreMetrics::save]);
}

Task<> MeasuredStore::destroy(std::string sid) const {
  return measured(store_.destroy(std::move(sid)), metrics_.duration[StoreMetrics::destroy],
                  metrics_.errors[StoreMetrics::destroy]);
}

Task<> MeasuredStore::touch(std::string sid, json::object session) const {
  return measured(store_.touch(std::move(sid), std::move(session)), metrics_.duration[StoreMetrics::touch],
                  metrics_.errors[StoreMetrics::touch]);
}

Task<> MeasuredStore::touch_until(std::string sid, std::optional<std::chrono::system_clock::time_point> expires) const {
  return measured(store_.touch_until(std::move(sid), expires), metrics_.duration[StoreMetrics::touch],
                  metrics_.errors[StoreMetrics::touch]);
}

}  // namespace cortado::detail
