#include "cortado/app/response.hpp"

#include "cortado/app/http_error.hpp"
#include "core/mime.hpp"
#include "cortado/app/request.hpp"
#include "cortado/core/url.hpp"
#include "app/freshness.hpp"
#include "core/header_text.hpp"
#include "http/field_scan.hpp"

#include <boost/beast/core/string.hpp>

#include <stdexcept>

namespace cortado {

namespace beast_http = boost::beast::http;

Response::Response(http::RawResponse& raw, const Request& req, http::Exchange& exchange)
    : raw_(raw), req_(req), exchange_(exchange) {
  raw_.result(200);
}

void Response::send_body_from(http::FileBody file) {
  raw_.body().clear();
  raw_.content_length(file.remaining());
  exchange_.file = std::move(file);
}

Response& Response::status(unsigned code) {
  if (code < 100 || code > 999) throw std::range_error("Invalid status code: " + std::to_string(code));
  raw_.result(code);
  return *this;
}

namespace {

// Node refuses these in setHeader() with a TypeError, so a value that came from user input can
// never split the response or add a header of its own (Set-Cookie, Location).
void check_header(std::string_view field, std::string_view value) {
  if (!text::is_token(field))
    throw std::invalid_argument("Header name must be a valid HTTP token [\"" + std::string(field) + "\"]");
  if (!text::is_field_value(value))
    throw std::invalid_argument("Invalid character in header content [\"" + std::string(field) + "\"]");
}

}  // namespace

Response& Response::set(std::string_view field, std::string_view value) {
  check_header(field, value);
  if (boost::beast::iequals(field, "content-type")) {
    raw_.set(beast_http::field::content_type, content_type_for(value));
    return *this;
  }
  raw_.set(field, value);
  return *this;
}

Response& Response::append(std::string_view field, std::string_view value) {
  check_header(field, value);
  raw_.insert(field, value);
  return *this;
}

std::string_view Response::get(std::string_view field) const {
  auto it = raw_.find(field);
  return it == raw_.end() ? std::string_view{} : std::string_view(it->value());
}

Response& Response::type(std::string_view t) {
  check_header("Content-Type", t);
  raw_.set(beast_http::field::content_type, content_type_for(t));
  return *this;
}

Response& Response::location(std::string_view url) {
  raw_.set(beast_http::field::location, encode_url(url));
  return *this;
}

void Response::mark_finished() {
  if (finished_) throw std::logic_error("Cannot set headers after they are sent to the client");
  finished_ = true;
}

void Response::finish_body(std::string body, bool text) {
  mark_finished();
  if (text) {
    auto type = http::scan_field(raw_, beast_http::field::content_type).value;
    if (type.empty()) {
      raw_.set(beast_http::field::content_type, "text/html; charset=utf-8");
    } else if (type.find("charset") == std::string_view::npos) {
      raw_.set(beast_http::field::content_type, std::string(type) + "; charset=utf-8");
    }
  }
  if (req_.settings().etag && http::scan_field(raw_, beast_http::field::etag).value.empty()) {
    thread_local std::string tag;  // the header copies it: one buffer per thread serves every response
    tag.clear();
    append_weak_etag(tag, body);
    raw_.set(beast_http::field::etag, tag);
  }
  unsigned code = status_code();
  if (is_fresh(req_, *this)) raw_.result(code = 304);
  if (code == 204 || code == 304) {
    // No body may follow these; the headers that describe one go too.
    raw_.erase(beast_http::field::content_type);
    raw_.erase(beast_http::field::transfer_encoding);
    body.clear();
  }
  raw_.body() = std::move(body);
}

void Response::send(std::string_view body) { finish_body(std::string(body), true); }

void Response::send_bytes(std::string_view bytes) {
  if (get("content-type").empty()) raw_.set(beast_http::field::content_type, "application/octet-stream");
  finish_body(std::string(bytes), false);
}

void Response::json(const json::value& value) {
  if (http::scan_field(raw_, beast_http::field::content_type).value.empty()) raw_.set(beast_http::field::content_type, "application/json; charset=utf-8");
  finish_body(stringify(value), true);
}

void Response::send_status(unsigned code) {
  status(code);
  type("txt");
  auto text = status_text(code);
  send(text.empty() ? std::to_string(code) : std::string(text));
}

void Response::redirect(unsigned code, std::string_view url) {
  status(code);
  location(url);
  auto address = get("location");
  auto accept = req_.get("accept");
  // Express answers by content negotiation: text first, then HTML, else an empty body.
  auto offers = [&](std::string_view type) {
    if (accept.empty()) return true;
    std::string family = std::string(type.substr(0, type.find('/'))) + "/*";
    return accept.find("*/*") != std::string_view::npos || accept.find(type) != std::string_view::npos ||
           accept.find(family) != std::string_view::npos;
  };
  std::string body;
  if (offers("text/plain")) {
    type("txt");
    body = std::string(status_text(code)) + ". Redirecting to " + std::string(address);
  } else if (offers("text/html")) {
    type("html");
    auto phrase = std::string(status_text(code));
    body = "<!DOCTYPE html><head><title>" + phrase + "</title></head><body><p>" + phrase + ". Redirecting to " +
           escape_html(address) + "</p></body>";
  }
  add_vary("Accept");
  mark_finished();
  raw_.body() = std::move(body);
}

void Response::add_vary(std::string_view field) {
  // The vary package: append to the list unless it is "*" or already names the field.
  std::string current(get("vary"));
  if (current == "*") return;
  auto names_field = [&](std::string_view item) { return boost::beast::iequals(item, field); };
  if (!current.empty() && text::any_list_item(current, names_field, " ")) return;
  raw_.set(beast_http::field::vary, current.empty() ? std::string(field) : current + ", " + std::string(field));
}

void Response::end() { mark_finished(); }

void Response::end(std::string_view body) {
  mark_finished();
  raw_.body() = std::string(body);
}

Response& Response::cookie(std::string_view name, std::string_view value, const CookieAttributes& attributes) {
  raw_.insert(beast_http::field::set_cookie, set_cookie_header(name, value, attributes));
  return *this;
}

Response& Response::clear_cookie(std::string_view name, CookieAttributes attributes) {
  // Express 5 ignores maxAge here: the cookie is expired by a date in 1970.
  attributes.max_age.reset();
  attributes.expires = Timestamp(std::chrono::milliseconds(1));
  return cookie(name, "", attributes);
}

void Response::run_header_hooks() {
  if (hooks_ran_) return;
  hooks_ran_ = true;
  for (auto it = header_hooks_.rbegin(); it != header_hooks_.rend(); ++it) (*it)();
}

void Response::reset() {
  auto version = raw_.version();
  raw_ = http::RawResponse{};
  raw_.version(version);
  raw_.result(200);
  exchange_.file.reset();
  finished_ = false;
}

}  // namespace cortado
