#pragma once
// Serving files the way Node's `send` (behind res.sendFile and express.static) does: how a
// request path becomes a file name under a root, how a Range header selects bytes, and the
// response for a file found on disk. Shared by Response::send_file and serve_static.
//
// The first part is pure text (file_path.cpp) so that it can be unit-tested without a server;
// the second part touches the disk and the Response (send_file.cpp).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cortado {

class Response;
struct SendFileOptions;

namespace detail {

// ---- paths (file_path.cpp) ----

/// Node's path.posix.normalize: collapses "//" and ".", resolves "..", keeps a leading ".." of
/// a relative path and a trailing '/'; "" becomes ".".
std::string normalize_path(std::string_view path);

/// Node's path.resolve for one argument: absolute (against the working directory), normalized,
/// without a trailing '/'.
std::string resolve_root(std::string_view root);

/// True when a segment of `path` is "..", with '/' or '\' as separators (send's UP_PATH_REGEXP).
bool has_up_segment(std::string_view path);

/// What send decides from the path alone, before looking at the disk.
struct FilePath {
  /// 0 when `path` is usable, else the status to answer: 400 (a NUL byte), 403 (a ".."
  /// segment), 404 (a dotfile while dotfiles are not served).
  unsigned status = 0;
  /// The absolute, normalized file name; a trailing '/' is kept when given under a root.
  std::string path;
};

/// send's pipe(): `decoded` is the path with %-escapes already decoded. With a `root` (from
/// resolve_root) the path is taken relative to it, so it can never leave it by name; without
/// one it must be absolute.
FilePath resolve_file_path(std::string_view decoded, std::string_view root, bool dotfiles);

/// True when `file`, with every symlink followed, is `root` itself or lies beneath it; false
/// also when either cannot be resolved. This is what catches a symlink leading out of the root.
bool stays_within(const std::string& file, const std::string& root);

/// serve-static's collapseLeadingSlashes: "//evil.example/" becomes "/evil.example/", so a
/// redirect can never point at another host.
std::string collapse_leading_slashes(std::string_view path);

/// send's createHtmlDocument: the small page of its redirects and errors.
std::string html_document(std::string_view title, std::string_view body);

// ---- ranges (file_path.cpp) ----

/// A byte range, both ends included.
struct ByteRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  bool operator==(const ByteRange&) const = default;
};

/// What a Range header asks of a representation of a given size.
struct RangeRequest {
  enum class Kind {
    ignored,        // absent, not "bytes=", or malformed: answer with the whole representation
    unsatisfiable,  // well-formed, but no range overlaps the representation: 416
    ranges,         // the satisfiable ranges, overlapping and adjacent ones combined
  };
  Kind kind = Kind::ignored;
  std::vector<ByteRange> ranges;
};

/// range-parser with { combine: true }, as send calls it, for a header that starts with
/// " *bytes=". Two choices follow RFC 9110 where range-parser 1.2.1 differs: a malformed range
/// is ignored rather than unsatisfiable (as range-parser's own master branch now does), and a
/// suffix longer than the representation selects all of it (§14.1.2) rather than nothing.
RangeRequest parse_range(std::uint64_t size, std::string_view header);

// ---- files on disk (send_file.cpp) ----

/// What stat(2) says of a file name.
struct FileInfo {
  std::string path;
  std::uint64_t size = 0;
  /// Modification time in milliseconds since the epoch (0 for earlier times).
  std::uint64_t mtime_ms = 0;
  bool directory = false;
};

/// send's lookup of a resolved path: with a trailing slash and an `index`, the index file
/// inside; otherwise the path itself, which may turn out to be a directory.
struct Located {
  /// 0 when found, else 404 (nothing there, or it lies outside `root` through a symlink) or
  /// 500 (the disk refused: permissions, I/O).
  unsigned status = 0;
  /// The path is a directory (only without a trailing slash): redirect, or refuse.
  bool directory = false;
  FileInfo file;
};

/// Looks `path` (from resolve_file_path) up on disk; `root` "" skips the containment check.
Located locate_file(const std::string& path, bool trailing_slash, std::string_view index, const std::string& root);

/// send's send() for a regular file: Accept-Ranges, Cache-Control, Last-Modified, ETag (when
/// `etag`), Content-Type, then 412, 304, 206 or 416, and the bytes. Headers already set on `res`
/// are kept. Throws HttpError 412 for a failed If-Match / If-Unmodified-Since, 500 when the file
/// cannot be read or the part to send is too large to hold in memory.
void send_found_file(Response& res, const FileInfo& file, const SendFileOptions& options, bool etag);

/// send's Content-Type for a file: its extension's type (with the charset mime-types gives it),
/// else application/octet-stream.
std::string content_type_of_file(std::string_view path);

/// serve_static's `precompressed`: when `file` has a ".br" or ".gz" sibling, adds Vary:
/// Accept-Encoding, and sends the sibling the client accepts best (br before gzip on equal q)
/// with the original's type and Content-Encoding. False when the identity file is to be sent.
bool send_precompressed(Response& res, const FileInfo& file, const SendFileOptions& options, bool etag);

}  // namespace detail
}  // namespace cortado
