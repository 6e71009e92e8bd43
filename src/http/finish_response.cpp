#include "http/finish_response.hpp"

#include "http/request_checks.hpp"

namespace cortado::http {
namespace {

// Whether the connection outlives this response: the client's wish, the handler's (`connection`
// is the response's Connection field, or none) and shutdown's, and the request's framing (an
// HTTP/1.0 message with Transfer-Encoding).
bool keeps_alive(const RawRequest& req, const RawResponse& res, Fields::const_iterator connection, bool closing) {
  const bool handler_closes = connection != res.end() && connection->value() == "close";
  return req.keep_alive() && !closing && !handler_closes && !framing_forces_close(req);
}

}  // namespace

bool finish_response(const RawRequest& req, RawResponse& res, Exchange& exchange, bool closing) {
  const auto connection = res.find(beast_http::field::connection);
  bool keep_alive = keeps_alive(req, res, connection, closing);
  // Beast's keep_alive() rewrites the Connection field's tokens for the version: an HTTP/1.1
  // response kept alive without that field (nearly all) has nothing to rewrite, and the walk
  // cost some 250 instructions per request.
  if (connection != res.end() || !keep_alive || res.version() != 11) res.keep_alive(keep_alive);
  // A 1.0 client keeps the connection only when told so (RFC 9112 C.2.2).
  if (keep_alive && req.version() == 10) res.set(beast_http::field::connection, "keep-alive");
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
