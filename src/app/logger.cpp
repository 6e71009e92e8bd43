#include "cortado/app/logger.hpp"

#include "app/access.hpp"
#include "app/log_format.hpp"
#include "app/log_writer.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <system_error>
#include <unistd.h>

namespace cortado {

struct LogStream::Target {
  int fd = -1;
  bool owned = false;
  std::function<void(std::string_view)> write;
  ~Target() {
    if (owned && fd >= 0) ::close(fd);
  }
};

LogStream LogStream::fd(int fd) {
  auto target = std::make_shared<Target>();
  target->fd = fd;
  return LogStream(std::move(target));
}

LogStream LogStream::file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "logger: cannot open " + path);
  auto target = std::make_shared<Target>();
  target->fd = fd;
  target->owned = true;
  return LogStream(std::move(target));
}

LogStream LogStream::callback(std::function<void(std::string_view)> write) {
  auto target = std::make_shared<Target>();
  target->write = std::move(write);
  return LogStream(std::move(target));
}

bool LogStream::is_terminal() const { return !target_->write && target_->fd >= 0 && ::isatty(target_->fd) == 1; }

bool LogStream::write(std::string_view text) const {
  if (target_->write) {
    try {
      target_->write(text);
      return true;
    } catch (...) {
      return false;
    }
  }
  while (!text.empty()) {
    ssize_t n = ::write(target_->fd, text.data(), text.size());
    if (n > 0) {
      text.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Someone made the descriptor non-blocking (a shared terminal or pipe): wait, on this thread only.
      pollfd p{target_->fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
    } else {
      return false;
    }
  }
  return true;
}

namespace {

struct LoggerState {
  detail::LogFormat format;
  LoggerOptions options;
  detail::LogWriter writer;

  LoggerState(detail::LogFormat f, LoggerOptions o)
      : format(std::move(f)), options(std::move(o)), writer(options.stream, options.buffer_bytes) {}
};

}  // namespace

Middleware logger(std::string_view format, LoggerOptions options) {
  // As morgan 1.12, NO_COLOR (no-color.org) turns dev's colours off; here so does a non-terminal.
  const char* no_color = std::getenv("NO_COLOR");
  bool colors = options.colors.value_or(options.stream.is_terminal() && !(no_color && *no_color));
  auto compiled = detail::compile_log_format(format, colors);
  auto state = std::make_shared<LoggerState>(std::move(compiled), std::move(options));
  return make_middleware([state](Request& req, Response& res, Next next) {
    auto record = std::make_shared<detail::LogRecord>();
    record->start = detail::LogClock::now();
    if (state->options.immediate) {
      if (!state->options.skip || !state->options.skip(req, res)) {
        detail::record_request(state->format, req, res, *record, false);
        state->writer.push(detail::render_line(state->format, *record, nullptr, std::chrono::system_clock::now(),
                                               detail::LogClock::now()));
      }
      next();
      return;
    }
    // The handlers are done: read what only the Request and Response know (morgan's
    // response-time is taken here too, when the headers go). The line itself is made once the
    // response is written, with its final status and headers.
    res.on_headers([state, record, &req, &res] {
      if (state->options.skip && state->options.skip(req, res)) return;
      detail::record_request(state->format, req, res, *record, true);
      detail::AppAccess::exchange(res).on_finished.emplace_back([state, record](const http::RawResponse& raw) {
        state->writer.push(detail::render_line(state->format, *record, &raw, std::chrono::system_clock::now(),
                                               detail::LogClock::now()));
      });
    });
    next();
  });
}

}  // namespace cortado
