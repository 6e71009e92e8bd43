#pragma once
/// FileBody: part of an open file sent as a response body, read as the client takes it.

#include <cstdint>
#include <span>
#include <string>

namespace cortado::http {

/// An open regular file and the part of it to send. The server writes it in pieces after the
/// response's head, so a large file costs its connection one buffer, not its size in memory.
class FileBody {
 public:
  /// Opens `path` to send `length` bytes from `offset`. Throws std::system_error when it cannot
  /// be opened and std::invalid_argument when it is no longer a regular file.
  FileBody(const std::string& path, std::uint64_t offset, std::uint64_t length);
  ~FileBody();
  FileBody(FileBody&& other) noexcept;
  FileBody& operator=(FileBody&& other) noexcept;
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;

  /// Reads the next bytes of the part into `out`; 0 once it is all read, or early when the file
  /// has shrunk since it was opened. Throws std::system_error on a read error.
  std::size_t read_next(std::span<char> out);
  /// The bytes of the part not read yet.
  std::uint64_t remaining() const { return end_ - next_; }

 private:
  int fd_ = -1;
  std::uint64_t next_ = 0;
  std::uint64_t end_ = 0;
};

}  // namespace cortado::http
