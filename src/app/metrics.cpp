#include "cortado/app/metrics.hpp"

#include "app/access.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>
#include <utility>

namespace cortado {
namespace {

using SteadyClock = std::chrono::steady_clock;

// One route (by its trail) and method: its histograms by status, found without building any
// label text once seen. Lives in a per-thread table, so finding it takes no lock.
struct RouteCells {
  MetricsRegistry::Family* family = nullptr;
  std::string method;
  std::string path;
  std::vector<std::pair<unsigned, Histogram>> by_status;  // a route answers few statuses: a scan

  Histogram for_status(unsigned status) {
    for (const auto& [code, histogram] : by_status)
      if (code == status) return histogram;
    auto code_text = std::to_string(status);
    Histogram made = family->histogram({method, path, code_text});  // first time: the registry's lock
    by_status.emplace_back(status, made);
    return made;
  }
};

struct RouteKey {
  std::uint64_t instance;  // which metrics() middleware: each may count into its own registry
  Request::RouteTrail trail;
  std::string method;  // short: kept inline by the small-string buffer
  bool operator==(const RouteKey&) const = default;
};

struct RouteKeyHash {
  std::size_t operator()(const RouteKey& k) const noexcept {
    std::size_t h = std::hash<std::uint64_t>{}(k.instance);
    auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
    for (std::size_t i = 0; i < k.trail.depth; ++i) mix(std::hash<const void*>{}(k.trail.patterns[i]));
    mix(std::hash<std::string>{}(k.method));
    return h;
  }
};

struct MetricsState {
  std::uint64_t instance;
  MetricsRegistry::Family* family;
  std::string unmatched_path;

  RouteCells& cells_for(const Request& req) {
    // Entries are never removed: a route's identity is the app's pattern text, which lives as long
    // as the app, and instances are numbered, never reused.
    thread_local std::unordered_map<RouteKey, std::unique_ptr<RouteCells>, RouteKeyHash> table;
    RouteKey key{instance, req.route_trail(), std::string(req.method())};
    auto it = table.find(key);
    if (it != table.end()) return *it->second;
    auto cells = std::make_unique<RouteCells>();
    cells->family = family;
    cells->method = key.method;
    cells->path = req.route_trail().depth ? req.route_pattern() : unmatched_path;
    RouteCells& ref = *cells;
    table.emplace(std::move(key), std::move(cells));
    return ref;
  }
};

std::uint64_t next_instance() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

}  // namespace

Middleware metrics(MetricsOptions options) {
  MetricsRegistry& registry = options.registry ? *options.registry : metrics_registry();
  registry.mark_read();
  auto state = std::make_shared<MetricsState>(MetricsState{
      next_instance(),
      &registry.histogram_family("http_request_duration_seconds",
                                 "Time from the metrics middleware until the response was written, by method, "
                                 "route pattern and status.",
                                 {"method", "path", "status_code"}, std::move(options.buckets)),
      std::move(options.unmatched_path)});
  return make_middleware([state](Request&, Response& res, Next next) {
    auto start = SteadyClock::now();
    // The route is known once the handlers are done, when the headers are about to go; the time
    // is taken once the response is written. The second hook captures two words, which
    // std::function keeps without allocating.
    res.on_headers([state = state.get(), &res, start] {
      RouteCells* cells = &state->cells_for(res.request());
      detail::AppAccess::exchange(res).on_finished.emplace_back([cells, start](const http::RawResponse& raw) {
        std::chrono::duration<double> elapsed = SteadyClock::now() - start;
        cells->for_status(raw.result_int()).observe(elapsed.count());
      });
    });
    next();
  });
}

Middleware metrics_endpoint(MetricsRegistry* registry) {
  MetricsRegistry& r = registry ? *registry : metrics_registry();
  r.mark_read();
  return make_middleware([&r](Request&, Response& res) {
    res.set("Content-Type", metrics_content_type);
    res.set("Cache-Control", "no-store");
    res.send(r.expose());
  });
}

}  // namespace cortado
