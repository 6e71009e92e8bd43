// The WebSocket data phase frame by frame, with raw bytes over a real socket (no client library
// between the test and the wire): what Beast's client and Python's websockets do not send.
// Control frames answered with their payload, fragments with control frames between them, a
// header split across writes, several messages in one write, and each protocol error closed
// with its code (RFC 6455 7.4.1), the server closing TCP after the close handshake; and which
// sockets still take Beast's stream (permessage-deflate).
#include "cortado/app/app.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

using namespace cortado;
using namespace std::chrono_literals;

namespace {

void echo_routes(App& app) {
  app.ws("/echo", [](WebSocket& sock) -> Task<> {
    while (auto text = co_await sock.receive()) {
      if (sock.binary()) co_await sock.send_binary(*text);
      else co_await sock.send(*text);
    }
  });
  app.ws("/deflate", [](WebSocket& sock) -> Task<> {
    while (auto text = co_await sock.receive()) co_await sock.send(*text);
  }, {.permessage_deflate = true});
  app.ws("/quiet", [](WebSocket& sock) -> Task<> {
    while (co_await sock.receive()) {
    }
  }, {.idle_timeout = 400ms});
}

// A client frame (masked unless told otherwise); `first` is FIN, RSV and the opcode.
std::string frame(unsigned char first, std::string_view payload, bool masked = true) {
  std::string out(1, static_cast<char>(first));
  const unsigned char bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(bit | payload.size()));
  } else {
    out.push_back(static_cast<char>(bit | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xff));
  }
  const unsigned char mask[4] = {0x5a, 0xa5, 0x3c, 0xc3};
  if (masked) out.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ (masked ? mask[i % 4] : 0)));
  return out;
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string out{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return out.append(reason);
}

struct Frame {
  int opcode = -1;
  bool fin = false;
  std::string payload;
  std::uint16_t code() const {
    return payload.size() < 2 ? 0
                              : static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                           static_cast<unsigned char>(payload[1]));
  }
};

// A raw WebSocket over test::Connection: the handshake, then bytes in and frames out.
class RawSocket {
 public:
  RawSocket(std::uint16_t port, std::string_view path, std::string_view extra_fields = {}) : conn_(port) {
    std::string request = "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                          std::string(extra_fields) + "\r\n";
    conn_.send(request);
    // The head only: read byte by byte so that nothing after it is taken from the socket.
    std::string head;
    while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
      auto byte = read_bytes(1);
      if (!byte) break;
      head += *byte;
    }
    status_ = head.size() > 12 ? std::stoi(head.substr(9, 3)) : 0;
    accept_ok_ = head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos;
    head_ = head;
  }

  const std::string& head() const { return head_; }

  int status() const { return status_; }
  bool accept_ok() const { return accept_ok_; }
  bool send(std::string_view bytes) { return conn_.send(bytes); }

  /// The next frame the server sends; nullopt when it closed the connection (or after 5 s).
  std::optional<Frame> read_frame() {
    auto head = read_bytes(2);
    if (!head) return std::nullopt;
    Frame out;
    out.fin = (static_cast<unsigned char>((*head)[0]) & 0x80) != 0;
    out.opcode = static_cast<unsigned char>((*head)[0]) & 0x0f;
    EXPECT_EQ(static_cast<unsigned char>((*head)[1]) & 0x80, 0) << "a server frame is never masked";
    std::size_t length = static_cast<unsigned char>((*head)[1]) & 0x7f;
    if (length >= 126) {
      auto extended = read_bytes(length == 126 ? 2 : 8);
      if (!extended) return std::nullopt;
      length = 0;
      for (char c : *extended) length = (length << 8) | static_cast<unsigned char>(c);
    }
    auto payload = read_bytes(length);
    if (!payload) return std::nullopt;
    out.payload = std::move(*payload);
    return out;
  }

  /// True when the server closes TCP (after a close frame) without sending more.
  bool closed_by_server() { return !read_bytes(1).has_value() && eof_; }

 private:
  std::optional<std::string> read_bytes(std::size_t n) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (out.size() < n) {
      pollfd ready{conn_.native_handle(), POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || ::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char buffer[4096];
      const auto got = ::recv(conn_.native_handle(), buffer, std::min(sizeof buffer, n - out.size()), 0);
      if (got <= 0) {
        eof_ = true;
        return std::nullopt;
      }
      out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
  }

  test::Connection conn_;
  std::string head_;
  int status_ = 0;
  bool accept_ok_ = false;
  bool eof_ = false;
};

