// serve_static: Express's express.static (serve-static 2 over send 1).

#include "cortado/app/static_files.hpp"

#include "app/access.hpp"
#include "app/file_path.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/app/request.hpp"
#include "cortado/core/url.hpp"

#include <stdexcept>

namespace cortado {
namespace {

// An original URL in three parts: what precedes the path (the scheme and host of an
// absolute-form target), the path, and the query with its '?'.
struct UrlParts {
  std::string_view origin;
  std::string_view pathname;
  std::string_view search;
};

UrlParts split_url(std::string_view url) {
  UrlParts parts;
  auto q = url.find('?');
  parts.search = q == std::string_view::npos ? std::string_view{} : url.substr(q);
  url = url.substr(0, q);
  if (url.starts_with("http://") || url.starts_with("https://")) {
    auto slash = url.find('/', url.find("//") + 2);
    parts.origin = url.substr(0, slash);
    url = slash == std::string_view::npos ? std::string_view{"/"} : url.substr(slash);
  }
  parts.pathname = url;
  return parts;
}

// serve-static's directory redirect: the URL as the client sent it, plus '/', query kept.
void redirect_to_directory(const Request& req, Response& res) {
  auto parts = split_url(req.original_url());
  std::string target(parts.origin);
  target += detail::collapse_leading_slashes(std::string(parts.pathname) + "/");
  target += parts.search;
  std::string location = encode_url(target);
  res.status(301);
  detail::AppAccess::raw(res).set(boost::beast::http::field::content_type, "text/html; charset=UTF-8");
  res.set("Content-Security-Policy", "default-src 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Location", location);
  res.end(detail::html_document("Redirecting", "Redirecting to " + escape_html(location)));
}

}  // namespace

Middleware serve_static(std::string root) { return serve_static(std::move(root), StaticOptions{}); }

Middleware serve_static(std::string root, StaticOptions options) {
  if (root.empty()) throw std::invalid_argument("root path required");
  // Resolved once, as serve-static does: a later chdir() does not move the served folder.
  options.file.root = detail::resolve_root(root);

  return make_middleware([options = std::move(options)](Request& req, Response& res, Next next) {
    if (req.method() != "GET" && req.method() != "HEAD") {
      if (options.fall_through) {
        next();
        return;
      }
      res.status(405);
      res.set("Allow", "GET, HEAD");
      res.end();
      return;
    }

    // Until a file is found, a client error means "not here": with fall_through the next
    // handler gets its chance; server errors always go on to the error handlers.
    auto not_here = [&](unsigned status) {
      if (!options.fall_through || status >= 500)
        next(HttpError(status));
      else
        next();
    };

    std::string_view path = req.path();
    // Mounted at "/static", a request for "/static" has path "/": make the directory redirect
    // happen at the mount point rather than serve the index under a URL without its '/'.
    if (path == "/" && !split_url(req.original_url()).pathname.ends_with('/')) path = "";

    auto decoded = decode_uri_component(path);
    if (!decoded) return not_here(400);
    const auto& file_options = options.file;
    auto resolved = detail::resolve_file_path(*decoded, file_options.root, file_options.dotfiles);
    if (resolved.status) return not_here(resolved.status);
    bool trailing_slash = path.ends_with('/');
    auto located = detail::locate_file(resolved.path, trailing_slash, options.index, file_options.root);
    if (located.status) return not_here(located.status);
    if (located.directory) {
      if (!options.redirect || trailing_slash) return not_here(404);
      return redirect_to_directory(req, res);
    }

    // A file was found: from here on every error (412, an unreadable file) goes to the error
    // handlers even with fall_through, as serve-static does; a throw is next(error) here.
    if (options.precompressed && detail::send_precompressed(res, located.file, file_options, file_options.etag)) return;
    detail::send_found_file(res, located.file, file_options, file_options.etag);
  });
}

}  // namespace cortado
