#include "cortado/app/multipart.hpp"

#include "app/access.hpp"
#include "app/multipart_parser.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/http/body_reader.hpp"
#include "core/header_text.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

namespace cortado {
namespace {

// multer's codes and messages (lib/multer-error.js).
std::string message_for(std::string_view code) {
  if (code == "LIMIT_PART_COUNT") return "Too many parts";
  if (code == "LIMIT_FILE_SIZE") return "File too large";
  if (code == "LIMIT_FILE_COUNT") return "Too many files";
  if (code == "LIMIT_FIELD_KEY") return "Field name too long";
  if (code == "LIMIT_FIELD_VALUE") return "Field value too long";
  if (code == "LIMIT_FIELD_COUNT") return "Too many fields";
  if (code == "LIMIT_UNEXPECTED_FILE") return "Unexpected file field";
  if (code == "MISSING_FIELD_NAME") return "Field name missing";
  return "Unknown error: " + std::string(code);
}

unsigned status_for(std::string_view code) {
  return code.starts_with("LIMIT_") && code != "LIMIT_UNEXPECTED_FILE" ? 413 : 400;
}

// The HTML form escapes a browser writes into names (%0A, %0D, %22), reversed as multer does.
std::string decode_form_name(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size()) {
      auto code = text::to_lower(name.substr(i + 1, 2));
      if (code == "0a" || code == "0d" || code == "22") {
        out += code == "0a" ? '\n' : code == "0d" ? '\r' : '"';
        i += 2;
        continue;
      }
    }
    out += name[i];
  }
  return out;
}

// busboy's basename: the last segment after '/' or '\', and never "." or "..".
std::string last_segment(std::string_view name) {
  auto at = name.find_last_of("/\\");
  if (at != std::string_view::npos) name = name.substr(at + 1);
  return name == "." || name == ".." ? std::string() : std::string(name);
}

// 32 hex digits from the kernel's generator, as multer's crypto.randomBytes(16).
std::string random_name() {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    auto n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// An open file descriptor, closed with its owner.
class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle() { close(); }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  void write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      auto n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::generic_category(), "cannot write an uploaded file");
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Paths of the files stored for one request, removed when the response has been sent or the
// upload failed (a file the handler moved away is simply not there any more).
using StoredPaths = std::shared_ptr<std::vector<std::string>>;

void remove_all(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
}

// One request's upload: what busboy and multer do with each part, fed by the parser. Plain
// (not a coroutine) so the parts' logic is ordinary code; the middleware only reads and feeds.
class Upload final : public detail::PartSink {
 public:
  Upload(const MultipartOptions& options, const std::optional<std::vector<FileField>>& accepted,
         const std::string& dest, std::string_view boundary, StoredPaths stored)
      : limits_(options.limits), dest_(dest), stored_(std::move(stored)),
        parser_(boundary, static_cast<std::size_t>(std::min<std::uint64_t>(limits_.header_pairs, 1u << 20))) {
    if (accepted) {
      files_left_.emplace();
      for (const auto& field : *accepted) files_left_->emplace_back(field.name, field.max_count);
    }
  }

  void feed(std::string_view bytes) { parser_.feed(bytes, *this); }
  void finish() { parser_.finish(); }
  json::object& fields() { return fields_; }
  std::vector<UploadedFile>& files() { return files_; }

