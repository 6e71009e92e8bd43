#include "cortado/app/http_error.hpp"

#include <boost/beast/http/status.hpp>

namespace cortado {

HttpError::HttpError(unsigned status) : std::runtime_error(std::string(status_text(status))), status_(status) {}

std::string_view status_text(unsigned status) {
  auto text = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  if (status == 413) return "Payload Too Large";  // the name Node's http module uses today
  if (status == 416) return "Range Not Satisfiable";
  if (status == 422) return "Unprocessable Entity";
  return text == "<unknown-status>" ? std::string_view("Unknown") : std::string_view(text);
}

}  // namespace cortado
