#include "http/plain_head.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cortado::http {
namespace {

namespace bh = boost::beast::http;
using FieldList = std::vector<std::pair<std::string, std::string>>;

FieldList fields_of(const RawRequest& req) {
  FieldList list;
  for (const auto& field : req) list.emplace_back(field.name_string(), field.value());
  return list;
}

// What Beast's parser makes of the same bytes, with the same limit: the bytes it took (0 when it
// refused them or wants more) and the message.
std::pair<std::size_t, RawRequest> beast_read(std::string_view text, std::size_t limit) {
  bh::request_parser<bh::string_body, FieldAllocator<char>> parser;
  parser.header_limit(static_cast<std::uint32_t>(limit));
  boost::system::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(text.data(), text.size()), ec);
  if (ec || !parser.is_done()) return {0, RawRequest{}};
  return {used, parser.release()};
}

TEST(PlainHead, ReadsARequestLineAndItsFields) {
  const std::string head = "GET /get/views?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nCookie: connect.sid=s%3Aabc.def\r\n\r\n";
  RawRequest req;
  // A pipelined request after it stays in the buffer.
  ASSERT_EQ(parse_plain_head(head + "GET / HTTP/1.1\r\n", 8192, req), head.size());
  EXPECT_EQ(req.method(), bh::verb::get);
  EXPECT_EQ(req.method_string(), "GET");
  EXPECT_EQ(req.target(), "/get/views?x=1");
  EXPECT_EQ(req.version(), 11);
  EXPECT_EQ(fields_of(req), (FieldList{{"Host", "127.0.0.1:8080"}, {"Cookie", "connect.sid=s%3Aabc.def"}}));
  EXPECT_EQ(req[bh::field::cookie], "connect.sid=s%3Aabc.def");  // known names are found by their enum
  EXPECT_TRUE(req.body().empty());
}

TEST(PlainHead, TrimsBlanksAroundAValueAndKeepsTheTabsInside) {
  const std::string head =
      "DELETE /a HTTP/1.0\r\nX-Tab: \t one\ttwo \t\r\nX-Empty:\r\nx-lower-case:v\r\nConnection: Close\r\n\r\n";
  RawRequest req;
  ASSERT_EQ(parse_plain_head(head, 8192, req), head.size());
  EXPECT_EQ(req.method(), bh::verb::delete_);
  EXPECT_EQ(req.version(), 10);
  EXPECT_EQ(fields_of(req),
            (FieldList{{"X-Tab", "one\ttwo"}, {"X-Empty", ""}, {"x-lower-case", "v"}, {"Connection", "Close"}}));
  EXPECT_FALSE(req.keep_alive());
}

// Each of these is left to Beast's parser, which refuses some and reads others (a body, an
// upgrade, bytes beyond ASCII) with what the plain reading does not do.
TEST(PlainHead, LeavesToBeastWhatItDoesNotTakeAsIs) {
  const std::vector<std::string> heads = {
      "POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
      "POST /f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nProxy-Connection: close\r\n\r\n",
      "get / HTTP/1.1\r\nHost: x\r\n\r\n",             // lower case: not a method Beast knows
      "BREW / HTTP/1.1\r\nHost: x\r\n\r\n",            // unknown method (refused by check_head)
      "GET / HTTP/2.0\r\nHost: x\r\n\r\n",             // another version (505)
      "GET / HTTP/1.1\r\nHost: x\r\nX: caf\xc3\xa9\r\n\r\n",  // obs-text in a value
      "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",  // obs-text in the target
      "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",  // a folded line
      "GET / HTTP/1.1\nHost: x\n\n",                   // bare LF
      "GET / HTTP/1.1\r\nHost : x\r\n\r\n",            // a space before the colon
      "GET / HTTP/1.1\r\nX!y: z\r\nHost: x\r\n\r\n",   // a token byte the plain reading leaves out
      "GET / HTTP/1.1\r\nHost: x\r\nX: a\x7f\r\n\r\n",  // DEL
      "GET / HTTP/1.1\r\nHost: x\r\n",                 // not whole yet
      "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",            // two spaces
  };
  for (const auto& head : heads) {
    RawRequest req;
    EXPECT_EQ(parse_plain_head(head, 8192, req), 0u) << head;
  }
  // A NUL in a value, which a std::string from a literal would cut off.
  static constexpr char nul_head[] = "GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n";
  RawRequest req;
  const std::string with_nul(nul_head, sizeof nul_head - 1);
  EXPECT_EQ(parse_plain_head(with_nul, 8192, req), 0u);
}

// The limit is Beast's header limit: a head of exactly that many bytes is read, one byte more is
// left to Beast (which answers 431).
TEST(PlainHead, ReadsAHeadOfTheLimitAndNoLonger) {
  const std::string head = "GET /abc HTTP/1.1\r\nHost: example\r\n\r\n";
  RawRequest at;
  EXPECT_EQ(parse_plain_head(head, head.size(), at), head.size());
  RawRequest over;
  EXPECT_EQ(parse_plain_head(head, head.size() - 1, over), 0u);
}

// What the fuzz target plain_head checks on random bytes, here on heads written by hand: each one
// the plain reading takes, Beast reads to the same length and message.
TEST(PlainHead, AgreesWithBeastOnWhatItTakes) {
  std::string long_value = "PUT /p HTTP/1.1\r\nHost: a\r\nX-Long: ";
  long_value.append(300, 'v').append("\r\nCookie: a=b; c=d\r\n\r\n");
  const std::vector<std::string> heads = {
      long_value,
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET http://a.example/x?y=%20 HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\nUser-Agent: t/1.0 (x; y)\r\n\r\n",
      "HEAD /h HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "GET /t HTTP/1.1\r\nHost: a\r\nX-Tabs:\t\ta\t\r\nHost: b\r\n\r\n",
  };
  for (const auto& head : heads) {
    RawRequest plain;
    const std::size_t used = parse_plain_head(head, 8192, plain);
    ASSERT_EQ(used, head.size()) << head;
    auto [beast_used, beast] = beast_read(head, 8192);
    EXPECT_EQ(beast_used, used) << head;
    EXPECT_EQ(beast.method(), plain.method()) << head;
    EXPECT_EQ(beast.method_string(), plain.method_string()) << head;
    EXPECT_EQ(beast.target(), plain.target()) << head;
    EXPECT_EQ(beast.version(), plain.version()) << head;
    EXPECT_EQ(fields_of(beast), fields_of(plain)) << head;
    EXPECT_EQ(beast.keep_alive(), plain.keep_alive()) << head;
  }
}

}  // namespace
}  // namespace cortado::http
