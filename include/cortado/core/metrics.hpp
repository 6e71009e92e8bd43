#pragma once
/// Metrics: counters, gauges and histograms with labels, exposed in the Prometheus text format.

#include <atomic>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cortado {

namespace detail {
/// Adds `amount` to this thread's cell `slot`. Each thread writes only its own cells, so the hot
/// path takes no lock and shares no cache line with another thread; a scrape sums the cells.
void add_to_cell(std::size_t slot, double amount);
/// The sum of cell `slot` over every thread, living or ended.
double sum_of_cell(std::size_t slot);
}  // namespace detail

/// A value that only goes up (Prometheus counter). A handle: cheap to copy, valid while the
/// registry that made it lives.
class Counter {
 public:
  Counter() = default;
  void inc(double amount = 1) const { detail::add_to_cell(slot_, amount); }
  /// The sum over all threads (takes the registry's lock: for tests and scrapes, not the hot path).
  double value() const { return detail::sum_of_cell(slot_); }

 private:
  friend class MetricsRegistry;
  explicit Counter(std::size_t slot) : slot_(slot) {}
  std::size_t slot_ = 0;
};

/// A value that goes up and down (Prometheus gauge), kept as per-thread increments and decrements.
class Gauge {
 public:
  Gauge() = default;
  void inc(double amount = 1) const { detail::add_to_cell(slot_, amount); }
  void dec(double amount = 1) const { detail::add_to_cell(slot_, -amount); }
  double value() const { return detail::sum_of_cell(slot_); }

 private:
  friend class MetricsRegistry;
  explicit Gauge(std::size_t slot) : slot_(slot) {}
  std::size_t slot_ = 0;
};

/// Observations counted into buckets (Prometheus histogram): one cell per bucket (not
/// cumulative, so an observation touches one cell) and one for the sum.
class Histogram {
 public:
  Histogram() = default;
  void observe(double value) const {
    std::size_t i = 0;
    while (i < bounds_->size() && value > (*bounds_)[i]) ++i;  // a dozen bounds: a scan beats a search
    detail::add_to_cell(slot_ + i, 1);
    detail::add_to_cell(slot_ + bounds_->size() + 1, value);
  }
  /// How many observations, and their sum (for tests; takes the registry's lock).
  double count() const;
  double sum() const { return detail::sum_of_cell(slot_ + bounds_->size() + 1); }

 private:
  friend class MetricsRegistry;
  Histogram(std::size_t slot, const std::vector<double>* bounds) : slot_(slot), bounds_(bounds) {}
  std::size_t slot_ = 0;
  const std::vector<double>* bounds_ = nullptr;  // the family's upper bounds, +Inf left out
};

/// Families of metrics by name, and their text exposition. Making a family or a new label set
/// takes a lock; counting into one does not. Families and label sets live as long as the registry.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  /// A family of counters, gauges or histograms. Asking again for the same name returns the same
  /// family; a different kind or label names under that name throws std::invalid_argument, as
  /// does a name or label name Prometheus would refuse.
  class Family {
   public:
    Counter counter(std::span<const std::string_view> label_values);
    Counter counter(std::initializer_list<std::string_view> label_values = {}) {
      return counter(std::span<const std::string_view>(label_values.begin(), label_values.size()));
    }
    Gauge gauge(std::span<const std::string_view> label_values);
    Gauge gauge(std::initializer_list<std::string_view> label_values = {}) {
      return gauge(std::span<const std::string_view>(label_values.begin(), label_values.size()));
    }
    Histogram histogram(std::span<const std::string_view> label_values);
    Histogram histogram(std::initializer_list<std::string_view> label_values = {}) {
      return histogram(std::span<const std::string_view>(label_values.begin(), label_values.size()));
    }

   private:
    friend class MetricsRegistry;
    enum class Kind { counter, gauge, histogram };
    std::size_t slot_for(Kind kind, std::span<const std::string_view> label_values);

    MetricsRegistry* registry_ = nullptr;
    Kind kind_{};
    std::string name_;
    std::string help_;
    std::vector<std::string> label_names_;
    std::vector<double> bounds_;
    /// Label values -> first cell; ordered, so the exposition is stable.
    std::map<std::vector<std::string>, std::size_t> children_;
    /// Gauges computed at scrape time (by label values), summed with the cells.
    std::vector<std::pair<std::vector<std::string>, std::function<double()>>> callbacks_;
    std::vector<std::size_t> callback_ids_;
  };

  Family& counter_family(std::string_view name, std::string_view help, std::vector<std::string> label_names = {});
  Family& gauge_family(std::string_view name, std::string_view help, std::vector<std::string> label_names = {});
  /// `bounds`: the buckets' upper bounds, ascending (+Inf is added).
  Family& histogram_family(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                           std::vector<double> bounds);

  /// A gauge read by calling `read` at each scrape (a store's live sessions, say): it lasts until
  /// the returned handle is destroyed. `read` runs on the scraping thread, under the registry's lock.
  class CallbackHandle {
   public:
    CallbackHandle() = default;
    CallbackHandle(CallbackHandle&& other) noexcept { *this = std::move(other); }
    CallbackHandle& operator=(CallbackHandle&& other) noexcept;
    ~CallbackHandle();

   private:
    friend class MetricsRegistry;
    CallbackHandle(MetricsRegistry* registry, Family* family, std::size_t id)
        : registry_(registry), family_(family), id_(id) {}
    MetricsRegistry* registry_ = nullptr;
    Family* family_ = nullptr;
    std::size_t id_ = 0;
  };
  [[nodiscard]] CallbackHandle gauge_callback(Family& family, std::vector<std::string> label_values,
                                              std::function<double()> read);

  /// Every family in the Prometheus text format 0.0.4 (families by name, label sets in order).
  /// Calling it marks the registry as read (see is_read()).
  std::string expose() const;

  /// Whether anything reads the registry: metrics() or metrics_endpoint() was made with it, or
  /// expose() was called. Counting costs next to nothing and is always done; a measurement that
  /// costs more (the session store's call timings: two clock reads and a coroutine frame per
  /// call) is taken only once the registry is read, so an app without metrics does not pay it.
  bool is_read() const { return read_.load(std::memory_order_relaxed); }
  void mark_read() const { read_.store(true, std::memory_order_relaxed); }

 private:
  Family& family(Family::Kind kind, std::string_view name, std::string_view help,
                 std::vector<std::string> label_names, std::vector<double> bounds);

  mutable std::mutex mutex_;
  mutable std::atomic<bool> read_{false};
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::size_t next_callback_id_ = 1;
};

/// The process's registry: what cortado's own metrics use and metrics_endpoint() exposes.
MetricsRegistry& metrics_registry();

/// The Content-Type of the text format: `text/plain; version=0.0.4; charset=utf-8`.
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// express-prom-bundle's buckets for request durations, in seconds.
inline const std::vector<double>& default_duration_buckets() {
  static const std::vector<double> buckets{0.003, 0.03, 0.1, 0.3, 1.5, 10};
  return buckets;
}

}  // namespace cortado
