#pragma once
/// Dates as JavaScript prints and reads them: Date.toUTCString (cookies) and Date.toJSON (stores).

#include "cortado/core/clock.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cortado {

/// IMF-fixdate as Date.prototype.toUTCString writes it.
std::string http_date(Timestamp when);
/// ISO-8601 as Date.prototype.toJSON writes it.
std::string iso_date(Timestamp when);
/// Reads the ECMAScript date-time format into a Timestamp; nullopt when malformed or beyond
/// JavaScript's ±8.64e15 ms.
std::optional<Timestamp> parse_iso_timestamp(std::string_view text);

/// IMF-fixdate as Date.prototype.toUTCString writes it, e.g. "Thu, 01 Jan 1970 00:00:00 GMT".
std::string http_date(std::chrono::system_clock::time_point when);

/// ISO-8601 in UTC with milliseconds, as Date.prototype.toJSON writes it: "1970-01-01T00:00:00.000Z".
std::string iso_date(std::chrono::system_clock::time_point when);

/// Reads the ECMAScript date-time format (what iso_date writes, plus missing parts, other
/// offsets and ±YYYYYY years); nullopt when malformed or out of range. A date-time without
/// an offset is taken as UTC, where JavaScript would use the local zone.
std::optional<std::chrono::system_clock::time_point> parse_iso_date(std::string_view text);

}  // namespace cortado