  void part_begin(detail::PartHeaders& headers) override {
    kind_ = Kind::skip;
    if (++parts_ > limits_.parts) fail("LIMIT_PART_COUNT");
    auto disposition = headers.find("content-disposition");
    if (disposition == headers.end()) return;
    auto disp = detail::parse_disposition(disposition->second);
    if (disp.type != "form-data") return;
    std::optional<std::string> name;
    if (auto found = disp.params.find("name"); found != disp.params.end() && !found->second.empty())
      name = found->second;
    // An empty filename counts as none (busboy tests the values for truth): the part is a field.
    std::optional<std::string> filename;
    if (auto found = disp.params.find("filename*"); found != disp.params.end() && !found->second.empty())
      filename = found->second;
    else if (auto plain = disp.params.find("filename"); plain != disp.params.end() && !plain->second.empty())
      filename = plain->second;
    if (filename) filename = last_segment(*filename);
    std::string type = "text/plain";
    if (auto found = headers.find("content-type"); found != headers.end()) {
      auto media = text::to_lower(text::trim(std::string_view(found->second).substr(0, found->second.find(';')), " \t"));
      if (media.find('/') != std::string::npos) type = media;
    }
    std::string encoding = "7bit";
    if (auto found = headers.find("content-transfer-encoding"); found != headers.end())
      encoding = text::to_lower(found->second);

    if (type == "application/octet-stream" || filename) {
      if (files_seen_ == limits_.files) fail("LIMIT_FILE_COUNT");
      ++files_seen_;
      if (!name) fail("MISSING_FIELD_NAME");
      if (!filename || filename->empty()) return;  // a file input left empty: no file
      if (limits_.field_name_size && name->size() > *limits_.field_name_size) fail("LIMIT_FIELD_KEY");
      auto fieldname = decode_form_name(*name);
      auto originalname = decode_form_name(*filename);
      take_file_slot(fieldname);
      UploadedFile file;
      file.fieldname = std::move(fieldname);
      file.originalname = std::move(originalname);
      file.encoding = std::move(encoding);
      file.mimetype = std::move(type);
      file.destination = dest_;
      file.filename = random_name();
      file.path = (std::filesystem::path(dest_) / file.filename).string();
      // O_EXCL: never an existing file, whatever the name; the name never comes from the client.
      int fd = ::open(file.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create an uploaded file");
      stored_->push_back(file.path);
      out_ = std::make_unique<FileHandle>(fd);
      current_file_ = std::move(file);
      kind_ = Kind::file;
    } else {
      if (fields_seen_ == limits_.fields) fail("LIMIT_FIELD_COUNT");
      ++fields_seen_;
      field_name_ = name;
      field_value_.clear();
      kind_ = Kind::field;
    }
  }

  void part_data(std::string_view bytes) override {
    if (kind_ == Kind::file) {
      if (bytes.size() > limits_.file_size - current_file_.size) fail("LIMIT_FILE_SIZE", current_file_.fieldname);
      out_->write_all(bytes);
      current_file_.size += bytes.size();
    } else if (kind_ == Kind::field) {
      // One byte past the limit is enough to know it was crossed (multer's fieldSize + 1).
      auto room = limits_.field_size - std::min<std::uint64_t>(limits_.field_size, field_value_.size()) + 1;
      field_value_.append(bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(room, bytes.size()))));
    }
  }

  void part_end() override {
    if (kind_ == Kind::file) {
      out_->close();
      out_.reset();
      files_.push_back(std::move(current_file_));
      current_file_ = {};
    } else if (kind_ == Kind::field) {
      if (!field_name_) fail("MISSING_FIELD_NAME");
      auto name = decode_form_name(*field_name_);
      if (field_value_.size() > limits_.field_size) fail("LIMIT_FIELD_VALUE", name);
      if (limits_.field_name_size && field_name_->size() > *limits_.field_name_size) fail("LIMIT_FIELD_KEY");
      append_field(name, std::move(field_value_));
      field_value_.clear();
    }
    kind_ = Kind::skip;
  }

 private:
  enum class Kind { skip, file, field };

  [[noreturn]] static void fail(const std::string& code, const std::string& field = {}) {
    throw MultipartError(code, field);
  }

  // multer's fileFilter for single/array/fields/none: each named field takes up to its count.
  void take_file_slot(const std::string& fieldname) {
    if (!files_left_) return;  // any()
    for (auto& [name, left] : *files_left_) {
      if (name != fieldname) continue;
      if (left == 0) break;
      --left;
      return;
    }
    fail("LIMIT_UNEXPECTED_FILE", fieldname);
  }

  // append-field for a plain name: the first value as is, a repeated name gathers an array.
  void append_field(const std::string& name, std::string value) {
    auto* existing = fields_.if_contains(name);
    if (!existing) {
      fields_.emplace(name, json::string(value));
    } else if (existing->is_array()) {
      existing->as_array().emplace_back(json::string(value));
    } else {
      json::array both;
      both.emplace_back(std::move(*existing));
      both.emplace_back(json::string(value));
      *existing = std::move(both);
    }
  }

  const MultipartLimits& limits_;
  const std::string& dest_;
  StoredPaths stored_;
  detail::MultipartParser parser_;
  std::optional<std::vector<std::pair<std::string, std::uint64_t>>> files_left_;
  json::object fields_;
  std::vector<UploadedFile> files_;
  std::uint64_t parts_ = 0;
  std::uint64_t files_seen_ = 0;
  std::uint64_t fields_seen_ = 0;
  Kind kind_ = Kind::skip;
  UploadedFile current_file_;
  std::unique_ptr<FileHandle> out_;
  std::optional<std::string> field_name_;
  std::string field_value_;
};

