#pragma once
/// logger(): request logs as morgan writes them (combined, common, dev, short, tiny, custom
/// token formats), plus JSON lines; written by a thread of its own after each response.

#include "cortado/app/handler.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cortado {

/// Where a logger's lines go. Only the logger's writer thread writes to it, so a slow terminal
/// or a full pipe never holds up a request.
class LogStream {
 public:
  /// A file descriptor, left open (1, stdout, by default).
  static LogStream fd(int fd);
  /// A file opened for appending (made if missing); throws std::system_error when it cannot be.
  static LogStream file(const std::string& path);
  /// A function given each line, newline included (an ostream: `[&out](std::string_view l) { out << l; }`).
  /// It runs on the writer thread.
  static LogStream callback(std::function<void(std::string_view)> write);

  LogStream() : LogStream(fd(1)) {}
  /// Whether the lines land on a terminal (dev's colours are only written to one).
  bool is_terminal() const;
  /// Writes `text` whole; false when the stream failed (a closed pipe, a full disk).
  bool write(std::string_view text) const;

  struct Target;

 private:
  explicit LogStream(std::shared_ptr<Target> target) : target_(std::move(target)) {}
  std::shared_ptr<Target> target_;
};

/// morgan's options, and how many lines may wait for a slow stream.
struct LoggerOptions {
  /// Lines for which this returns true are not written (morgan's skip), e.g.
  /// `[](const Request&, const Response& res) { return res.status_code() < 400; }`. It runs
  /// when the handlers are done, before the response is written.
  std::function<bool(const Request&, const Response&)> skip{};
  /// Write the line when the request arrives, before it is handled (morgan's immediate): the
  /// response's tokens are then "-".
  bool immediate = false;
  /// Where lines go: stdout by default.
  LogStream stream{};
  /// dev's colours: when unset, on a terminal unless NO_COLOR is set.
  std::optional<bool> colors{};
  /// How many bytes of lines may wait for the stream; past that, lines are dropped and counted
  /// (logger_dropped_lines_total), and the writer says "logger: N lines dropped" once it catches up.
  std::size_t buffer_bytes = 1 << 20;
};

/// app.use(logger("dev")): morgan's `combined`, `common`, `dev`, `short` or `tiny`, `json`
/// (one JSON object per line, for log shippers), a format named by logger_format(), or a format
/// string of morgan tokens (":method :url :status :res[content-length] - :response-time ms").
/// Throws std::invalid_argument for a format that names an unknown token.
Middleware logger(std::string_view format, LoggerOptions options = {});

/// morgan.token(name, fn): a token for the formats made after it. `fn` runs when the handlers
/// are done (with the token's [argument], "" without); an empty result is written as "-".
void logger_token(std::string name,
                  std::function<std::string(const Request&, const Response&, std::string_view arg)> fn);

/// morgan.format(name, format): names a format string for logger(name).
void logger_format(std::string name, std::string format);

}  // namespace cortado
