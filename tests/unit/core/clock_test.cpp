#include "cortado/core/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace cortado {
namespace {

TEST(Clock, NowIsTheSystemClockInWholeMilliseconds) {
  using namespace std::chrono;
  const auto before = floor<milliseconds>(system_clock::now());
  const Timestamp now = now_ms();
  const auto after = system_clock::now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
}

TEST(Clock, DateNowIsTheSameClockAsANumber) {
  const std::int64_t before = now_ms().time_since_epoch().count();
  const std::int64_t now = date_now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, now_ms().time_since_epoch().count());
  EXPECT_GT(now, 1'600'000'000'000);  // after September 2020: milliseconds, not seconds
}

}  // namespace
}  // namespace cortado
