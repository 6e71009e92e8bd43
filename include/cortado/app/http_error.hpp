#pragma once
/// HttpError: an exception that carries the status the error handler should answer with.

#include "cortado/core/status.hpp"

#include <stdexcept>
#include <string>

namespace cortado {

/// Throw it (or pass it to next()) to end a request with a given status, as http-errors does
/// in Express. Messages of 4xx errors are shown to the client; 5xx messages only in development.
class HttpError : public std::runtime_error {
 public:
  HttpError(unsigned status, const std::string& message) : std::runtime_error(message), status_(status) {}
  explicit HttpError(unsigned status);
  unsigned status() const { return status_; }

 private:
  unsigned status_;
};

}  // namespace cortado
