#include "http/date_cache.hpp"

#include "http/coarse_clock.hpp"
#include "cortado/core/dates.hpp"

#include <chrono>
#include <string>

namespace cortado::http {

std::string_view current_http_date() {
  // Every response needs it and the value changes once a second: format it only then.
  thread_local std::chrono::sys_seconds cached_second{};
  thread_local std::string text;
  const auto now = coarse_wall_second();
  if (now != cached_second || text.empty()) {
    text = http_date(Timestamp(now));
    cached_second = now;
  }
  return text;
}

}  // namespace cortado::http
