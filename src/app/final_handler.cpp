#include "app/final_handler.hpp"

#include "app/access.hpp"
#include "app/chain.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/core/url.hpp"

#include <algorithm>
#include <iostream>

namespace cortado::detail {
namespace {

// The page finalhandler writes: the message in a <pre>, newlines as <br>.
std::string error_page(std::string_view message) {
  std::string escaped = escape_html(message);
  std::string body;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\n')
      body += "<br>";
    else if (escaped[i] == ' ' && i + 1 < escaped.size() && escaped[i + 1] == ' ') {
      body += " &nbsp;";
      ++i;
    } else
      body += escaped[i];
  }
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n"
         "</head>\n<body>\n<pre>" +
         body + "</pre>\n</body>\n</html>\n";
}

void send_page(Response& res, unsigned status, std::string_view message) {
  // finalhandler keeps the headers set so far (Set-Cookie too) but those describing a body;
  // only a response that was already complete starts over.
  if (res.finished()) res.reset();
  for (auto field : {"content-encoding", "content-language", "content-range"}) detail::AppAccess::raw(res).erase(field);
  res.status(status);
  res.set("Content-Security-Policy", "default-src 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Type", "text/html; charset=utf-8");
  res.end(error_page(message));
}

void send_error(Chain& c) {
  unsigned status = 500;
  std::string detail = "Unknown error";
  try {
    std::rethrow_exception(c.error);
  } catch (const HttpError& e) {
    status = e.status() >= 400 && e.status() < 600 ? e.status() : 500;
    detail = e.what();
  } catch (const std::exception& e) {
    detail = e.what();
    // Without a status of its own, the error keeps an error status the response already has.
    if (unsigned code = c.res.status_code(); code >= 400 && code < 600) status = code;
  } catch (...) {
  }
  // Like finalhandler: log server errors; the client sees the details only in development.
  if (status >= 500) std::cerr << "cortado: " << c.req.method() << ' ' << c.req.original_url() << ": " << detail << '\n';
  bool production = c.req.settings().env == "production";
  auto phrase = status_text(status);
  send_page(c.res, status, production ? (phrase.empty() ? std::to_string(status) : std::string(phrase)) : detail);
}

void send_options(Chain& c) {
  auto& methods = *c.allowed;
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  std::string allow;
  for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
  c.res.reset();
  c.res.set("Allow", allow);
  detail::AppAccess::raw(c.res).set(boost::beast::http::field::content_type, "text/plain");
  c.res.set("X-Content-Type-Options", "nosniff");
  c.res.end(allow);
}

}  // namespace

void finish_unhandled(Chain& c) {
  if (c.error) return send_error(c);
  if (c.req.method() == "OPTIONS" && c.allowed && !c.allowed->empty()) return send_options(c);
  // The path as the client sent it, without the query, made safe for a URL and for HTML.
  std::string_view target = c.req.original_url();
  send_page(c.res, 404, "Cannot " + std::string(c.req.method()) + " " + encode_url(target.substr(0, target.find('?'))));
}

}  // namespace cortado::detail
