// Response::send_file, and the part of Node's `send` that answers for a file found on disk.
//
// The file is opened here and handed to the HTTP layer (http::FileBody), which reads it in
// pieces of 64 KiB as the client takes them, with ordinary blocking reads on the I/O thread
// (fast for files in the page cache): a slow client of a large file holds one piece in memory,
// not the file.

#include "app/access.hpp"
#include "app/file_path.hpp"
#include "app/freshness.hpp"
#include "cortado/core/cookies.hpp"
#include "cortado/app/http_error.hpp"
#include "core/mime.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/core/url.hpp"

#include <boost/beast/core/string.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <vector>

namespace cortado {
namespace detail {
namespace {

namespace beast_http = boost::beast::http;

// send caps maxAge at one year.
constexpr std::int64_t max_age_limit = 365ll * 24 * 60 * 60;

// stat() as send's onStatError maps it. Only regular files and directories count: reading a
// FIFO or a device would block this thread, so those are "not found".
unsigned stat_path(const std::string& path, FileInfo& info) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG ? 404 : 500;
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return 404;
  info.path = path;
  info.size = static_cast<std::uint64_t>(st.st_size);
  std::int64_t ms = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
  info.mtime_ms = ms > 0 ? static_cast<std::uint64_t>(ms) : 0;
  info.directory = S_ISDIR(st.st_mode);
  return 0;
}

// send's type(): the extension's type, else application/octet-stream; "; charset=utf-8" (as
// mime-types 3 writes it) on the types that carry one.
std::string file_content_type(std::string_view path) {
  auto slash = path.rfind('/');
  auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.rfind('.');
  std::string_view type;
  if (dot != std::string_view::npos && dot != 0) type = mime_type(name.substr(dot));  // ".bashrc" has none
  if (type.empty()) return "application/octet-stream";
  if (content_type_for(type) != type) return std::string(type) + "; charset=utf-8";
  return std::string(type);
}

bool is_conditional(const Request& req) {
  return !req.get("if-match").empty() || !req.get("if-unmodified-since").empty() ||
         !req.get("if-none-match").empty() || !req.get("if-modified-since").empty();
}

// send's isPreconditionFailure: If-Match, else If-Unmodified-Since.
bool precondition_failed(const Request& req, const Response& res) {
  if (auto match = req.get("if-match"); !match.empty()) {
    std::string etag(res.get("etag"));
    if (etag.empty()) return true;
    if (match == "*") return false;
    while (true) {
      auto comma = match.find(',');
      auto token = match.substr(0, comma);
      while (token.starts_with(' ')) token.remove_prefix(1);
      while (token.ends_with(' ')) token.remove_suffix(1);
      if (token == etag || "W/" + std::string(token) == etag || std::string(token) == "W/" + etag) return false;
      if (comma == std::string_view::npos) return true;
      match.remove_prefix(comma + 1);
    }
  }
  if (auto since = parse_http_date(req.get("if-unmodified-since"))) {
    auto modified = parse_http_date(res.get("last-modified"));
    return !modified || *modified > *since;
  }
  return false;
}

// send's isRangeFresh: If-Range holds either the ETag or the Last-Modified date.
bool range_fresh(const Request& req, const Response& res) {
  auto if_range = req.get("if-range");
  if (if_range.empty()) return true;
  if (if_range.find('"') != std::string_view::npos) {
    auto etag = res.get("etag");
    return !etag.empty() && if_range.find(etag) != std::string_view::npos;
  }
  auto modified = parse_http_date(res.get("last-modified"));
  auto since = parse_http_date(if_range);
  return modified && since && *modified <= *since;
}

// send's notModified: a 304 carries no Content-* fields but Content-Location.
void not_modified(Response& res) {
  auto& raw = detail::AppAccess::raw(res);
  std::vector<std::string> names;
  for (const auto& f : raw) {
    std::string_view name = f.name_string();
    if (name.size() >= 8 && boost::beast::iequals(name.substr(0, 8), "content-") &&
        !boost::beast::iequals(name, "content-location"))
      names.emplace_back(name);
  }
  for (const auto& name : names) raw.erase(name);
  res.status(304);
  res.end();
}

// The 416 answered here rather than thrown: Express passes send's error on with a Content-Range
// header that finalhandler sets, but an HttpError carries no headers and the final handler starts
// afresh. So this writes what finalhandler would: the file's validators stay, the Content-Range
// says the size, and the page is the standard error page.
void range_not_satisfiable(Response& res, std::uint64_t size) {
  auto& raw = detail::AppAccess::raw(res);
  raw.erase(beast_http::field::content_encoding);
  raw.erase(beast_http::field::content_language);
  res.status(416);
  res.set("Content-Range", "bytes */" + std::to_string(size));
  res.set("Content-Security-Policy", "default-src 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  raw.set(beast_http::field::content_type, "text/html; charset=utf-8");
  res.end(html_document("Error", escape_html(status_text(416))));
}


}  // namespace

std::string content_type_of_file(std::string_view path) { return file_content_type(path); }

Located locate_file(const std::string& path, bool trailing_slash, std::string_view index, const std::string& root) {
  Located out;
  if (trailing_slash && !index.empty()) {
    // send's sendIndex: a directory named like the index does not count.
    out.status = stat_path(normalize_path(path + "/" + std::string(index)), out.file);
    if (!out.status && out.file.directory) out.status = 404;
  } else {
    out.status = stat_path(path, out.file);
    if (!out.status && out.file.directory) out.directory = true;
    else if (!out.status && path.ends_with('/')) out.status = 404;  // "file.txt/"
  }
  if (!out.status && !root.empty() && !stays_within(out.file.path, root)) {
    out.status = 404;
    out.directory = false;
  }
  return out;
}

void send_found_file(Response& res, const FileInfo& file, const SendFileOptions& options, bool etag) {
  const Request& req = res.request();
  auto& raw = detail::AppAccess::raw(res);

  // send's setHeader(): what the application has set already wins.
  if (res.get("accept-ranges").empty()) res.set("Accept-Ranges", "bytes");
  if (res.get("cache-control").empty()) {
    auto seconds = std::clamp<std::int64_t>(options.max_age.count(), 0, max_age_limit);
    res.set("Cache-Control", "public, max-age=" + std::to_string(seconds));
  }
  if (options.last_modified && res.get("last-modified").empty()) {
    auto mtime = std::chrono::system_clock::time_point{} + std::chrono::milliseconds(file.mtime_ms);
    res.set("Last-Modified", http_date(mtime));
  }
  if (etag && res.get("etag").empty()) res.set("ETag", file_etag(file.size, file.mtime_ms));
  if (res.get("content-type").empty()) raw.set(beast_http::field::content_type, file_content_type(file.path));

  if (is_conditional(req)) {
    if (precondition_failed(req, res)) throw HttpError(412);
    if (is_fresh(req, res)) return not_modified(res);
  }

  std::uint64_t offset = 0;
  std::uint64_t length = file.size;
  if (auto header = req.get("range"); !header.empty()) {
    auto wanted = parse_range(file.size, header);
    if (wanted.kind != RangeRequest::Kind::ignored && !range_fresh(req, res)) wanted.kind = RangeRequest::Kind::ignored;
    if (wanted.kind == RangeRequest::Kind::unsatisfiable) return range_not_satisfiable(res, file.size);
    // Several ranges would need multipart/byteranges; send answers those with the whole file.
    if (wanted.kind == RangeRequest::Kind::ranges && wanted.ranges.size() == 1) {
      const auto& r = wanted.ranges.front();
      res.status(206);
      res.set("Content-Range", "bytes " + std::to_string(r.start) + "-" + std::to_string(r.end) + "/" +
                                   std::to_string(file.size));
      offset = r.start;
      length = r.end - r.start + 1;
    }
  }

  res.end();
  if (req.method() == "HEAD") {
    // The size matters and the bytes do not: the HTTP layer keeps an explicit Content-Length
    // on a HEAD response.
    raw.content_length(length);
    return;
  }
  try {
    detail::AppAccess::send_body_from(res, http::FileBody(file.path, offset, length));
  } catch (const std::exception& e) {  // gone or replaced since stat()
    throw HttpError(500, e.what());
  }
}

}  // namespace detail

void Response::send_file(std::string_view path, const SendFileOptions& options) {
  // As res.sendFile, these are programming errors (TypeError in Express), hence a 500.
  if (path.empty()) throw std::invalid_argument("path argument is required to res.sendFile");
  std::string root = options.root.empty() ? std::string{} : detail::resolve_root(options.root);
  if (root.empty() && !path.starts_with('/'))
    throw std::invalid_argument("path must be absolute or specify root to res.sendFile");

  // The path is taken literally: Express %-encodes it (encodeURI) before send decodes it again.
  auto resolved = detail::resolve_file_path(path, root, options.dotfiles);
  if (resolved.status) throw HttpError(resolved.status);
  // send's default index applies: res.sendFile("docs/") sends docs/index.html.
  auto located = detail::locate_file(resolved.path, path.ends_with('/'), "index.html", root);
  if (located.status) throw HttpError(located.status);
  // Express calls next() for a directory; with no next to call here, it is not found.
  if (located.directory) throw HttpError(404);
  detail::send_found_file(*this, located.file, options, options.etag && req_.settings().etag);
}

}  // namespace cortado
