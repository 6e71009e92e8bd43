#pragma once
/// multipart(): multipart/form-data uploads read as they arrive (Express's multer).

#include "cortado/app/handler.hpp"
#include "cortado/app/http_error.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace cortado {

/// One stored file, as multer's file object describes it.
struct UploadedFile {
  std::string fieldname;
  /// The client's name for the file, its last path segment only (busboy's basename): metadata,
  /// never a path the server uses.
  std::string originalname;
  std::string encoding;  // Content-Transfer-Encoding, "7bit" when the part names none
  std::string mimetype;  // the part's Content-Type, "text/plain" when it names none
  std::string destination;
  /// A random name (32 hex digits, no extension) under `destination`.
  std::string filename;
  std::string path;
  std::uint64_t size = 0;
};

/// The files multipart() stored for a request, in the order they arrived (req.slot<Uploads>()).
/// They are removed once the response has been sent; move one elsewhere to keep it.
struct Uploads {
  std::vector<UploadedFile> files;
  /// multer's req.file: the first file, or null.
  const UploadedFile* file() const { return files.empty() ? nullptr : &files.front(); }
};

/// multer's limits under busboy's names; each is the most allowed, one more is refused.
struct MultipartLimits {
  static constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();
  /// Bytes of a field name; unset: not checked (as multer when the option is absent).
  std::optional<std::uint64_t> field_name_size{};
  std::uint64_t field_size = 1024 * 1024;
  std::uint64_t fields = unlimited;
  std::uint64_t file_size = unlimited;
  std::uint64_t files = unlimited;
  std::uint64_t parts = unlimited;
  /// Header fields read per part; the rest are ignored.
  std::uint64_t header_pairs = 2000;
};

struct MultipartOptions {
  /// Where files are stored (created if missing); empty: the system's temporary directory.
  std::string dest{};
  MultipartLimits limits{};
  /// The whole body's limit, replacing ServerOptions::body_limit for these requests (an upload
  /// is often larger than any other body); unset keeps the server's. Over it: 413.
  std::optional<std::uint64_t> body_limit{};
  /// Replaces ServerOptions::body_timeout for these requests; unset keeps the server's.
  std::optional<std::chrono::milliseconds> body_timeout{};
};

/// What multer raises (MulterError): its code ("LIMIT_FILE_SIZE"), message ("File too large")
/// and the field concerned. Status 413 for the size and count limits, 400 for the rest
/// (LIMIT_UNEXPECTED_FILE, MISSING_FIELD_NAME).
class MultipartError : public HttpError {
 public:
  MultipartError(std::string code, std::string field = {});
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }

 private:
  std::string code_;
  std::string field_;
};

/// One form's file fields for fields(): the name and how many files it may carry.
struct FileField {
  std::string name{};
  std::uint64_t max_count = MultipartLimits::unlimited;
};

/// The factory multer(options) returns: each method makes a middleware that reads a
/// multipart/form-data body as it arrives, puts its text fields into req.body() (an object;
/// a repeated name becomes an array) and its files into req.slot<Uploads>(). Other requests
/// pass through untouched. A limit crossed or a file field not accepted ends the request with
/// a MultipartError, a malformed or cut-short body with HttpError 400; either way the files
/// stored so far are removed.
class Multipart {
 public:
  explicit Multipart(MultipartOptions options);
  /// One file in field `name` (req.slot<Uploads>().file()).
  Middleware single(std::string name) const;
  /// Up to `max_count` files in field `name`.
  Middleware array(std::string name, std::uint64_t max_count = MultipartLimits::unlimited) const;
  /// Files in the named fields, each up to its max_count.
  Middleware fields(std::vector<FileField> fields) const;
  /// Text fields only: any file is LIMIT_UNEXPECTED_FILE.
  Middleware none() const;
  /// Files in any field.
  Middleware any() const;

 private:
  Middleware make(std::optional<std::vector<FileField>> accepted) const;
  MultipartOptions options_;
};

/// multer(options): `auto upload = cortado::multipart({.dest = "uploads"});` then
/// `app.post("/profile", upload.single("avatar"), handler)`.
Multipart multipart(MultipartOptions options = {});

}  // namespace cortado
