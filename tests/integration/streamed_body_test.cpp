// The HTTP layer's streamed bodies (ServerOptions::stream_body, Exchange::body) over real sockets:
// a handler reading the body as it arrives, in pieces smaller than the chunks, with Content-Length
// and chunked framing, trailers, 100 Continue, limits it may raise, the body timeout, and the
// connection kept after a body read to its end.

#include "cortado/http/server.hpp"
#include "support/test_client.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace cortado {
namespace {

using namespace std::chrono_literals;
using test::Connection;

// Reads the whole streamed body `piece` bytes at a time; the answer is the body, or the
// BodyError's status and message.
Task<> echo(http::RawRequest& req, http::RawResponse& res, http::Exchange& exchange) {
  res.result(200);
  if (!exchange.body) {
    res.body() = "whole:" + req.body();
    co_return;
  }
  auto piece = static_cast<std::size_t>(std::stoul(std::string(req["x-piece"].empty() ? "7" : req["x-piece"])));
  if (!req["x-limit"].empty()) exchange.body->limit(std::stoull(std::string(req["x-limit"])));
  if (!req["x-timeout-ms"].empty())
    exchange.body->timeout(std::chrono::milliseconds(std::stoul(std::string(req["x-timeout-ms"]))));
  if (req["x-skip"] == "yes") {
    res.body() = "skipped";
    co_return;
  }
  std::string body;
  std::string buffer(piece, '\0');
  std::string error;
  try {
    for (;;) {
      std::size_t n = co_await exchange.body->read_some(std::span<char>(buffer.data(), buffer.size()));
      if (n == 0) break;
      body.append(buffer.data(), n);
    }
  } catch (const http::BodyError& e) {
    res.result(e.status());
    error = e.what();
  }
  if (!error.empty()) {
    res.body() = error;
    co_return;
  }
  res.body() = "streamed:" + body;
  for (const auto& field : exchange.trailers) {
    res.body() += "|" + std::string(field.name_string()) + "=" + std::string(field.value());
  }
  res.set("x-received", std::to_string(exchange.body->received()));
}

// An http::Server on 127.0.0.1 that streams bodies with Content-Type application/x-stream.
class StreamedBody : public ::testing::Test {
 protected:
  StreamedBody() {
    http::ServerOptions options;
    options.threads = 1;
    options.body_limit = 64;
    options.stream_body = [](const http::RequestHead& head) {
      return head[boost::beast::http::field::content_type] == "application/x-stream";
    };
    server_ = std::make_unique<http::Server>(options, echo);
    port_ = server_->listen(0, "127.0.0.1");
    thread_ = std::jthread([this] { server_->run(); });
  }
  ~StreamedBody() override {
    server_->stop();
    thread_.join();
  }
  std::string post(std::string_view body, test::HeaderList headers = {}) {
    headers.emplace_back("Content-Type", "application/x-stream");
    return test::make_request("POST", "/", port_, headers, body);
  }

  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
  std::jthread thread_;
};

TEST_F(StreamedBody, ReadInPiecesWithContentLength) {
  Connection conn(port_);
  ASSERT_TRUE(conn.send(post("the quick brown fox jumps over the lazy dog")));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "streamed:the quick brown fox jumps over the lazy dog");
  EXPECT_EQ(res->header("x-received"), "43");
  // Read to its end: the connection serves the next request.
  auto again = conn.request("POST", "/", {{"Content-Type", "application/x-stream"}}, "second");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "streamed:second");
}

TEST_F(StreamedBody, OtherBodiesAreReadWholeFirst) {
  auto res = test::request(port_, "POST", "/", {{"Content-Type", "text/plain"}}, "plain");
  EXPECT_EQ(res.body, "whole:plain");
}

TEST_F(StreamedBody, ChunkedWithTrailersAndAPipelinedRequestBehind) {
  Connection conn(port_);
  std::string chunked =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-stream\r\nTransfer-Encoding: chunked\r\n"
      "X-Piece: 3\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Check: ok\r\n\r\n";
  ASSERT_TRUE(conn.send(chunked + test::make_request("POST", "/", port_, {{"Content-Type", "text/plain"}}, "next")));
  auto first = conn.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "streamed:hello world|X-Check=ok");
  auto second = conn.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "whole:next");
}

TEST_F(StreamedBody, ExpectContinueIsSentOnTheFirstRead) {
  Connection conn(port_);
  ASSERT_TRUE(conn.send(post("", {{"Expect", "100-continue"}, {"Content-Length", "4"}})));
  auto interim = conn.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(conn.send("body"));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "streamed:body");
}

TEST_F(StreamedBody, OverTheLimitIs413UnlessTheHandlerRaisedIt) {
  std::string big(100, 'b');
  Connection conn(port_);
  ASSERT_TRUE(conn.send(post(big)));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->body, "request entity too large");
  EXPECT_TRUE(conn.wait_closed());  // the rest of the body is not read

  auto raised = test::request(port_, "POST", "/", {{"Content-Type", "application/x-stream"}, {"X-Limit", "1000"}}, big);
  EXPECT_EQ(raised.body, "streamed:" + big);

  // Chunks outgrowing the limit part way.
  Connection chunked(port_);
  ASSERT_TRUE(chunked.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-stream\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n28\r\n" + std::string(40, 'c') + "\r\n28\r\n" +
                           std::string(40, 'c') + "\r\n0\r\n\r\n"));
  auto refused = chunked.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
}

TEST_F(StreamedBody, MalformedChunksAre400) {
  auto res = test::Connection(port_);
  ASSERT_TRUE(res.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-stream\r\n"
                       "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"));
  auto answer = res.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_EQ(answer->body, "malformed request body");
}

TEST_F(StreamedBody, ASlowBodyIs408) {
  Connection conn(port_);
  auto request = post("0123456789", {{"X-Timeout-Ms", "200"}});
  ASSERT_TRUE(conn.send(request.substr(0, request.size() - 5)));  // five bytes never come
  auto res = conn.read_response(false, 10s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 408);
}

TEST_F(StreamedBody, AnUnreadBodyClosesTheConnectionAfterTheResponse) {
  Connection conn(port_);
  ASSERT_TRUE(conn.send(post("not read", {{"X-Skip", "yes"}})));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "skipped");
  EXPECT_EQ(res->header("connection"), "close");
  EXPECT_TRUE(conn.wait_closed());
}

}  // namespace
}  // namespace cortado