// Sends `bytes` on a fresh socket and expects the server's close frame with `code`, then TCP closed.
void expect_closed_with(std::uint16_t port, const std::string& bytes, std::uint16_t code) {
  RawSocket ws(port, "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.send(bytes);
  auto reply = ws.read_frame();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->opcode, 8);
  EXPECT_EQ(reply->code(), code);
  ws.send(frame(0x88, close_payload(code)));  // our side of the handshake
  EXPECT_TRUE(ws.closed_by_server());
}

// The next frame the server sends has this opcode and payload.
void expect_frame(RawSocket& ws, int opcode, std::string_view payload) {
  auto got = ws.read_frame();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->opcode, opcode);
  EXPECT_EQ(got->payload, payload);
}

}  // namespace

TEST(WebSocketFrames, HandshakeAnswersTheRfcAcceptKey) {
  test::TestServer server(echo_routes);
  RawSocket ws(server.port(), "/echo");
  EXPECT_EQ(ws.status(), 101);
  EXPECT_TRUE(ws.accept_ok());
}

TEST(WebSocketFrames, DeflateIsNegotiatedOnlyWhereTheRouteTurnsItOn) {
  test::TestServer server(echo_routes);
  const std::string offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
  RawSocket plain(server.port(), "/echo", offer);  // off by default: our own data phase, no extension
  ASSERT_EQ(plain.status(), 101);
  EXPECT_EQ(plain.head().find("permessage-deflate"), std::string::npos);
  plain.send(frame(0x81, "uncompressed"));
  auto echo = plain.read_frame();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "uncompressed");
  RawSocket deflate(server.port(), "/deflate", offer);  // on: Beast's stream accepts the offer
  ASSERT_EQ(deflate.status(), 101);
  EXPECT_NE(deflate.head().find("permessage-deflate"), std::string::npos);
}

TEST(WebSocketFrames, PingIsAnsweredWithItsOwnPayload) {
  test::TestServer server(echo_routes);
  RawSocket ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.send(frame(0x89, "payload of the ping"));
  auto pong = ws.read_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, 10);
  EXPECT_TRUE(pong->fin);
  EXPECT_EQ(pong->payload, "payload of the ping");
  ws.send(frame(0x8a, "unasked pong"));  // ignored, no answer
  ws.send(frame(0x81, "still here"));
  expect_frame(ws, 1, "still here");
}

TEST(WebSocketFrames, FragmentsWithControlFramesBetweenThem) {
  test::TestServer server(echo_routes);
  RawSocket ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  // "h\xc3\xa9llo": the two bytes of é in different fragments; a ping between them.
  ws.send(frame(0x01, "h\xc3") + frame(0x89, "mid") + frame(0x00, "\xa9l") + frame(0x80, "lo"));
  expect_frame(ws, 10, "mid");
  expect_frame(ws, 1, "h\xc3\xa9llo");
}

TEST(WebSocketFrames, HeaderAndPayloadSplitAcrossWrites) {
  test::TestServer server(echo_routes);
  RawSocket ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  const std::string big(300, 'x');  // a 16-bit length, so a 4-byte header and a mask
  const std::string bytes = frame(0x82, big);
  for (char c : bytes) {
    ws.send(std::string_view(&c, 1));
    std::this_thread::sleep_for(1ms);  // separate segments (not a timing assertion)
  }
  expect_frame(ws, 2, big);
}

