// The HTTP layer over real sockets: connection management, framing, limits, timeouts, shutdown.
// Expected values come from RFC 9110/9112 and from what Node's http server answers.

#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include "cortado/cortado.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <iomanip>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <poll.h>

namespace cortado {
namespace {

using namespace std::chrono_literals;
using test::Connection;
using test::TestServer;
using Clock = std::chrono::steady_clock;

// The routes most tests need: a fixed body, an echo of the request body, a slow answer.
void basic_routes(App& app) {
  app.get("/", [](Request&, Response& res) { res.send("ok"); });
  app.get("/a", [](Request&, Response& res) { res.send("A"); });
  app.get("/b", [](Request&, Response& res) { res.send("BB"); });
  app.get("/c", [](Request&, Response& res) { res.send("CCC"); });
  app.all("/echo", [](Request& req, Response& res) { res.type("text").send(req.raw_body()); });
  app.get("/slow", [](Request&, Response& res) -> Task<> {
    co_await sleep_for(300ms);
    res.send("slow");
  });
  app.get("/empty", [](Request&, Response& res) { res.status(204).end(); });
  app.get("/fail", [](Request&, Response&) { throw std::runtime_error("boom"); });
}

std::string get_request(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n" + std::string(extra) + "\r\n";
}

// IMF-fixdate (RFC 9110 5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
bool is_imf_fixdate(const std::string& s) {
  static const std::regex re(
      R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)");
  return std::regex_match(s, re);
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  for (const auto& [path, body] : {std::pair{"/a", "A"}, {"/b", "BB"}, {"/c", "CCC"}, {"/a", "A"}}) {
    auto res = conn.request("GET", path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, body);
    // HTTP/1.1 is persistent by default (RFC 9112 9.3): no "close" on the way.
    EXPECT_NE(res->header("connection"), "close");
  }
}

TEST(HttpServer, ABodyLargerThanTheSocketTakesAtOnceArrivesWhole) {
  // The server writes what the kernel takes at once and the rest as the client reads: 16 MiB
  // is more than the socket buffers hold, and the client only starts reading after a pause, so
  // the rest goes through the asynchronous write. Each 8-byte piece holds its own offset, so a
  // piece lost, repeated or out of place shows where.
  constexpr std::size_t size = 16 * 1024 * 1024;
  std::string big(size, '\0');
  for (std::size_t at = 0; at < size; at += 8) {
    char piece[9];
    std::snprintf(piece, sizeof piece, "%08zx", at / 8);
    std::memcpy(big.data() + at, piece, 8);
  }
  TestServer server([&big](App& app) {
    app.get("/big", [&big](Request&, Response& res) { res.type("text").send(big); });
    app.get("/a", [](Request&, Response& res) { res.send("A"); });
  });
  Connection conn(server.port(), 10s);
  ASSERT_TRUE(conn.send(get_request("/big") + get_request("/a")));
  std::this_thread::sleep_for(200ms);
  auto res = conn.read_response(false, 10s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ASSERT_EQ(res->body.size(), size);
  for (std::size_t at = 0; at < size; at += 8) {
    ASSERT_EQ(res->body.compare(at, 8, big, at, 8), 0) << "piece " << at / 8;
  }
  auto next = conn.read_response();  // the connection goes on after the large write
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "A");
  auto head = conn.request("HEAD", "/big");  // the length, and no body on the wire
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("content-length"), std::to_string(size));
  EXPECT_EQ(conn.request("GET", "/a")->body, "A");
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  // The slow one first: its answer must still come first (RFC 9112 9.3.2).
  ASSERT_TRUE(conn.send(get_request("/slow") + get_request("/a") + get_request("/c")));
  for (const char* expected : {"slow", "A", "CCC"}) {
    auto res = conn.read_response();
    ASSERT_TRUE(res) << expected;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, expected);
  }
}

TEST(HttpServer, PipelinedBodiesStayInSync) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  std::string bytes = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
                      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nsec\r\n3\r\nond\r\n0\r\n\r\n"
                      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(conn.send(bytes));
  for (const char* expected : {"first", "second", "A"}) {
    auto res = conn.read_response();
    ASSERT_TRUE(res) << expected;
    EXPECT_EQ(res->body, expected);
  }
}

