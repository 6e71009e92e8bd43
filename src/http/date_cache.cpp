#include "http/date_cache.hpp"

#include <ctime>

namespace cortado::http {

std::string_view current_http_date() {
  // Every response needs it and the value changes once a second: format it only then.
  thread_local std::time_t cached_second = 0;
  thread_local char text[64];
  thread_local std::size_t length = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return {text, length};
}

}  // namespace cortado::http
