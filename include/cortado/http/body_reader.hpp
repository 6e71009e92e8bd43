#pragma once
/// BodyReader: a request body taken as it arrives, for a handler that streams it (uploads).

#include "cortado/core/task.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace cortado::http {

/// Why a streamed body could not be read: the status a client gets for it (413 over the limit,
/// 400 malformed chunks or a body cut short, 408 too slow, 431 trailers too large).
class BodyError : public std::runtime_error {
 public:
  BodyError(unsigned status, const std::string& message) : std::runtime_error(message), status_(status) {}
  unsigned status() const { return status_; }

 private:
  unsigned status_;
};

/// The body of a request that ServerOptions::stream_body chose to stream: the handler is called
/// once the head is read, and reads the body from here. A body not read to its end when the
/// response is sent closes the connection after the response (the stream cannot be trusted).
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  /// Reads the next bytes of the body into `out` (at most out.size()); 0 at the end of the body.
  /// Throws BodyError when the body is refused or cut short; every read after that throws again.
  virtual Task<std::size_t> read_some(std::span<char> out) = 0;
  /// Raises (or lowers) the body limit from ServerOptions::body_limit; before the first read only.
  virtual void limit(std::uint64_t bytes) = 0;
  /// Replaces ServerOptions::body_timeout, counted from the first read; before the first read only.
  virtual void timeout(std::chrono::milliseconds duration) = 0;
  /// The body bytes read so far.
  virtual std::uint64_t received() const = 0;
  /// The body was read to its end.
  virtual bool done() const = 0;
};

}  // namespace cortado::http