// Answers to requests that arrive together are sent together (one write per batch): the batch
// must keep the order, bounds and HEAD rules of single answers.
TEST(HttpServer, PipelinedBatchesKeepOrderPastTheirBound) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  const std::pair<const char*, const char*> cycle[] = {{"/a", "A"}, {"/b", "BB"}, {"/c", "CCC"}};
  std::string bytes;
  for (int i = 0; i < 40; ++i) bytes += get_request(cycle[i % 3].first);  // more than one batch of 16
  bytes += "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/c");
  ASSERT_TRUE(conn.send(bytes));
  for (int i = 0; i < 40; ++i) {
    auto res = conn.read_response();
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->body, cycle[i % 3].second) << i;
  }
  auto head = conn.read_response(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("content-length"), "2");
  EXPECT_EQ(head->body, "");
  auto last = conn.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->body, "CCC");
}

TEST(HttpServer, PipelinedAnswersComeBeforeA100Continue) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  // The client waits for 100 Continue before it sends the body; the answer to /a, held back for
  // a batch, must reach it first (RFC 9112 9.3.2: responses in the order of the requests).
  ASSERT_TRUE(conn.send(get_request("/a") +
                        "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto first = conn.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "A");
  auto go_on = conn.read_response();
  ASSERT_TRUE(go_on);
  EXPECT_EQ(go_on->status, 100);
  ASSERT_TRUE(conn.send("data"));
  auto echo = conn.read_response();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->body, "data");
}

TEST(HttpServer, PipelinedAnswersComeBeforeARefusal) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  ASSERT_TRUE(conn.send(get_request("/a") + get_request("/b", "Content-Length: 1\r\nContent-Length: 2\r\n")));
  auto first = conn.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "A");
  auto refused = conn.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(conn.wait_closed());
}

TEST(HttpServer, Http10ClosesAfterTheResponse) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  ASSERT_TRUE(conn.send("GET /a HTTP/1.0\r\n\r\n"));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "A");
  EXPECT_TRUE(conn.wait_closed());  // HTTP/1.0 without keep-alive is not persistent (RFC 9112 9.3)
}

TEST(HttpServer, Http10KeepAliveStaysOpen) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(conn.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto res = conn.read_response();
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->body, "BB");
    // A 1.0 client only keeps the connection when told so (RFC 9112 C.2.2); Node says it too.
    EXPECT_EQ(res->header("connection"), "keep-alive");
  }
}

TEST(HttpServer, Http10RequestIsAnsweredWithHttp11) {
  // RFC 9110 2.5: a server SHOULD answer with the highest minor version it supports (Node: 1.1).
  TestServer server(basic_routes);
  Connection conn(server.port());
  ASSERT_TRUE(conn.send("GET /a HTTP/1.0\r\n\r\n"));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->version, "HTTP/1.1");
  EXPECT_EQ(res->header("connection"), "close");
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  ASSERT_TRUE(conn.send(get_request("/a", "Connection: close\r\n") + get_request("/b")));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "A");
  EXPECT_EQ(res->header("connection"), "close");  // RFC 9112 9.6: the server says it closes
  EXPECT_TRUE(conn.wait_closed()) << "the pipelined /b after close must not be answered";
}

TEST(HttpServer, ChunkedRequestBodyIsReadWhole) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  // Upper- and lower-case hex sizes, a chunk extension and a trailer field (RFC 9112 7.1).
  std::string big(0x1A, 'z');
  ASSERT_TRUE(conn.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\nhello\r\n1;name=value\r\n \r\n1a\r\n" +
                        big + "\r\n0\r\nX-Trailer: yes\r\n\r\n"));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello " + big);
  // The connection is still in sync after the trailer.
  auto next = conn.request("GET", "/a");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "A");
}

TEST(HttpServer, HeadHasContentLengthButNoBody) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  auto get = conn.request("GET", "/c");
  ASSERT_TRUE(get);
  auto head = conn.request("HEAD", "/c");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  // RFC 9110 9.3.2 and 8.6: the same header fields as GET, Content-Length included.
  EXPECT_EQ(head->header("content-length"), "3");
  EXPECT_EQ(head->header("content-type"), get->header("content-type"));
  EXPECT_EQ(head->header("etag"), get->header("etag"));
  EXPECT_TRUE(head->body.empty());
  // Had a body been sent, it would now be read as the next response and fail to parse.
  auto after = conn.request("GET", "/a");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "A");
}

