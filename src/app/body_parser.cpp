#include "cortado/app/body_parser.hpp"

#include "cortado/app/http_error.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/url.hpp"

#include <boost/json/parse.hpp>

namespace cortado::body_parser {
namespace {

using Parse = std::function<json::value(const std::string& body, const Options&)>;

// One parser: act only on a body of the configured type, enforce the limit, then parse.
Callable make_parser(Options options, std::string default_type, Parse parse) {
  if (options.type.empty()) options.type = std::move(default_type);
  return make_callable([options, parse](Request& req, Response&, Next next) {
    if (req.raw_body().empty() && !req.has_header("content-length") && !req.has_header("transfer-encoding")) {
      next();
      return;
    }
    if (!req.is(options.type)) {
      next();
      return;
    }
    if (req.raw_body().size() > options.limit) throw HttpError(413, "request entity too large");
    req.body() = parse(req.raw_body(), options);
    next();
  });
}

// JSON.parse reports the first bad character; a client gets a one-line reason.
json::value parse_json_body(const std::string& body, const Options& options) {
  if (body.empty()) return json::object{};
  boost::system::error_code ec;
  json::value v = boost::json::parse(body, ec);
  if (ec) throw HttpError(400, "Invalid JSON in request body: " + ec.message());
  if (options.strict && !v.is_object() && !v.is_array())
    throw HttpError(400, "Invalid JSON in request body: only objects and arrays are accepted");
  return v;
}

}  // namespace

Callable json(Options options) { return make_parser(std::move(options), "json", parse_json_body); }

Callable urlencoded(Options options) {
  return make_parser(std::move(options), "urlencoded", [](const std::string& body, const Options&) -> json::value {
    // body-parser counts the pairs first and refuses past 1000 with 413.
    std::size_t pairs = body.empty() ? 0 : 1;
    for (char c : body) pairs += c == '&';
    if (pairs > 1000) throw HttpError(413, "too many parameters");
    return parse_query(body);
  });
}

Callable text(Options options) {
  return make_parser(std::move(options), "text/plain",
                     [](const std::string& body, const Options&) -> json::value { return json::string(body); });
}

Callable raw(Options options) {
  return make_parser(std::move(options), "application/octet-stream",
                     [](const std::string& body, const Options&) -> json::value { return json::string(body); });
}

}  // namespace cortado::body_parser
