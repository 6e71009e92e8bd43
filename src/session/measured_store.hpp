#pragma once
// The session middleware's calls into its store, counted and timed per store and operation
// (session_store_duration_seconds, session_store_errors_total).

#include "cortado/core/metrics.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/store.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string>

namespace cortado::detail {

/// One store's metric handles, made when the middleware is.
struct StoreMetrics {
  enum Operation { load, save, touch, destroy, operations };
  explicit StoreMetrics(const Store& store);
  /// The store's kind as a label: the first word of describe() ("memory", "sqlite", "redis").
  static std::string label_for(const Store& store);

  std::array<Histogram, operations> duration;
  std::array<Counter, operations> errors;
};

/// What SessionContext::store() hands out: the store's calls, each measured. A value that refers
/// to the store and its metrics, both kept by the middleware's config.
class MeasuredStore {
 public:
  /// `memory`: the store, when it is a MemoryStore.
  MeasuredStore(Store& store, const StoreMetrics& metrics, MemoryStore* memory = nullptr)
      : store_(store), metrics_(metrics), memory_(memory) {}

  /// The MemoryStore to call without a coroutine (get_now, set_now, touch_now) when the store is
  /// one and nothing times its calls; null otherwise, and the calls below are made.
  MemoryStore* at_once() const { return memory_ && !metrics_registry().is_read() ? memory_ : nullptr; }

  Task<std::optional<json::object>> get(std::string sid) const;
  Task<std::optional<StoredSession>> load(std::string sid, json::storage_ptr storage) const;
  Task<> set(std::string sid, json::object session) const;
  bool takes_text() const { return store_.takes_text(); }
  Task<> set_text(std::string sid, std::string text, std::optional<std::chrono::system_clock::time_point> expires) const;
  Task<> destroy(std::string sid) const;
  Task<> touch(std::string sid, json::object session) const;
  bool touches_by_expiry() const { return store_.touches_by_expiry(); }
  Task<> touch_until(std::string sid, std::optional<std::chrono::system_clock::time_point> expires) const;

 private:
  Store& store_;
  const StoreMetrics& metrics_;
  MemoryStore* memory_;
};

}  // namespace cortado::detail
