#include "support/test_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cortado::test {
namespace {

using Clock = std::chrono::steady_clock;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lower(x) == lower(y);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("test_client: " + what); }

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// The final coding of Transfer-Encoding is chunked (RFC 9112 6.3: then the body is chunked).
bool ends_chunked(std::string_view te) {
  auto comma = te.rfind(',');
  auto last = trim(comma == std::string_view::npos ? te : te.substr(comma + 1));
  return iequals(last, "chunked");
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lower(x) < lower(y); });
}

std::string Response::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string{} : it->second;
}

std::vector<std::string> Response::header_values(std::string_view name) const {
  std::vector<std::string> out;
  auto [first, last] = headers.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

Connection::Connection(std::uint16_t port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) fail(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Writes block at most `timeout`: a server that stops reading must not hang the test.
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd_);
    fail("connect to port " + std::to_string(port) + ": " + std::strerror(err));
  }
}

struct Connection::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
  }
};

namespace {

std::string openssl_error(const char* what) {
  unsigned long code = ERR_get_error();
  std::string out = what;
  if (code) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    out += ": ";
    out += text;
  }
  ERR_clear_error();
  return out;
}

}  // namespace

Connection::Connection(std::uint16_t port, const TlsClientOptions& options, std::chrono::milliseconds timeout)
    : Connection(port, timeout) {
  tls_ = std::make_unique<Tls>();
  tls_->ctx = SSL_CTX_new(TLS_client_method());
  if (!tls_->ctx) fail(openssl_error("SSL_CTX_new"));
  if (options.min_version) SSL_CTX_set_min_proto_version(tls_->ctx, options.min_version);
  if (options.max_version) SSL_CTX_set_max_proto_version(tls_->ctx, options.max_version);
  if (options.min_version && options.min_version < TLS1_2_VERSION)
    SSL_CTX_set_security_level(tls_->ctx, 0);  // let OpenSSL offer the old versions the test asks for
  SSL_CTX_set_verify(tls_->ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(tls_->ctx, options.ca_file.c_str(), nullptr) != 1)
    fail(openssl_error(("load CA " + options.ca_file).c_str()));
  if (!options.alpn.empty()) {
    std::string wire;
    for (const auto& p : options.alpn) wire += static_cast<char>(p.size()) + p;
    SSL_CTX_set_alpn_protos(tls_->ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
  }
  tls_->ssl = SSL_new(tls_->ctx);
  SSL_set_fd(tls_->ssl, fd_);
  SSL_set_tlsext_host_name(tls_->ssl, options.server_name.c_str());
  SSL_set1_host(tls_->ssl, options.server_name.c_str());
  // Reads block at most `timeout` too, so that a handshake or a record that never completes
  // fails the test instead of hanging it.
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (SSL_connect(tls_->ssl) != 1) fail(openssl_error("TLS handshake"));
}

Connection::~Connection() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
}

std::string Connection::peer_serial() const {
  if (!tls_) return {};
  X509* cert = SSL_get1_peer_certificate(tls_->ssl);
  if (!cert) return {};
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  X509_free(cert);
  return out;
}

std::string Connection::tls_version() const { return tls_ ? SSL_get_version(tls_->ssl) : ""; }

std::string Connection::alpn() const {
  if (!tls_) return {};
  const unsigned char* data = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(tls_->ssl, &data, &len);
  return std::string(reinterpret_cast<const char*>(data), len);
}

long Connection::receive(char* out, std::size_t size) {
  if (!tls_) {
    auto n = ::recv(fd_, out, size, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return -1;
    return n < 0 ? 0 : n;  // FIN, or a reset: either way the server is gone
  }
  ERR_clear_error();
  int n = SSL_read(tls_->ssl, out, static_cast<int>(size));
  if (n > 0) return n;
  int err = SSL_get_error(tls_->ssl, n);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return -1;
  if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EINTR)) return -1;
  ERR_clear_error();
  return 0;  // close_notify, FIN, reset or a TLS error: the server is gone
}