// What the middleware keeps between requests.
struct Config {
  MultipartOptions options;
  std::optional<std::vector<FileField>> accepted;
};

// Reads the streamed body (or, when the app read it whole, the request's body) into `upload`.
// Returns the error that ends the request, or null when the upload is complete.
Task<std::exception_ptr> read_upload(Upload& upload, http::BodyReader* reader, const Request& req,
                                     const MultipartOptions& options) {
  std::exception_ptr error;
  try {
    if (reader) {
      if (options.body_limit) reader->limit(*options.body_limit);
      if (options.body_timeout) reader->timeout(*options.body_timeout);
      std::vector<char> buffer(64 * 1024);
      for (;;) {
        std::size_t n = co_await reader->read_some(std::span<char>(buffer));
        if (n == 0) break;
        upload.feed(std::string_view(buffer.data(), n));
      }
    } else {
      upload.feed(req.raw_body());
    }
    upload.finish();
  } catch (const http::BodyError& e) {
    // The body was refused or cut short: the same status the server would have answered.
    auto message = e.status() == 400 ? std::string("Unexpected end of form") : std::string(e.what());
    error = std::make_exception_ptr(HttpError(e.status(), message));
  } catch (const detail::MalformedMultipart& e) {
    error = std::make_exception_ptr(HttpError(400, e.what()));
  } catch (...) {
    error = std::current_exception();  // MultipartError, or a file that could not be written
  }
  co_return error;
}

}  // namespace

MultipartError::MultipartError(std::string code, std::string field)
    : HttpError(status_for(code), message_for(code)), code_(std::move(code)), field_(std::move(field)) {}

Multipart::Multipart(MultipartOptions options) : options_(std::move(options)) {
  if (options_.dest.empty()) options_.dest = std::filesystem::temp_directory_path().string();
  std::filesystem::create_directories(options_.dest);  // as multer's disk storage, at setup
}

Middleware Multipart::make(std::optional<std::vector<FileField>> accepted) const {
  auto config = std::make_shared<const Config>(Config{options_, std::move(accepted)});
  return make_middleware([config](Request& req, Response& res, Next next) -> Task<> {
    if (!req.is("multipart/*")) {
      next();
      co_return;
    }
    auto& exchange = detail::AppAccess::exchange(res);
    auto boundary = detail::multipart_boundary(req.get("content-type"));
    if (boundary.empty()) {
      next(HttpError(400, "Multipart: Boundary not found"));
      co_return;
    }
    // Removed once the response is out, whatever the handler did with the request.
    auto stored = std::make_shared<std::vector<std::string>>();
    exchange.on_finished.emplace_back([stored](const http::RawResponse&) { remove_all(*stored); });
    Upload upload(config->options, config->accepted, config->options.dest, boundary, stored);
    auto error = co_await read_upload(upload, exchange.body, req, config->options);
    if (error) {
      remove_all(*stored);
      stored->clear();
      next(error);
      co_return;
    }
    req.set_body(json::value(std::move(upload.fields())));
    req.slot<Uploads>().files = std::move(upload.files());
    next();
  });
}

Middleware Multipart::single(std::string name) const {
  std::vector<FileField> fields(1);
  fields[0].name = std::move(name);
  fields[0].max_count = 1;
  return make(std::move(fields));
}

Middleware Multipart::array(std::string name, std::uint64_t max_count) const {
  std::vector<FileField> fields(1);
  fields[0].name = std::move(name);
  fields[0].max_count = max_count;
  return make(std::move(fields));
}

Middleware Multipart::fields(std::vector<FileField> fields) const { return make(std::move(fields)); }

Middleware Multipart::none() const { return make(std::vector<FileField>()); }

Middleware Multipart::any() const { return make(std::nullopt); }

Multipart multipart(MultipartOptions options) { return Multipart(std::move(options)); }

}  // namespace cortado
