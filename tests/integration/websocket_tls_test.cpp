// WebSockets over TLS (wss://): the same route, Beast's websocket stream over the connection's
// TLS stream, with Beast's client over OpenSSL.
#include "support/test_certs.hpp"

#include "cortado/cortado.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <string>
#include <thread>

using namespace cortado;

TEST(WebSocketTls, EchoesOverWss) {
  test::TempDir dir;
  auto cert = test::make_cert(dir, "ws", 0x2001);
  App app;
  app.server_options().threads = 1;
  app.ws("/echo", [](WebSocket& sock) -> Task<> {
    co_await sock.send(sock.request().secure() ? "secure" : "plain");
    while (auto text = co_await sock.receive()) co_await sock.send(*text);
  });
  auto port = app.bind_tls(0, cert.options(), "127.0.0.1");
  std::jthread server([&] { app.run(); });

  namespace ssl = boost::asio::ssl;
  boost::asio::io_context ioc;
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_none);  // a test certificate; the channel is what is tested
  boost::beast::websocket::stream<ssl::stream<boost::asio::ip::tcp::socket>> ws(ioc, context);
  auto& socket = boost::beast::get_lowest_layer(ws);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  timeval tv{5, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.handshake("127.0.0.1:" + std::to_string(port), "/echo");
  boost::beast::flat_buffer buffer;
  ws.read(buffer);
  EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "secure");
  buffer.clear();
  ws.write(boost::asio::buffer(std::string("over tls")));
  ws.read(buffer);
  EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "over tls");
  ws.close(boost::beast::websocket::close_code::normal);
  app.stop();
}