bool Connection::send(std::string_view bytes) {
  while (tls_ && !bytes.empty()) {
    ERR_clear_error();
    int n = SSL_write(tls_->ssl, bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  while (!bytes.empty()) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // EPIPE / ECONNRESET (server closed) or EAGAIN (send timeout)
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Connection::shutdown_write() {
  if (tls_) SSL_shutdown(tls_->ssl);  // close_notify: TLS's way of saying no more will come
  ::shutdown(fd_, SHUT_WR);
}

bool Connection::fill(Clock::time_point deadline) {
  if (eof_) {
    last_end_ = ReadEnd::closed;
    return false;
  }
  for (;;) {
    // OpenSSL may already hold decrypted bytes that poll() cannot see.
    if (!tls_ || SSL_pending(tls_->ssl) == 0) {
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, remaining_ms(deadline));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) {
        last_end_ = ReadEnd::timeout;
        return false;
      }
    }
    char chunk[16 * 1024];
    auto n = receive(chunk, sizeof chunk);
    if (n < 0) {
      if (Clock::now() >= deadline) {
        last_end_ = ReadEnd::timeout;
        return false;
      }
      continue;
    }
    if (n == 0) {
      eof_ = true;
      last_end_ = ReadEnd::closed;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
}

bool Connection::take(std::size_t n, std::string& out, Clock::time_point deadline) {
  while (buffer_.size() < n)
    if (!fill(deadline)) return false;
  out.append(buffer_, 0, n);
  buffer_.erase(0, n);
  return true;
}

bool Connection::take_line(std::string& out, Clock::time_point deadline) {
  std::size_t searched = 0;
  for (;;) {
    auto lf = buffer_.find('\n', searched);
    if (lf != std::string::npos) {
      if (lf == 0 || buffer_[lf - 1] != '\r') fail("a line in the response ends in a bare LF");
      out.assign(buffer_, 0, lf - 1);
      buffer_.erase(0, lf + 1);
      return true;
    }
    searched = buffer_.size();
    if (!fill(deadline)) return false;
  }
}

std::optional<Response> Connection::read_response(bool head) { return read_response(head, timeout_); }

std::optional<Response> Connection::read_response(bool head, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  auto truncated = [&](const char* where) {
    fail(std::string(last_end_ == ReadEnd::closed ? "connection closed" : "timed out") + " in the middle of " +
         where);
  };

  std::string line;
  if (!take_line(line, deadline)) {
    if (!buffer_.empty()) truncated("a status line");
    return std::nullopt;
  }
  Response res;
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]  (RFC 9112 4)
  auto digit = [&](std::size_t i) { return line[i] >= '0' && line[i] <= '9'; };
  if (line.size() < 13 || !line.starts_with("HTTP/1.") || !digit(7) || line[8] != ' ' || !digit(9) || !digit(10) ||
      !digit(11) || line[12] != ' ')
    fail("bad status line: " + line);
  res.version = line.substr(0, 8);
  res.status = std::stoi(line.substr(9, 3));
  res.reason = line.substr(13);

  for (;;) {
    if (!take_line(line, deadline)) truncated("the headers");
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') fail("obs-fold in a response header: " + line);
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) fail("bad response header: " + line);
    std::string name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string::npos) fail("whitespace in a response header name: " + line);
    res.headers.emplace(std::move(name), std::string(trim(std::string_view(line).substr(colon + 1))));
  }
  last_end_ = ReadEnd::response;

  // Which responses have a body and how long it is: RFC 9112 6.3, in order.
  if (head || res.status / 100 == 1 || res.status == 204 || res.status == 304) return res;
  auto te = res.headers.find("transfer-encoding");
  auto cl_values = res.header_values("content-length");
  if (te != res.headers.end()) {
    // A sender must not send both (RFC 9112 6.2): a server that does is broken.
    if (!cl_values.empty()) fail("response has both Transfer-Encoding and Content-Length");
    if (!ends_chunked(te->second)) fail("response Transfer-Encoding without chunked: " + te->second);
    res.chunked = true;
    for (;;) {
      if (!take_line(line, deadline)) truncated("a chunk size");
      auto size_text = line.substr(0, line.find(';'));
      std::size_t size = 0;
      try {
        size = std::stoul(size_text, nullptr, 16);
      } catch (const std::exception&) {
        fail("bad chunk size: " + line);
      }
      if (size == 0) break;
      if (!take(size, res.body, deadline)) truncated("a chunk");
      std::string crlf;
      if (!take(2, crlf, deadline)) truncated("a chunk");
      if (crlf != "\r\n") fail("chunk not followed by CRLF");
    }
    for (;;) {  // trailer section
      if (!take_line(line, deadline)) truncated("the trailers");
      if (line.empty()) break;
    }
  } else if (!cl_values.empty()) {
    for (const auto& v : cl_values)
      if (v != cl_values.front()) fail("response has conflicting Content-Length values");
    if (cl_values.front().empty() || cl_values.front().find_first_not_of("0123456789") != std::string::npos)
      fail("bad Content-Length in response: " + cl_values.front());
    if (!take(std::stoull(cl_values.front()), res.body, deadline)) truncated("the body");
  } else {
    // Neither: the body runs until the server closes the connection.
    while (fill(deadline)) {
    }
    if (last_end_ != ReadEnd::closed) truncated("a close-delimited body");
    res.body = std::move(buffer_);
    buffer_.clear();
    last_end_ = ReadEnd::response;
  }
  return res;
}

bool Connection::wait_closed(std::chrono::milliseconds timeout) {
  if (!buffer_.empty()) return false;
  auto deadline = Clock::now() + timeout;
  if (fill(deadline)) {
    last_end_ = ReadEnd::response;
    return false;
  }
  return last_end_ == ReadEnd::closed;
}

std::string Connection::read_until_close(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (fill(deadline)) {
  }
  std::string out = std::move(buffer_);
  buffer_.clear();
  return out;
}

std::optional<Response> Connection::request(std::string_view method, std::string_view target,
                                            const HeaderList& headers, std::string_view body) {
  if (!send(make_request(method, target, port_, headers, body))) {
    last_end_ = ReadEnd::closed;
    return std::nullopt;
  }
  return read_response(method == "HEAD");
}

std::string make_request(std::string_view method, std::string_view target, std::uint16_t port,
                         const HeaderList& headers, std::string_view body) {
  auto has = [&](std::string_view name) {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
  };
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!has("host")) out += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  bool wants_length = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (wants_length && !has("content-length") && !has("transfer-encoding"))
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

Response request(std::uint16_t port, std::string_view method, std::string_view target, const HeaderList& headers,
                 std::string_view body) {
  Connection conn(port);
  HeaderList all = headers;
  bool has_connection = std::any_of(all.begin(), all.end(), [](const auto& h) { return iequals(h.first, "connection"); });
  if (!has_connection) all.emplace_back("Connection", "close");
  auto res = conn.request(method, target, all, body);
  if (!res)
    fail(std::string(method) + " " + std::string(target) + ": " +
         (conn.last_end() == ReadEnd::closed ? "connection closed without a response" : "no response in time"));
  return *std::move(res);
}

Response get(std::uint16_t port, std::string_view target, const HeaderList& headers) {
  return request(port, "GET", target, headers);
}

}  // namespace cortado::test
