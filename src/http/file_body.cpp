#include "cortado/http/file_body.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace cortado::http {

FileBody::FileBody(const std::string& path, std::uint64_t offset, std::uint64_t length)
    : next_(offset), end_(offset + length) {
  // O_NONBLOCK: should the name have become a FIFO since the caller's stat(), open() must not
  // wait for a writer (the check below then refuses it).
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(std::exchange(fd_, -1));
    throw std::invalid_argument("not a regular file: " + path);
  }
}

FileBody::~FileBody() {
  if (fd_ >= 0) ::close(fd_);
}

FileBody::FileBody(FileBody&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), next_(other.next_), end_(other.end_) {}

FileBody& FileBody::operator=(FileBody&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    next_ = other.next_;
    end_ = other.end_;
  }
  return *this;
}

std::size_t FileBody::read_next(std::span<char> out) {
  auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), remaining()));
  if (wanted == 0) return 0;
  for (;;) {
    // pread, not read: the offset stays ours whatever else shares the descriptor.
    auto n = ::pread(fd_, out.data(), wanted, static_cast<off_t>(next_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot read the file being sent");
    next_ += static_cast<std::uint64_t>(n);
    if (n == 0) end_ = next_;  // the file has shrunk: there is nothing more to send
    return static_cast<std::size_t>(n);
  }
}

}  // namespace cortado::http
