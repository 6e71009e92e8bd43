#pragma once
// A logger format compiled once into pieces, and a request's line made from them in two steps:
// what the Request and Response tell (when the handlers are done), then what only the written
// response and the clock tell (status, response headers, dates, total time).

#include "cortado/app/logger.hpp"
#include "cortado/http/exchange.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cortado::detail {

using LogClock = std::chrono::steady_clock;
using TokenFunction = std::function<std::string(const Request&, const Response&, std::string_view)>;

/// One piece of a format: literal text, a built-in token, or a custom token.
struct LogPiece {
  enum class Kind {
    text,
    method,
    url,
    status,
    response_time,
    total_time,
    date,
    remote_addr,
    remote_user,
    http_version,
    referrer,
    user_agent,
    req_header,
    res_header,
    pid,
    status_color,  // dev's colour code for the status, when colours are on
    custom,
  } kind = Kind::text;
  std::string text;  // the literal, or the token's [argument]
  TokenFunction custom{};
};

/// A compiled format; `json` formats write one JSON object per line instead of pieces.
struct LogFormat {
  std::vector<LogPiece> pieces;
  bool json = false;
};

/// Compiles a predefined format name ("combined", "dev", "json", one from logger_format()) or a
/// format string; throws std::invalid_argument for an unknown token.
LogFormat compile_log_format(std::string_view format, bool colors);

/// What is known of a request once its handlers are done (or when it arrives, for immediate).
struct LogRecord {
  std::string method;
  std::string url;
  std::string http_version;
  std::string remote_addr;
  std::optional<std::string> remote_user;
  std::string referrer;
  std::string user_agent;
  LogClock::time_point start{};
  /// Milliseconds from the start to the headers (morgan's response-time); none when immediate.
  std::optional<double> response_ms;
  /// The values of req[...] and custom pieces, by piece index ("" for others).
  std::vector<std::string> values;
};

/// Fills what the Request and Response tell. `headers_done`: the handlers have finished.
void record_request(const LogFormat& format, const Request& req, const Response& res, LogRecord& record,
                    bool headers_done);

/// The line (with its newline) once the response is out; `res` is null when it is not (immediate).
std::string render_line(const LogFormat& format, const LogRecord& record, const http::RawResponse* res,
                        std::chrono::system_clock::time_point now, LogClock::time_point now_steady);

/// The user name of a Basic Authorization header, as npm basic-auth reads it; none otherwise.
std::optional<std::string> basic_auth_user(std::string_view authorization);

/// How a value's bytes read as text: header bytes are Latin-1 characters in Node; the rest UTF-8.
enum class TextKind { latin1, utf8 };
/// morgan 1.12's escapeLogField: backslash, quote and control characters (C0, DEL, C1, U+2028,
/// U+2029) escaped as JSON would, the text written in UTF-8.
std::string escape_log_field(std::string_view value, TextKind kind);

/// morgan's clfdate: "04/Dec/2026:18:57:35 +0000".
std::string clf_date(std::chrono::system_clock::time_point when);

}  // namespace cortado::detail
