#pragma once
/// Response: what a handler writes back (Express's res).

#include "cortado/core/cookies.hpp"
#include "cortado/core/json.hpp"
#include "cortado/http/exchange.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cortado {

class Request;

namespace detail {
struct AppAccess;
}

/// Options of res.send_file() and the static middleware.
struct SendFileOptions {
  /// Resolve relative paths against this folder and refuse anything that leaves it.
  std::string root{};
  /// Cache-Control max-age.
  std::chrono::seconds max_age{0};
  bool etag = true;
  bool last_modified = true;
  /// Serve names that start with '.' (otherwise 404).
  bool dotfiles = false;
};

/// The response as Express builds it. Nothing reaches the socket before the handler chain is
/// done, so headers may be changed until then; on_headers hooks run just before.
class Response {
 public:
  Response(http::RawResponse& raw, const Request& req, http::Exchange& exchange);

  /// Sets the status code (Express's res.status).
  Response& status(unsigned code);
  unsigned status_code() const { return raw_.result_int(); }
  /// Sets a header, replacing earlier values. Express's res.set().
  Response& set(std::string_view field, std::string_view value);
  /// Adds a header value after the existing ones. Express's res.append().
  Response& append(std::string_view field, std::string_view value);
  /// A header's value, "" when unset.
  std::string_view get(std::string_view field) const;
  /// Content-Type from a short name ("json", "html", "png", ".css") or a full type.
  Response& type(std::string_view type);
  /// Adds a field to Vary unless it is there already (Express's res.vary).
  void add_vary(std::string_view field);
  /// Sets Location (encoded as Express's res.location does).
  Response& location(std::string_view url);

  // Content negotiation (src/app/negotiation.cpp).
  /// Adds `field` (one name, a comma list, or "*") to Vary with the vary package's rules:
  /// case-insensitive de-duplication, "*" absorbing everything. Throws std::invalid_argument on a
  /// name that is not a token.
  Response& vary(std::string_view field);
  /// One answer of res.format(): a media type or extension name ("text/html", "json") and what
  /// to do when it wins ("default" names the fallback, as in Express).
  using FormatHandlers = std::vector<std::pair<std::string, std::function<void()>>>;
  /// Express's res.format(): adds Vary: Accept, picks the best of `handlers` for the request's
  /// Accept, sets Content-Type to it and runs it; else runs `fallback` (or the "default" entry);
  /// else throws HttpError 406, which the app's error handlers get.
  void format(const FormatHandlers& handlers, const std::function<void()>& fallback = {});

  /// Sends a text body; Content-Type text/html unless set, a weak ETag, 304 when fresh.
  void send(std::string_view body);
  void send(const char* body) { send(std::string_view(body)); }
  void send(const std::string& body) { send(std::string_view(body)); }
  /// Sends bytes as application/octet-stream unless a type is set (a Buffer in Express).
  void send_bytes(std::string_view bytes);
  /// Sends JSON.stringify(value) as application/json.
  void json(const json::value& value);
  /// Sets the status and sends its reason phrase as the body.
  void send_status(unsigned code);
  /// Redirect (302 unless given), with the body Express writes for the client's Accept.
  void redirect(std::string_view url) { redirect(302, url); }
  void redirect(unsigned code, std::string_view url);
  /// Ends the response with what is set so far (Express's res.end()).
  void end();
  void end(std::string_view body);
  /// Sends a file (Content-Type from its extension, ETag, Last-Modified, Range, 304).
  /// Throws HttpError 404 when it does not exist or lies outside `options.root`.
  void send_file(std::string_view path, const SendFileOptions& options = {});

  /// Set-Cookie as res.cookie() writes it.
  Response& cookie(std::string_view name, std::string_view value, const CookieAttributes& attributes = {});
  /// Expires the cookie (Express's res.clearCookie); path and domain must match the original.
  Response& clear_cookie(std::string_view name, CookieAttributes attributes = {});

  /// res.render(view, locals): renders the view with app.locals < res.locals < `locals` and
  /// sends it as text/html (as send() does); throws ViewError or the engine's error.
  void render(std::string_view view, const json::object& locals = {});
  /// res.render(view, locals, callback): the callback gets the text (or the error) and sends.
  void render(std::string_view view, const json::object& locals,
              const std::function<void(std::exception_ptr, std::string)>& done);

  // More of Express's res: attachment, download, links, jsonp.
  /// Content-Disposition: attachment (with the file's base name, and its Content-Type from the
  /// extension, when given), written as the content-disposition package writes it.
  Response& attachment(std::optional<std::string_view> filename = std::nullopt);
  /// send_file(path) as an attachment named `filename` (default: the file's own name). The
  /// header is set only when the file is sent; a missing file throws HttpError 404.
  void download(std::string_view path, std::optional<std::string_view> filename = std::nullopt,
                const SendFileOptions& options = {});
  /// Link: <url>; rel="name", appended to what is set ({"next": "/p/2"} or a list per rel).
  Response& links(const json::object& links);
  /// JSON, or with the `jsonp callback name` query parameter (default "callback") JavaScript
  /// that calls it: the name stripped to [A-Za-z0-9_$.[\]], /**/ typeof cb === 'function' &&
  /// cb(json); U+2028/U+2029 escaped; X-Content-Type-Options: nosniff.
  void jsonp(const json::value& value);

  /// Per-request values for the handlers and views further down (res.locals).
  json::object& locals() { return locals_; }
  /// Runs `hook` just before the headers are written (npm on-headers); last added runs first.
  void on_headers(std::function<void()> hook) { header_hooks_.push_back(std::move(hook)); }
  /// True once send/json/end/redirect has been called.
  bool finished() const { return finished_; }
  /// Clears status, headers and body, for an error handler that starts over.
  void reset();

  /// The request this response answers.
  const Request& request() const { return req_; }

 private:
  // The app runs the hooks; the file senders write the Beast message and the file body.
  friend struct detail::AppAccess;
  /// Runs the on-headers hooks once; the app calls it after the handler chain.
  void run_header_hooks();
  /// Sends `file` as the body after the head, read as the client takes it (send_file does).
  void send_body_from(http::FileBody file);
  void finish_body(std::string body, bool text);
  void mark_finished();

  http::RawResponse& raw_;
  const Request& req_;
  http::Exchange& exchange_;
  json::object locals_;
  /// One inline (the session's Set-Cookie hook): the first push into a vector took an allocation
  /// on every session request. Not more, for App::handle's frame size (see Request::slots_).
  boost::container::small_vector<std::function<void()>, 1> header_hooks_;
  bool finished_ = false;
  bool hooks_ran_ = false;
};

}  // namespace cortado
