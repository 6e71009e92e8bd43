#include "cortado/app/http_error.hpp"

#include "cortado/core/status.hpp"

#include <string>

namespace cortado {

HttpError::HttpError(unsigned status)
    : std::runtime_error(status_text(status).empty() ? std::to_string(status) : std::string(status_text(status))),
      status_(status) {}

}  // namespace cortado
