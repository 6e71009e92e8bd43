// Calendar arithmetic on int64 milliseconds, so years far from 1970 print as JavaScript prints them.
#include "cortado/core/dates.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

namespace cortado {
namespace {

using std::int64_t;

constexpr int64_t ms_per_day = 86'400'000;

struct Civil {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = floor_div(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

struct Split {
  Civil date;
  int64_t ms_of_day;
  unsigned weekday;  // 0 = Sunday
};

Split split(Timestamp when) {
  const int64_t ms = when.time_since_epoch().count();
  const int64_t days = floor_div(ms, ms_per_day);
  // 1970-01-01 was a Thursday (4).
  return {civil_from_days(days), ms - days * ms_per_day, static_cast<unsigned>(((days % 7) + 11) % 7)};
}

// A cursor over the text being parsed; every reader returns false on a mismatch.
struct Reader {
  std::string_view s;
  std::size_t i = 0;

  bool at_end() const { return i == s.size(); }
  bool peek(char c) const { return i < s.size() && s[i] == c; }
  bool take(char c) {
    if (!peek(c)) return false;
    ++i;
    return true;
  }
  bool digits(std::size_t n, int64_t& out) {
    if (s.size() - i < n) return false;
    out = 0;
    for (std::size_t k = 0; k < n; ++k, ++i) {
      const char c = s[i];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    return true;
  }
};

}  // namespace

std::string http_date(std::chrono::system_clock::time_point when) {
  return http_date(std::chrono::floor<std::chrono::milliseconds>(when));
}

namespace {
// Writes `value` (0 <= value < 10^width) as `width` decimal digits, zero-padded, at `out`.
void put_digits(char* out, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}
}  // namespace

std::string http_date(Timestamp when) {
  static constexpr std::array<const char*, 7> weekdays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Split t = split(when);
  const int64_t secs = t.ms_of_day / 1000;
  const int64_t y = t.date.year;
  if (y >= 0 && y <= 9999) {
    // Written digit by digit: every session cookie with a max age carries an Expires, and
    // snprintf took more time than the rest of its Set-Cookie.
    std::string out(29, ' ');  // "Thu, 01 Jan 1970 00:00:00 GMT"
    char* at = out.data();
    std::memcpy(at, weekdays[t.weekday], 3);
    at[3] = ',';
    put_digits(at + 5, t.date.day, 2);
    std::memcpy(at + 8, months[t.date.month - 1], 3);
    put_digits(at + 12, y, 4);
    put_digits(at + 17, secs / 3600, 2);
    at[19] = ':';
    put_digits(at + 20, secs / 60 % 60, 2);
    at[22] = ':';
    put_digits(at + 23, secs % 60, 2);
    std::memcpy(at + 26, "GMT", 3);
    return out;
  }
  char buf[64];
  // JavaScript pads the year to four digits and puts a '-' before negative ones ("-0001").
  std::snprintf(buf, sizeof buf, "%s, %02u %s %s%04lld %02lld:%02lld:%02lld GMT", weekdays[t.weekday], t.date.day,
                months[t.date.month - 1], y < 0 ? "-" : "", static_cast<long long>(y < 0 ? -y : y),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

std::string iso_date(std::chrono::system_clock::time_point when) {
  return iso_date(std::chrono::floor<std::chrono::milliseconds>(when));
}

std::string iso_date(Timestamp when) {
  const Split t = split(when);
  const int64_t y = t.date.year;
  const int64_t ms = t.ms_of_day;
  if (y >= 0 && y <= 9999) {
    // Digit by digit, as http_date: every stored session cookie with a max age has one.
    std::string out(24, ' ');  // "1970-01-01T00:00:00.000Z"
    char* at = out.data();
    put_digits(at, y, 4);
    at[4] = '-';
    put_digits(at + 5, t.date.month, 2);
    at[7] = '-';
    put_digits(at + 8, t.date.day, 2);
    at[10] = 'T';
    put_digits(at + 11, ms / 3'600'000, 2);
    at[13] = ':';
    put_digits(at + 14, ms / 60'000 % 60, 2);
    at[16] = ':';
    put_digits(at + 17, ms / 1000 % 60, 2);
    at[19] = '.';
    put_digits(at + 20, ms % 1000, 3);
    at[23] = 'Z';
    return out;
  }
  // Outside 0000..9999 toISOString switches to the expanded form: a sign and six digits.
  char year[24];
  std::snprintf(year, sizeof year, "%c%06lld", y < 0 ? '-' : '+', static_cast<long long>(y < 0 ? -y : y));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", year, t.date.month, t.date.day,
                static_cast<long long>(ms / 3'600'000), static_cast<long long>(ms / 60'000 % 60),
                static_cast<long long>(ms / 1000 % 60), static_cast<long long>(ms % 1000));
  return buf;
}

std::optional<Timestamp> parse_iso_timestamp(std::string_view text) {
  Reader r{text};
  int64_t year = 0;
  if (r.peek('+') || r.peek('-')) {
    const bool negative = r.s[r.i++] == '-';
    if (!r.digits(6, year)) return std::nullopt;
    if (negative && year == 0) return std::nullopt;  // "-000000" is an error in ECMAScript too
    if (negative) year = -year;
  } else if (!r.digits(4, year)) {
    return std::nullopt;
  }
  int64_t month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0, offset_minutes = 0;
  if (r.take('-')) {
    if (!r.digits(2, month) || month < 1 || month > 12) return std::nullopt;
    if (r.take('-') && (!r.digits(2, day) || day < 1 || day > days_in_month(year, static_cast<unsigned>(month)))) {
      return std::nullopt;
    }
  }
  if (r.take('T')) {
    if (!r.digits(2, hour) || !r.take(':') || !r.digits(2, minute)) return std::nullopt;
    if (r.take(':')) {
      if (!r.digits(2, second)) return std::nullopt;
      if (r.take('.')) {
        // Any number of fraction digits; the first three are the milliseconds, the rest are dropped.
        std::size_t count = 0;
        while (r.i < r.s.size() && r.s[r.i] >= '0' && r.s[r.i] <= '9') {
          if (count < 3) millis = millis * 10 + (r.s[r.i] - '0');
          ++count;
          ++r.i;
        }
        if (count == 0) return std::nullopt;
        for (; count < 3; ++count) millis *= 10;
      }
    }
    if (minute > 59 || second > 59 || hour > 24 || (hour == 24 && (minute || second || millis))) {
      return std::nullopt;
    }
    if (r.peek('+') || r.peek('-')) {
      const int sign = r.s[r.i++] == '-' ? -1 : 1;
      int64_t oh = 0, om = 0;
      if (!r.digits(2, oh) || !r.take(':') || !r.digits(2, om) || oh > 23 || om > 59) return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
    } else {
      r.take('Z');
    }
  }
  if (!r.at_end()) return std::nullopt;
  const int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t ms = days * ms_per_day + ((hour * 60 + minute - offset_minutes) * 60 + second) * 1000 + millis;
  constexpr int64_t js_limit = 8'640'000'000'000'000;  // the range of a JavaScript Date
  if (ms > js_limit || ms < -js_limit) return std::nullopt;
  return Timestamp(std::chrono::milliseconds(ms));
}

std::optional<std::chrono::system_clock::time_point> parse_iso_date(std::string_view text) {
  // system_clock counts nanoseconds in an int64 (about ±292 years around 1970); refuse what does not fit.
  using namespace std::chrono;
  auto when = parse_iso_timestamp(text);
  constexpr int64_t limit = duration_cast<milliseconds>(system_clock::duration::max()).count();
  if (!when || when->time_since_epoch().count() > limit || when->time_since_epoch().count() < -limit) return std::nullopt;
  return system_clock::time_point(duration_cast<system_clock::duration>(when->time_since_epoch()));
}

}  // namespace cortado
