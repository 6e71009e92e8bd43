#pragma once
/// metrics(): request counts and latencies by method, route and status (express-prom-bundle),
/// and the /metrics endpoint that exposes every metric of the process.

#include "cortado/app/handler.hpp"
#include "cortado/core/metrics.hpp"

#include <string>
#include <vector>

namespace cortado {

/// What metrics() counts into.
struct MetricsOptions {
  /// Where the figures go (the process's registry, which metrics_endpoint() exposes, by default).
  MetricsRegistry* registry = nullptr;
  /// Upper bounds of the latency buckets, in seconds (express-prom-bundle's by default).
  std::vector<double> buckets = default_duration_buckets();
  /// The `path` label of a request no route matched (a 404, a static file, a middleware that
  /// answered), so that raw paths never become label values.
  std::string unmatched_path = "none";
};

/// Times each request from this middleware until its response is written, into the histogram
/// `http_request_duration_seconds{method, path, status_code}`, where `path` is the matched
/// route's pattern ("/users/:id"), never the raw path. Put it first (`app.use(metrics())`).
Middleware metrics(MetricsOptions options = {});

/// A handler that answers with every metric of `registry` (default: the process's) in the
/// Prometheus text format: `app.get("/metrics", metrics_endpoint())`.
Middleware metrics_endpoint(MetricsRegistry* registry = nullptr);

}  // namespace cortado
