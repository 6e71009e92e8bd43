#include "cortado/core/metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cortado {
namespace {

TEST(Metrics, ConcurrentIncrementsFromManyThreadsSumExactly) {
  MetricsRegistry registry;
  auto& family = registry.counter_family("jobs_total", "Jobs done.", {"kind"});
  constexpr int threads = 8;
  constexpr int per_thread = 100'000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&family] {
      // Each thread asks for the handle itself, as request handlers on I/O threads do.
      auto counter = family.counter({"a"});
      for (int i = 0; i < per_thread; ++i) counter.inc();
    });
  for (auto& w : workers) w.join();  // ended threads fold their cells into the total
  EXPECT_EQ(family.counter({"a"}).value(), double(threads) * per_thread);
  EXPECT_EQ(family.counter({"b"}).value(), 0);
}

TEST(Metrics, ScrapeWhileThreadsCountSeesAMonotonicTotal) {
  MetricsRegistry registry;
  auto counter = registry.counter_family("ticks_total", "Ticks.").counter();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 200'000; ++i) counter.inc();
    done = true;
  });
  double last = 0;
  while (!done) {
    double now = counter.value();
    EXPECT_GE(now, last);
    last = now;
  }
  writer.join();
  EXPECT_EQ(counter.value(), 200'000);
}

TEST(Metrics, GaugesGoBothWaysAcrossThreads) {
  MetricsRegistry registry;
  auto gauge = registry.gauge_family("open", "Open things.").gauge();
  std::thread up([&] {
    for (int i = 0; i < 1000; ++i) gauge.inc();
  });
  std::thread down([&] {
    for (int i = 0; i < 400; ++i) gauge.dec();
  });
  up.join();
  down.join();
  EXPECT_EQ(gauge.value(), 600);
}

TEST(Metrics, HistogramBucketsAreCumulativeInTheExposition) {
  MetricsRegistry registry;
  auto h = registry.histogram_family("latency_seconds", "Latency.", {"route"}, {0.1, 1}).histogram({"/x"});
  h.observe(0.05);
  h.observe(0.1);  // a bound is inclusive (le)
  h.observe(0.5);
  h.observe(7);
  EXPECT_EQ(h.count(), 4);
  EXPECT_DOUBLE_EQ(h.sum(), 7.65);
  EXPECT_EQ(registry.expose(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/x\"} 7.65\n"
            "latency_seconds_count{route=\"/x\"} 4\n");
}

TEST(Metrics, ExpositionEscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.counter_family("odd_total", "Help with \\ and\nnewline, \"quotes\" kept.", {"path"})
      .counter({"a\"b\\c\nd"})
      .inc(3);
  EXPECT_EQ(registry.expose(),
            "# HELP odd_total Help with \\\\ and\\nnewline, \"quotes\" kept.\n"
            "# TYPE odd_total counter\n"
            "odd_total{path=\"a\\\"b\\\\c\\nd\"} 3\n");
}

TEST(Metrics, FamiliesAndLabelSetsAreSortedAndFractionsKept) {
  MetricsRegistry registry;
  auto& b = registry.gauge_family("b_value", "B.", {"k"});
  b.gauge({"z"}).inc(0.25);
  b.gauge({"a"}).inc(2);
  registry.counter_family("a_total", "A.").counter().inc();
  EXPECT_EQ(registry.expose(),
            "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n"
            "# HELP b_value B.\n# TYPE b_value gauge\nb_value{k=\"a\"} 2\nb_value{k=\"z\"} 0.25\n");
}

TEST(Metrics, CallbackGaugesAreReadAtScrapeAndGoWithTheirHandle) {
  MetricsRegistry registry;
  auto& family = registry.gauge_family("live", "Live things.", {"store"});
  double held = 5;
  {
    auto handle = registry.gauge_callback(family, {"memory"}, [&] { return held; });
    auto second = registry.gauge_callback(family, {"memory"}, [] { return 2.0; });  // summed
    EXPECT_NE(registry.expose().find("live{store=\"memory\"} 7\n"), std::string::npos);
    held = 6;
    EXPECT_NE(registry.expose().find("live{store=\"memory\"} 8\n"), std::string::npos);
  }
  EXPECT_EQ(registry.expose().find("live{"), std::string::npos);
}

TEST(Metrics, RefusesBadNamesAndMismatchedRegistrations) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.counter_family("1abc", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter_family("a-b", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter_family("ok", "x", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram_family("h", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram_family("h", "x", {}, {2, 1}), std::invalid_argument);
  auto& f = registry.counter_family("same_total", "x", {"a"});
  EXPECT_EQ(&registry.counter_family("same_total", "x", {"a"}), &f);
  EXPECT_THROW(registry.gauge_family("same_total", "x", {"a"}), std::invalid_argument);
  EXPECT_THROW(registry.counter_family("same_total", "x", {"b"}), std::invalid_argument);
  EXPECT_THROW(f.counter({"1", "2"}), std::invalid_argument);
  EXPECT_THROW(f.gauge({"1"}), std::invalid_argument);
}

}  // namespace
}  // namespace cortado
