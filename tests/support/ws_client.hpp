#pragma once
/// WsClient: a blocking WebSocket client over a real TCP socket (Beast's websocket::stream), for
/// integration tests. Every read and write has a deadline (the socket's SO_RCVTIMEO/SO_SNDTIMEO),
/// so a test fails instead of hanging.
///
///   test::WsClient ws(port, "/echo", {{"Origin", "http://127.0.0.1:" + std::to_string(port)}});
///   ASSERT_EQ(ws.status(), 101);
///   ws.send("hi");
///   EXPECT_EQ(ws.receive(), "hi");

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cortado::test {

class WsClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  /// Connects and sends the upgrade; status() is 101 when the server accepted it.
  WsClient(std::uint16_t port, const std::string& target, Headers headers = {}, std::size_t max_message = 16 << 20)
      : ws_(ioc_) {
    auto& socket = ws_.next_layer();
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ws_.read_message_max(max_message);
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
        [headers = std::move(headers)](boost::beast::websocket::request_type& req) {
          for (const auto& [name, value] : headers) req.set(name, value);
        }));
    boost::system::error_code ec;
    ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), target, ec);
  }

  unsigned status() const { return response_.result_int(); }
  const boost::beast::websocket::response_type& response() const { return response_; }
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket>& beast() { return ws_; }

  void send(const std::string& text, bool binary = false) {
    ws_.binary(binary);
    ws_.write(boost::asio::buffer(text));
  }
  /// The next message; nullopt when the socket closed (close_code() says how) or timed out.
  std::optional<std::string> receive() {
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return std::nullopt;
    return boost::beast::buffers_to_string(buffer.data());
  }
  /// The code of the close frame the server sent (0 before one came).
  unsigned close_code() const { return ws_.reason().code; }
  std::string close_reason() const { return std::string(ws_.reason().reason.data(), ws_.reason().reason.size()); }

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::websocket::response_type response_;
};

}  // namespace cortado::test
