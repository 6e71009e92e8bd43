#include "http/date_cache.hpp"

#include "cortado/core/clock.hpp"
#include "cortado/core/dates.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace cortado::http {
namespace {

TEST(DateCache, WritesTheCurrentSecondAsCoreHttpDateDoes) {
  using std::chrono::seconds;
  // The cache reads the coarse wall clock, up to a kernel tick (4 ms at 250 Hz, 10 ms at 100 Hz)
  // behind now_ms(): just after a second turns, it may still give the one before. So the text is
  // that of a second from one read before, less 50 ms (several ticks), to one read after.
  const auto first = std::chrono::floor<seconds>(now_ms() - std::chrono::milliseconds(50));
  const std::string text(current_http_date());
  const auto last = std::chrono::floor<seconds>(now_ms());
  bool one_of_them = false;
  for (auto second = first; second <= last; second += seconds(1))
    one_of_them = one_of_them || text == http_date(Timestamp(second));
  EXPECT_TRUE(one_of_them) << text;
  EXPECT_TRUE(text.ends_with(" GMT")) << text;
}

}  // namespace
}  // namespace cortado::http