TEST(HttpServer, DateAndContentLengthOnEveryResponse) {
  TestServer server(basic_routes);
  for (const auto& [path, status] : {std::pair{"/a", 200}, {"/missing", 404}, {"/fail", 500}}) {
    auto res = test::get(server.port(), path);
    EXPECT_EQ(res.status, status) << path;
    EXPECT_TRUE(is_imf_fixdate(res.header("date"))) << path << ": " << res.header("date");
    EXPECT_EQ(res.header("content-length"), std::to_string(res.body.size())) << path;
    EXPECT_FALSE(res.has_header("transfer-encoding")) << path;
  }
  // A request the HTTP layer refuses gets them too.
  Connection conn(server.port());
  ASSERT_TRUE(conn.send("GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n"));
  auto refused = conn.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(is_imf_fixdate(refused->header("date")));
  EXPECT_EQ(refused->header("content-length"), std::to_string(refused->body.size()));
}

TEST(HttpServer, NoContentLengthOn204) {
  // RFC 9110 8.6: a server MUST NOT send Content-Length in a 204.
  TestServer server(basic_routes);
  Connection conn(server.port());
  auto res = conn.request("GET", "/empty");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_FALSE(res->has_header("content-length"));
  EXPECT_FALSE(res->has_header("transfer-encoding"));
  EXPECT_TRUE(is_imf_fixdate(res->header("date")));
  auto next = conn.request("GET", "/a");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "A");
}

TEST(HttpServer, NotModifiedStatesNoOtherLength) {
  // RFC 9110 8.6: a 304 may carry Content-Length only if it equals the 200's (here 3), never 0.
  TestServer server(basic_routes);
  Connection conn(server.port());
  auto full = conn.request("GET", "/c");
  ASSERT_TRUE(full);
  auto res = conn.request("GET", "/c", {{"If-None-Match", full->header("etag")}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 304);
  if (res->has_header("content-length")) {
    EXPECT_EQ(res->header("content-length"), "3");
  }
  EXPECT_TRUE(is_imf_fixdate(res->header("date")));
  auto next = conn.request("GET", "/a");  // no stray body bytes in between
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "A");
}

TEST(HttpServer, DateIsCurrent) {
  TestServer server(basic_routes);
  auto res = test::get(server.port(), "/a");
  std::tm tm{};
  std::istringstream in(res.header("date"));
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S GMT");
  ASSERT_FALSE(in.fail()) << res.header("date");
  auto sent = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto skew = std::chrono::system_clock::now() - sent;
  EXPECT_LT(std::chrono::abs(skew), 3s);
}

// As Node: a Date the handler set is the one sent (Node adds its own only when none is set), and a
// response carries one Date either way, pipelined ones too.
TEST(HttpServer, ADateTheHandlerSetsIsTheOneSent) {
  TestServer server([](App& app) {
    basic_routes(app);
    app.get("/dated", [](Request&, Response& res) { res.set("Date", "Fri, 04 Dec 2026 18:57:35 GMT").send("d"); });
  });
  const auto dated = test::get(server.port(), "/dated");
  EXPECT_EQ(dated.header_values("date"), std::vector<std::string>{"Fri, 04 Dec 2026 18:57:35 GMT"});
  Connection conn(server.port());
  ASSERT_TRUE(conn.send(get_request("/a") + get_request("/dated") + get_request("/b")));
  for (const std::string body : {"A", "d", "BB"}) {
    const auto res = conn.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, body);
    ASSERT_EQ(res->header_values("date").size(), 1u) << body;
    EXPECT_TRUE(is_imf_fixdate(res->header("date"))) << body;
  }
}

TEST(HttpServer, ExpectContinueGetsInterimResponseThenFinal) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  ASSERT_TRUE(conn.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = conn.read_response();
  ASSERT_TRUE(interim) << "no 100 Continue before the body was sent (RFC 9110 10.1.1)";
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(conn.send("data"));
  auto final = conn.read_response();
  ASSERT_TRUE(final);
  EXPECT_EQ(final->status, 200);
  EXPECT_EQ(final->body, "data");
}

