#include "http/finish_response.hpp"

#include "http/date_cache.hpp"
#include "http/request_checks.hpp"

namespace cortado::http {
namespace {

// Whether the connection outlives this response: the client's wish, the handler's and shutdown's,
// and the request's framing (an HTTP/1.0 message with Transfer-Encoding).
bool keeps_alive(const RawRequest& req, const RawResponse& res, bool closing) {
  return req.keep_alive() && !closing && res[beast_http::field::connection] != "close" && !framing_forces_close(req);
}

}  // namespace

bool finish_response(const RawRequest& req, RawResponse& res, Exchange& exchange, bool closing) {
  bool keep_alive = keeps_alive(req, res, closing);
  res.keep_alive(keep_alive);
  // A 1.0 client keeps the connection only when told so (RFC 9112 C.2.2).
  if (keep_alive && req.version() == 10) res.set(beast_http::field::connection, "keep-alive");
  res.set(beast_http::field::date, current_http_date());
  unsigned code = res.result_int();
  bool bodiless = code < 200 || code == 204 || code == 304;  // RFC 9110 6.4.1
  if (bodiless) exchange.file.reset();
  // A HEAD may state the GET's length, and a file body states its own.
  bool head = req.method() == beast_http::verb::head;
  if (!(head && res.has_content_length()) && !exchange.file) res.prepare_payload();
  if (bodiless) res.erase(beast_http::field::content_length);
  return keep_alive;
}

}  // namespace cortado::http
