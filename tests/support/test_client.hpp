#pragma once
/// A small blocking HTTP/1.1 client over a real TCP socket, for integration tests.
///
/// It sends exactly the bytes it is given (so a test can send malformed requests) and reads
/// responses strictly: CRLF line endings, Content-Length or chunked bodies, no body for HEAD,
/// 1xx, 204 and 304. Every read and write has a deadline, so a test fails instead of hanging.
///
///   auto res = test::get(port, "/hello", {{"Cookie", "a=1"}});
///   EXPECT_EQ(res.status, 200);
///   EXPECT_EQ(res.header("content-type"), "text/html; charset=utf-8");
///
///   test::Connection conn(port);                  // keep-alive, pipelining, raw bytes
///   conn.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
///   auto first = conn.read_response();             // std::nullopt if the server closed
///   EXPECT_TRUE(conn.wait_closed());

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cortado::test {

using namespace std::chrono_literals;

/// Orders header names without regard to ASCII case.
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

/// Response headers by name, case-insensitively; repeated headers (Set-Cookie) keep every value
/// in the order received.
using HeaderMap = std::multimap<std::string, std::string, CaseInsensitiveLess>;

/// Request headers in the order they are written.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// One response as read from the wire.
struct Response {
  /// "HTTP/1.1" or "HTTP/1.0".
  std::string version;
  int status = 0;
  std::string reason;
  HeaderMap headers;
  std::string body;
  /// The body was chunked (Transfer-Encoding: chunked) on the wire.
  bool chunked = false;

  /// The first value of a header, "" when absent.
  std::string header(std::string_view name) const;
  /// Every value of a header, in order received.
  std::vector<std::string> header_values(std::string_view name) const;
  bool has_header(std::string_view name) const { return headers.contains(name); }
};

/// How the last read on a Connection ended when it returned no response.
enum class ReadEnd {
  /// A response was read.
  response,
  /// The server closed (FIN or reset) before a complete response arrived.
  closed,
  /// Nothing complete arrived before the deadline; the connection is still open.
  timeout,
};

/// How a Connection speaks TLS (OpenSSL's client, verifying the server's certificate).
struct TlsClientOptions {
  /// PEM file of the certificate(s) to trust; the server's chain must end in one of them.
  std::string ca_file;
  /// The name sent as SNI and checked against the certificate.
  std::string server_name = "localhost";
  /// Protocol versions offered (OpenSSL's TLS1_x_VERSION numbers); 0 = OpenSSL's default.
  int min_version = 0;
  int max_version = 0;
  /// ALPN protocols offered, e.g. {"h2", "http/1.1"}; empty = no ALPN.
  std::vector<std::string> alpn = {"http/1.1"};
};

/// One client TCP connection to 127.0.0.1:port, plain or TLS.
class Connection {
 public:
  /// Connects (throws std::runtime_error if it cannot); `timeout` bounds each read and write.
  explicit Connection(std::uint16_t port, std::chrono::milliseconds timeout = 5s);
  /// Connects and completes a TLS handshake; throws std::runtime_error with OpenSSL's reason
  /// when the handshake fails (or does not finish within `timeout`).
  Connection(std::uint16_t port, const TlsClientOptions& tls, std::chrono::milliseconds timeout = 5s);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Writes all bytes; false if the server closed or reset the connection or the write timed out
  /// (a server may refuse a request before reading all of it).
  bool send(std::string_view bytes);
  /// Half-closes: tells the server no more bytes will come.
  void shutdown_write();

  /// Reads the next response (an interim 100 Continue counts as one). `head` says the request
  /// was HEAD, whose response has headers only. std::nullopt when the connection closed or the
  /// deadline passed first; last_end() says which. Throws on a response it cannot parse.
  std::optional<Response> read_response(bool head = false);
  /// Same, with a deadline other than the connection's default.
  std::optional<Response> read_response(bool head, std::chrono::milliseconds timeout);
  /// How the last read_response() or wait_closed() ended.
  ReadEnd last_end() const { return last_end_; }

  /// True when the server closes the connection within `timeout` without sending any byte
  /// more; false when bytes arrive or the time passes with the connection still open.
  bool wait_closed(std::chrono::milliseconds timeout = 3s);
  /// Everything the server sends until it closes (or `timeout` passes), plus unread bytes.
  std::string read_until_close(std::chrono::milliseconds timeout = 3s);

  /// Sends a request built by make_request() and reads its response.
  std::optional<Response> request(std::string_view method, std::string_view target, const HeaderList& headers = {},
                                  std::string_view body = {});

  std::uint16_t port() const { return port_; }
  int native_handle() const { return fd_; }

  /// TLS only: the server certificate's serial number (hex), the version ("TLSv1.3") and the
  /// ALPN protocol chosen ("" when none).
  std::string peer_serial() const;
  std::string tls_version() const;
  std::string alpn() const;

 private:
  struct Tls;
  std::unique_ptr<Tls> tls_;
  // Reads what is there into `out` (TLS or plain): >0 bytes, 0 at the end, -1 would block.
  long receive(char* out, std::size_t size);

  // Reads more bytes into buffer_ until `deadline`; false when closed or timed out (sets last_end_).
  bool fill(std::chrono::steady_clock::time_point deadline);
  // Takes `n` bytes from the front of buffer_, reading more as needed.
  bool take(std::size_t n, std::string& out, std::chrono::steady_clock::time_point deadline);
  // Takes one line ending in CRLF (without it); throws if a bare LF ends it.
  bool take_line(std::string& out, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
  bool eof_ = false;
  ReadEnd last_end_ = ReadEnd::response;
};

/// Request bytes: "<method> <target> HTTP/1.1", Host (unless given), the headers, and
/// Content-Length when there is a body (unless given) or the method is POST/PUT/PATCH.
std::string make_request(std::string_view method, std::string_view target, std::uint16_t port,
                         const HeaderList& headers = {}, std::string_view body = {});

/// One request on a fresh connection (with Connection: close); throws if no response comes.
Response request(std::uint16_t port, std::string_view method, std::string_view target, const HeaderList& headers = {},
                 std::string_view body = {});
/// GET on a fresh connection.
Response get(std::uint16_t port, std::string_view target, const HeaderList& headers = {});

}  // namespace cortado::test