TEST(HttpServer, ExpectContinueWithTooLargeBodyGetsFinalStatusAtOnce) {
  // RFC 9110 10.1.1: a server that will refuse the body answers with the final status instead.
  TestServer server(basic_routes);
  Connection conn(server.port());
  ASSERT_TRUE(conn.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n"));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(conn.wait_closed());
}

TEST(HttpServer, HeadOver16KiBGets431) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  ASSERT_TRUE(conn.send(get_request("/a", "X-Big: " + std::string(17 * 1024, 'a') + "\r\n")));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431);  // RFC 6585 5
  EXPECT_EQ(res->header("connection"), "close");
  EXPECT_TRUE(conn.wait_closed());
}

TEST(HttpServer, HeadUnderTheLimitPasses) {
  TestServer server(basic_routes);
  auto res = test::get(server.port(), "/a", {{"X-Big", std::string(15 * 1024, 'a')}});
  EXPECT_EQ(res.status, 200);
}

TEST(HttpServer, BodyOver1MiBGets413) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  std::string body(1024 * 1024 + 1, 'b');
  conn.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(conn.wait_closed());
}

TEST(HttpServer, ChunkedBodyOver1MiBGets413) {
  TestServer server(basic_routes);
  Connection conn(server.port());
  std::string chunk(64 * 1024, 'c');
  std::string bytes = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 17; ++i) bytes += "10000\r\n" + chunk + "\r\n";  // 17 x 64 KiB
  bytes += "0\r\n\r\n";
  conn.send(bytes);
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

TEST(HttpServer, BodyOfExactly1MiBPasses) {
  TestServer server(basic_routes);
  std::string body(1024 * 1024, 'b');
  auto res = test::request(server.port(), "POST", "/echo", {}, body);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body.size(), body.size());
}

TEST(HttpServer, LimitsAreConfigurable) {
  TestServer server([](App& app) {
    app.server_options().header_limit = 1024;
    app.server_options().body_limit = 100;
    basic_routes(app);
  });
  EXPECT_EQ(test::get(server.port(), "/a", {{"X-Pad", std::string(500, 'p')}}).status, 200);
  EXPECT_EQ(test::get(server.port(), "/a", {{"X-Pad", std::string(2000, 'p')}}).status, 431);
  EXPECT_EQ(test::request(server.port(), "POST", "/echo", {}, std::string(100, 'x')).status, 200);
  EXPECT_EQ(test::request(server.port(), "POST", "/echo", {}, std::string(101, 'x')).status, 413);
}

TEST(HttpServer, SlowlorisIsCutOffByTheHeadTimeout) {
  TestServer server([](App& app) {
    app.server_options().head_timeout = 600ms;
    basic_routes(app);
  });
  Connection conn(server.port());
  std::string request = get_request("/a", "X-Slow: " + std::string(40, 's') + "\r\n");
  auto start = Clock::now();
  std::size_t sent = 0;
  // One byte every 200 ms: never idle long, but the whole head takes ~12 s.
  for (; sent < request.size() && Clock::now() - start < 5s; ++sent) {
    if (!conn.send(request.substr(sent, 1))) break;
    std::this_thread::sleep_for(200ms);
    pollfd p{conn.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) break;  // the server has answered or closed
  }
  auto elapsed = Clock::now() - start;
  EXPECT_LT(sent, request.size());
  EXPECT_LT(elapsed, 2500ms) << "cut off long after the 600 ms head timeout";
  auto res = conn.read_response();
  ASSERT_TRUE(res) << "a timed-out request gets 408 (as Node's headersTimeout) before the close";
  EXPECT_EQ(res->status, 408);
  EXPECT_TRUE(conn.wait_closed());
}