TEST(WebSocketFrames, SeveralMessagesInOneWriteComeBackInOrder) {
  test::TestServer server(echo_routes);
  RawSocket ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.send(frame(0x81, "one") + frame(0x81, "two") + frame(0x82, std::string(200, 'b')) + frame(0x81, ""));
  for (std::string expected : {std::string("one"), std::string("two"), std::string(200, 'b'), std::string()}) {
    auto echo = ws.read_frame();
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->payload, expected);
  }
}

TEST(WebSocketFrames, CloseHandshakeEchoesTheCodeAndTheServerClosesTcp) {
  test::TestServer server(echo_routes);
  RawSocket ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.send(frame(0x88, close_payload(4000, "bye")));
  auto reply = ws.read_frame();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->opcode, 8);
  EXPECT_EQ(reply->code(), 4000);
  EXPECT_TRUE(ws.closed_by_server());
}

TEST(WebSocketFrames, CloseWithoutACodeIsAnsweredWith1000) {
  test::TestServer server(echo_routes);
  RawSocket ws(server.port(), "/echo");
  ASSERT_EQ(ws.status(), 101);
  ws.send(frame(0x88, ""));
  auto reply = ws.read_frame();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->opcode, 8);
  EXPECT_EQ(reply->code(), 1000);  // as Beast's stream answers it
  EXPECT_TRUE(ws.closed_by_server());
}

TEST(WebSocketFrames, ProtocolErrorsCloseWith1002) {
  test::TestServer server(echo_routes);
  const auto port = server.port();
  expect_closed_with(port, frame(0x81, "unmasked", /*masked=*/false), 1002);
  expect_closed_with(port, frame(0xc1, "rsv1 without an extension"), 1002);
  expect_closed_with(port, frame(0x83, "reserved opcode"), 1002);
  expect_closed_with(port, frame(0x80, "continuation of nothing"), 1002);
  expect_closed_with(port, frame(0x01, "first") + frame(0x81, "new message mid-message"), 1002);
  expect_closed_with(port, frame(0x09, "fragmented ping"), 1002);
  expect_closed_with(port, frame(0x89, std::string(126, 'p')), 1002);  // a control frame over 125
  expect_closed_with(port, frame(0x88, close_payload(1005)), 1002);    // for reporting only
  expect_closed_with(port, frame(0x88, close_payload(1016)), 1002);    // reserved
  expect_closed_with(port, frame(0x88, std::string(1, '\x03')), 1002); // a code cut short
}

TEST(WebSocketFrames, InvalidUtf8ClosesWith1007) {
  test::TestServer server(echo_routes);
  const auto port = server.port();
  expect_closed_with(port, frame(0x81, "\xed\xa0\x80"), 1007);                        // a surrogate
  expect_closed_with(port, frame(0x01, "ends in \xe2\x82") + frame(0x80, "("), 1007);  // split, then wrong
  expect_closed_with(port, frame(0x81, "cut \xe2\x82"), 1007);                         // ends mid-character
  // The close frame's reason too (Beast's stream answered this one with 1002).
  expect_closed_with(port, frame(0x88, close_payload(1000, "\xff")), 1007);
}

TEST(WebSocketFrames, QuietClientIsPingedAndAPongKeepsItOpen) {
  test::TestServer server(echo_routes);
  RawSocket ws(server.port(), "/quiet");
  ASSERT_EQ(ws.status(), 101);
  auto ping = ws.read_frame();  // due after half the idle timeout (200 ms); waited for up to 5 s
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->opcode, 9);
  ws.send(frame(0x8a, ping->payload));
  auto next = ws.read_frame();  // the answer kept it open: the next thing is another ping
  ASSERT_TRUE(next);
  EXPECT_EQ(next->opcode, 9);
}
