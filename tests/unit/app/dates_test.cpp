#include "cortado/core/dates.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdint>

namespace cortado {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

system_clock::time_point at_ms(std::int64_t ms) { return system_clock::time_point(milliseconds(ms)); }

std::int64_t ms_of(system_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

// Every expected string below is Node v20's `new Date(ms).toUTCString()` / `.toISOString()`.
struct Vector {
  std::int64_t ms;
  const char* utc;
  const char* iso;
};

constexpr Vector node_vectors[] = {
    {0, "Thu, 01 Jan 1970 00:00:00 GMT", "1970-01-01T00:00:00.000Z"},
    {-1, "Wed, 31 Dec 1969 23:59:59 GMT", "1969-12-31T23:59:59.999Z"},
    {1700000000123, "Tue, 14 Nov 2023 22:13:20 GMT", "2023-11-14T22:13:20.123Z"},
    {951782400000, "Tue, 29 Feb 2000 00:00:00 GMT", "2000-02-29T00:00:00.000Z"},
    {946684799999, "Fri, 31 Dec 1999 23:59:59 GMT", "1999-12-31T23:59:59.999Z"},
    {4107542399999, "Sun, 28 Feb 2100 23:59:59 GMT", "2100-02-28T23:59:59.999Z"},
    {-8515195199993, "Mon, 01 Mar 1700 12:00:00 GMT", "1700-03-01T12:00:00.007Z"},
    {9223372036854, "Fri, 11 Apr 2262 23:47:16 GMT", "2262-04-11T23:47:16.854Z"},
};

TEST(Dates, HttpDateMatchesToUTCString) {
  for (const auto& v : node_vectors) EXPECT_EQ(http_date(at_ms(v.ms)), v.utc) << v.ms;
}

TEST(Dates, IsoDateMatchesToISOString) {
  for (const auto& v : node_vectors) EXPECT_EQ(iso_date(at_ms(v.ms)), v.iso) << v.ms;
}

// The same text from the C++ calendar and snprintf, for a sweep of instants no vector above
// names: every day of the years 1900 to 2199 (system_clock counts nanoseconds, which end in
// 2262) at a time of day that moves with it.
TEST(Dates, AgreeWithTheCalendarOverCenturies) {
  using namespace std::chrono;
  static constexpr const char* weekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_days first = year{1900} / January / 1, last = year{2199} / December / 31;
  std::int64_t n = 0;
  for (sys_days day = first; day <= last; day += days{1}, ++n) {
    const milliseconds time_of_day((n * 7'919'993) % 86'400'000);
    const year_month_day ymd(day);
    const hh_mm_ss hms(time_of_day);
    char utc[64], iso[64];
    std::snprintf(utc, sizeof utc, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                  weekdays[weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                  months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    std::snprintf(iso, sizeof iso, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    const system_clock::time_point when = day + time_of_day;
    ASSERT_EQ(http_date(when), utc);
    ASSERT_EQ(iso_date(when), iso);
  }
}

TEST(Dates, SubMillisecondsAreFloored) {
  // JavaScript has no sub-millisecond part; the earlier millisecond is the one meant.
  EXPECT_EQ(iso_date(at_ms(1700000000123) + std::chrono::microseconds(999)), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(iso_date(at_ms(0) - std::chrono::microseconds(1)), "1969-12-31T23:59:59.999Z");
}

TEST(Dates, ParsesWhatItWrites) {
  for (const auto& v : node_vectors) {
    const auto parsed = parse_iso_date(v.iso);
    ASSERT_TRUE(parsed) << v.iso;
    EXPECT_EQ(ms_of(*parsed), v.ms) << v.iso;
  }
}

TEST(Dates, ParsesTheOtherEcmaScriptForms) {
  // Expected: Node v20's `new Date(text).getTime()`.
  const std::pair<const char*, std::int64_t> cases[] = {
      {"2024-01-02T03:04:05Z", 1704164645000},
      {"2024-01-02T03:04:05.1Z", 1704164645100},
      {"2024-01-02T03:04:05.123456Z", 1704164645123},
      {"2024-01-02T03:04:05.123+01:00", 1704161045123},
      {"2024-01-01T00:00:00.000-05:30", 1704087000000},
      {"2024-01-02", 1704153600000},
      {"2024-06", 1717200000000},
      {"2024", 1704067200000},
      {"2024-01-01T10:00Z", 1704103200000},
      {"+002024-01-01T00:00:00.000Z", 1704067200000},
      {"2024-02-29T24:00:00Z", 1709251200000},
  };
  for (const auto& [text, ms] : cases) {
    const auto parsed = parse_iso_date(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(ms_of(*parsed), ms) << text;
  }
}

// Stricter than V8 in one respect: its legacy fallback parser rolls "2023-02-29" over to March 1.
TEST(Dates, RejectsMalformedText) {
  for (const char* text : {"", "garbage", "2024-13-01", "2024-00-10", "2023-02-29", "2024-04-31", "2024-01-01T25:00Z",
                           "2024-01-01T24:00:01Z", "2024-01-01T10:60Z", "-000000-01-01T00:00:00Z",
                           "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00ZZ", "2024-01-01T00:00:00+0100", "24-01-01",
                           "2024-01-01T", "+10000-01-01", "+275760-09-13T00:00:00.000Z"}) {
    EXPECT_FALSE(parse_iso_date(text)) << text;
  }
}

}  // namespace
}  // namespace cortado
