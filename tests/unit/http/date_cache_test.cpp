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
  // The second may turn between the reads: the cached text must be one of the two.
  const auto before = std::chrono::floor<seconds>(now_ms());
  const std::string text(current_http_date());
  const auto after = std::chrono::floor<seconds>(now_ms());
  EXPECT_TRUE(text == http_date(Timestamp(before)) || text == http_date(Timestamp(after))) << text;
  EXPECT_TRUE(text.ends_with(" GMT")) << text;
}

}  // namespace
}  // namespace cortado::http
