#pragma once
/// Body parsers: middleware that fills req.body() (Express's express.json() and friends).

#include "cortado/app/handler.hpp"
#include "cortado/core/json.hpp"

#include <cstddef>
#include <string>

namespace cortado::body_parser {

/// Options common to every parser, with body-parser's defaults.
struct Options {
  /// Larger bodies get 413.
  std::size_t limit = 100 * 1024;
  /// The media type the parser acts on; other requests pass through untouched.
  std::string type{};
  /// json(): only objects and arrays at the top level (400 otherwise).
  bool strict = true;
  /// json(): how deeply arrays and objects may nest ([[1]] is 2); deeper → 400. Node's JSON.parse
  /// has no such bound; cortado has one because values are walked recursively (destroyed,
  /// compared, written), and this one fits well inside a session (max_session_depth).
  std::size_t max_depth = default_json_depth;
};

/// application/json → req.body() as a JSON value; malformed JSON → 400.
Middleware json(Options options = {});
/// application/x-www-form-urlencoded → an object (querystring rules, repeated keys as arrays).
Middleware urlencoded(Options options = {});
/// text/plain → a JSON string.
Middleware text(Options options = {});
/// application/octet-stream → a JSON string holding the bytes (also in req.raw_body()).
Middleware raw(Options options = {});

}  // namespace cortado::body_parser