TEST(HttpServer, IdleKeepAliveConnectionIsClosed) {
  TestServer server([](App& app) {
    app.server_options().idle_timeout = 300ms;
    basic_routes(app);
  });
  Connection conn(server.port());
  auto res = conn.request("GET", "/a");
  ASSERT_TRUE(res);
  auto start = Clock::now();
  EXPECT_TRUE(conn.wait_closed(3s)) << "an idle connection is closed without a response";
  EXPECT_GE(Clock::now() - start, 250ms);
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST(HttpServer, IdleNewConnectionIsClosed) {
  TestServer server([](App& app) {
    app.server_options().idle_timeout = 300ms;
    basic_routes(app);
  });
  Connection conn(server.port());
  EXPECT_TRUE(conn.wait_closed(3s));
}

TEST(HttpServer, ActiveKeepAliveConnectionOutlivesTheIdleTimeout) {
  TestServer server([](App& app) {
    app.server_options().idle_timeout = 400ms;
    basic_routes(app);
  });
  Connection conn(server.port());
  for (int i = 0; i < 5; ++i) {  // 1 s in all, never idle for 400 ms
    auto res = conn.request("GET", "/a");
    ASSERT_TRUE(res) << i;
    std::this_thread::sleep_for(200ms);
  }
}

TEST(HttpServer, SlowBodyIsCutOffByTheBodyTimeout) {
  TestServer server([](App& app) {
    app.server_options().body_timeout = 500ms;
    basic_routes(app);
  });
  Connection conn(server.port());
  auto start = Clock::now();
  ASSERT_TRUE(conn.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten.."));
  auto res = conn.read_response(false, 3s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 408);  // RFC 9110 15.5.9
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_TRUE(conn.wait_closed());
}

// A handler that outlives the head and body deadlines is not cut, and the next request on the
// connection gets the status its own bytes deserve (431 here), not the 408 of a deadline that
// passed during the previous one.
TEST(HttpServer, SlowHandlerLeavesNoTimeoutBehindOnTheConnection) {
  TestServer server([](App& app) {
    app.server_options().head_timeout = 100ms;
    app.server_options().body_timeout = 100ms;
    basic_routes(app);  // /slow takes 300 ms
  });
  Connection conn(server.port());
  auto slow = conn.request("GET", "/slow");
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 200);
  EXPECT_EQ(slow->body, "slow");
  ASSERT_TRUE(conn.send(get_request("/a", "X-Big: " + std::string(20'000, 'a') + "\r\n")));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431);
  EXPECT_TRUE(conn.wait_closed());
}

// Sends `start`, then 64 KiB pieces of `filler` that never end the line, until the server stops
// taking them or 64 MiB have gone; returns how much went.
std::size_t bytes_taken_of_an_endless_line(std::uint16_t port, std::string_view start, char filler) {
  Connection conn(port);
  if (!conn.send(start)) return 0;
  const std::string piece(64 * 1024, filler);
  std::size_t sent = 0;
  while (sent < (64u << 20) && conn.send(piece)) sent += piece.size();
  return sent;
}

// A chunk-size line that never ends is refused once the read buffer is full, not read on until
// the body timeout (30 s by default) while it grows: the server stops taking bytes long before
// the client has sent 64 MiB (what the kernel's socket buffers hold, plus the 1 MiB the server
// drains before closing, is far less).
TEST(HttpServer, EndlessChunkExtensionIsCutOffEarly) {
  TestServer server(basic_routes);
  auto sent = bytes_taken_of_an_endless_line(
      server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;", 'e');
  EXPECT_LT(sent, 24u << 20) << "the server read on";
}

// The same for a trailer section that never ends.
TEST(HttpServer, EndlessTrailerIsCutOffEarly) {
  TestServer server(basic_routes);
  auto sent = bytes_taken_of_an_endless_line(
      server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: ", 't');
  EXPECT_LT(sent, 24u << 20) << "the server read on";
}

// Trailer fields are the request's trailers, not its headers.
TEST(HttpServer, TrailersAreKeptApartFromTheHead) {
  TestServer server([](App& app) {
    app.set("trust proxy", true);
    app.post("/t", [](Request& req, Response& res) {
      res.json({{"secure", req.secure()},
                {"type", std::string(req.get("content-type"))},
                {"trailer", std::string(req.trailers()["x-checksum"])},
                {"body", req.raw_body()}});
    });
  });
  Connection conn(server.port());
  ASSERT_TRUE(conn.send("POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\nhello\r\n0\r\nX-Forwarded-Proto: https\r\nContent-Type: text/evil\r\n"
                        "X-Checksum: 42\r\n\r\n"));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, R"({"secure":false,"type":"","trailer":"42","body":"hello"})");
  // The next request on the connection starts with no trailers.
  auto next = conn.request("POST", "/t", {}, "x");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, R"({"secure":false,"type":"","trailer":"","body":"x"})");
}

TEST(HttpServer, ConnectionsBeyondTheCapGet503) {
  TestServer server([](App& app) {
    app.server_options().max_connections = 2;
    basic_routes(app);
  });
  Connection first(server.port());
  Connection second(server.port());
  ASSERT_TRUE(first.request("GET", "/a"));
  ASSERT_TRUE(second.request("GET", "/a"));
  {
    Connection third(server.port());
    third.send(get_request("/a"));
    auto res = third.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    EXPECT_TRUE(third.wait_closed());
  }
  // Below the cap again once one closes.
  first.shutdown_write();
  EXPECT_TRUE(first.wait_closed());
  int status = 0;
  for (auto until = Clock::now() + 2s; Clock::now() < until && status != 200; std::this_thread::sleep_for(50ms))
    status = test::get(server.port(), "/a").status;
  EXPECT_EQ(status, 200);
}

TEST(HttpServer, StopLetsTheRequestInFlightFinish) {
  std::atomic<bool> started = false;
  TestServer server([&](App& app) {
    app.get("/slow", [&](Request&, Response& res) -> Task<> {
      started = true;
      co_await sleep_for(300ms);
      res.send("finished");
    });
  });
  Connection busy(server.port());
  Connection idle(server.port());
  ASSERT_TRUE(idle.request("GET", "/missing"));
  ASSERT_TRUE(busy.send(get_request("/slow")));
  for (auto until = Clock::now() + 2s; !started && Clock::now() < until;) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(started);

  auto stopped = std::async(std::launch::async, [&] {
    auto start = Clock::now();
    server.stop();  // returns once run() has returned
    return Clock::now() - start;
  });
  auto res = busy.read_response();
  ASSERT_TRUE(res) << "the request in flight was cut off";
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "finished");
  EXPECT_EQ(res->header("connection"), "close");
  EXPECT_TRUE(busy.wait_closed());
  EXPECT_TRUE(idle.wait_closed()) << "an idle keep-alive connection is closed on stop";
  ASSERT_EQ(stopped.wait_for(3s), std::future_status::ready) << "run() did not return after stop()";
  EXPECT_GE(stopped.get(), 150ms) << "run() returned before the request in flight finished";
}

TEST(HttpServer, StopCutsRequestsThatOutlastTheGrace) {
  TestServer server([](App& app) {
    app.server_options().shutdown_grace = 200ms;
    app.get("/forever", [](Request&, Response& res) -> Task<> {
      co_await sleep_for(5s);
      res.send("late");
    });
  });
  Connection conn(server.port());
  ASSERT_TRUE(conn.send(get_request("/forever")));
  std::this_thread::sleep_for(100ms);
  auto stopped = std::async(std::launch::async, [&] { server.stop(); });
  // ServerOptions::shutdown_grace: past it the connection is cut and run() returns.
  EXPECT_TRUE(conn.wait_closed(1500ms)) << "the connection outlived the grace period";
  EXPECT_EQ(stopped.wait_for(2s), std::future_status::ready) << "run() waited for the handler past the grace period";
}

TEST(HttpServer, TwoThreadsServe) {
  std::mutex mutex;
  std::set<std::thread::id> seen;
  TestServer server([&](App& app) {
    app.server_options().threads = 2;
    app.get("/", [&](Request&, Response& res) {
      std::lock_guard lock(mutex);
      seen.insert(std::this_thread::get_id());
      res.send("ok");
    });
  });
  // Connections are spread over both acceptors by the kernel (SO_REUSEPORT hashes the client
  // port); with 32 of them the chance that all land on one thread is 2^-31.
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < 32; ++i) conns.push_back(std::make_unique<Connection>(server.port()));
  for (auto& conn : conns) {
    auto res = conn->request("GET", "/");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "ok");
  }
  EXPECT_EQ(seen.size(), 2u);
}

}  // namespace
}  // namespace cortado
