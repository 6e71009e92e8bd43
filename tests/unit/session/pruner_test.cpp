#include "session/pruner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace cortado::detail {
namespace {

using namespace std::chrono_literals;

// Polls `condition` until it holds or two seconds pass (the machine may be busy).
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

template <class F>
std::chrono::steady_clock::duration time_of(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::steady_clock::now() - start;
}

TEST(Pruner, RunsTheRoundEveryInterval) {
  std::atomic<int> rounds{0};
  Pruner pruner(10ms, [&](std::stop_token) { ++rounds; });
  EXPECT_TRUE(pruner.running());
  EXPECT_TRUE(eventually([&] { return rounds >= 3; }));
}

TEST(Pruner, WaitsAnIntervalFirstUnlessAskedToRunAtStart) {
  std::atomic<int> waited{0};
  std::atomic<int> at_start{0};
  {
    Pruner later(1h, [&](std::stop_token) { ++waited; });
    Pruner now(1h, [&](std::stop_token) { ++at_start; }, {.at_start = true});
    EXPECT_TRUE(eventually([&] { return at_start == 1; }));
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(waited, 0);
  EXPECT_EQ(at_start, 1);
}

TEST(Pruner, ZeroIntervalStartsNothing) {
  std::atomic<int> rounds{0};
  {
    Pruner off(0ms, [&](std::stop_token) { ++rounds; }, {.at_start = true});
    EXPECT_FALSE(off.running());
    std::this_thread::sleep_for(30ms);
  }
  EXPECT_EQ(rounds, 0);
}

TEST(Pruner, DestructionIsPromptEvenWithALongInterval) {
  const auto took = time_of([] { Pruner pruner(1h, [](std::stop_token) {}, {.jitter = 0.5}); });
  EXPECT_LT(took, 500ms);
}

TEST(Pruner, ARoundInFlightIsToldToStop) {
  std::atomic<bool> started{false};
  std::atomic<bool> gave_up{false};
  std::optional<Pruner> pruner;
  pruner.emplace(1h, [&](std::stop_token stop) {
    started = true;
    while (!stop.stop_requested()) std::this_thread::sleep_for(1ms);
    gave_up = true;
  }, PrunerOptions{.at_start = true});
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  EXPECT_LT(time_of([&] { pruner.reset(); }), 500ms);
  EXPECT_TRUE(gave_up);  // the destructor joined after the round returned
}

TEST(Pruner, AThrowingRoundIsReportedAndPruningGoesOn) {
  std::atomic<int> rounds{0};
  ::testing::internal::CaptureStderr();
  {
    Pruner pruner(5ms, [&](std::stop_token) {
      if (++rounds <= 2) throw std::runtime_error("test store: prune: disk on fire");
    });
    EXPECT_TRUE(eventually([&] { return rounds >= 4; }));
  }
  const std::string reported = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(reported, "test store: prune: disk on fire\ntest store: prune: disk on fire\n");
}

TEST(Pruner, JitterKeepsRoundsComing) {
  std::atomic<int> rounds{0};
  Pruner pruner(10ms, [&](std::stop_token) { ++rounds; }, {.jitter = 0.5});
  EXPECT_TRUE(eventually([&] { return rounds >= 3; }));
}

}  // namespace
}  // namespace cortado::detail
