// The logger's formats against morgan 1.10: the formats' token strings, the dates and the
// basic-auth user as morgan writes them (the side-by-side test in tests/compat compares whole
// lines with morgan's own).

#include "app/log_format.hpp"

#include "cortado/app/logger.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <unistd.h>

namespace cortado {
namespace {

using namespace std::chrono;

detail::LogRecord sample_record(const detail::LogFormat& format) {
  detail::LogRecord r;
  r.method = "GET";
  r.url = "/users/7?x=1";
  r.http_version = "1.1";
  r.remote_addr = "127.0.0.1";
  r.start = detail::LogClock::time_point(seconds(100));
  r.response_ms = 1.23456;
  r.values.assign(format.pieces.size(), "");
  return r;
}

http::RawResponse sample_response() {
  http::RawResponse res;
  res.result(404);
  res.set("Content-Length", "9");
  res.set("Date", "Fri, 04 Dec 2026 18:57:35 GMT");
  res.insert("Set-Cookie", "a=1");
  res.insert("Set-Cookie", "b=2");
  return res;
}

// 2026-12-04T08:05:09.042Z
const system_clock::time_point when = sys_days(year(2026) / December / 4) + hours(8) + minutes(5) + seconds(9) +
                                      milliseconds(42);

TEST(LoggerFormat, ClfDateIsMorgansClfdate) {
  EXPECT_EQ(detail::clf_date(when), "04/Dec/2026:08:05:09 +0000");
  EXPECT_EQ(detail::clf_date(sys_days(year(1999) / January / 31)), "31/Jan/1999:00:00:00 +0000");
}

TEST(LoggerFormat, PredefinedFormatsWriteMorgansLines) {
  auto res = sample_response();
  auto line = [&](std::string_view name) {
    auto f = detail::compile_log_format(name, false);
    auto r = sample_record(f);
    return detail::render_line(f, r, &res, when, r.start + milliseconds(5));
  };
  EXPECT_EQ(line("tiny"), "GET /users/7?x=1 404 9 - 1.235 ms\n");
  EXPECT_EQ(line("short"), "127.0.0.1 - GET /users/7?x=1 HTTP/1.1 404 9 - 1.235 ms\n");
  EXPECT_EQ(line("common"), "127.0.0.1 - - [04/Dec/2026:08:05:09 +0000] \"GET /users/7?x=1 HTTP/1.1\" 404 9\n");
  EXPECT_EQ(line("combined"),
            "127.0.0.1 - - [04/Dec/2026:08:05:09 +0000] \"GET /users/7?x=1 HTTP/1.1\" 404 9 \"-\" \"-\"\n");
  EXPECT_EQ(line("dev"), "GET /users/7?x=1 404 1.235 ms - 9\n");
  auto colored = detail::compile_log_format("dev", true);
  auto r = sample_record(colored);
  EXPECT_EQ(detail::render_line(colored, r, &res, when, r.start),
            "\x1b[0mGET /users/7?x=1 \x1b[33m404\x1b[0m 1.235 ms - 9\x1b[0m\n");
}

TEST(LoggerFormat, TokensArgumentsAndMissingValues) {
  auto f = detail::compile_log_format(
      ":date :date[iso] :date[web] :date[nope] :res[set-cookie] :res[date] :res[x-none] :response-time[0] "
      ":total-time[1] :a :status: :pid",
      false);
  auto r = sample_record(f);
  auto res = sample_response();
  EXPECT_EQ(detail::render_line(f, r, &res, when, r.start + microseconds(2500)),
            "Fri, 04 Dec 2026 08:05:09 GMT 2026-12-04T08:05:09.042Z Fri, 04 Dec 2026 08:05:09 GMT - a=1, b=2 - - "
            "1 2.5 :a 404: " + std::to_string(::getpid()) + "\n");
  // Before the response (immediate): its tokens are "-".
  EXPECT_EQ(detail::render_line(detail::compile_log_format(":status :res[content-length]", false), r, nullptr, when,
                                r.start),
            "- -\n");
}

TEST(LoggerFormat, UnknownTokensAreRefusedWhenTheFormatIsMade) {
  EXPECT_THROW(detail::compile_log_format(":method :nonsense", false), std::invalid_argument);
  logger_token("tenant", [](const Request&, const Response&, std::string_view arg) { return std::string(arg); });
  EXPECT_NO_THROW(detail::compile_log_format(":tenant[x]", false));
  logger_format("mine", ":method :tenant");
  auto f = detail::compile_log_format("mine", false);
  ASSERT_EQ(f.pieces.size(), 3u);
  EXPECT_EQ(f.pieces[2].kind, detail::LogPiece::Kind::custom);
}

TEST(LoggerFormat, JsonLines) {
  auto f = detail::compile_log_format("json", false);
  auto r = sample_record(f);
  r.user_agent = "curl/8";
  r.remote_user = "ann";
  auto res = sample_response();
  EXPECT_EQ(detail::render_line(f, r, &res, when, r.start + milliseconds(2)),
            "{\"time\":\"2026-12-04T08:05:09.042Z\",\"method\":\"GET\",\"url\":\"/users/7?x=1\",\"status\":404,"
            "\"length\":9,\"response_time_ms\":1.235,\"total_time_ms\":2,\"remote_addr\":\"127.0.0.1\","
            "\"remote_user\":\"ann\",\"http_version\":\"1.1\",\"referrer\":null,\"user_agent\":\"curl/8\"}\n");
}

TEST(LoggerFormat, TokenTextIsEscapedAsMorgan112EscapesIt) {
  using detail::TextKind;
  EXPECT_EQ(detail::escape_log_field("a\"b\\c\nd\te\x01\x7f", TextKind::latin1), "a\\\"b\\\\c\\nd\\te\\u0001\\u007f");
  // Header bytes are Latin-1 characters in Node: 0xE9 is written as UTF-8 "é", 0x85 escaped.
  EXPECT_EQ(detail::escape_log_field("caf\xe9\x85", TextKind::latin1), "caf\xc3\xa9\\u0085");
  // UTF-8 text (a basic-auth user, a custom token): kept, but U+2028 and C1 are escaped and a
  // broken byte becomes U+FFFD.
  EXPECT_EQ(detail::escape_log_field("\xc3\xa9\xe2\x80\xa8\xc2\x85\xff", TextKind::utf8),
            "\xc3\xa9\\u2028\\u0085\xef\xbf\xbd");
  auto f = detail::compile_log_format(":user-agent", false);
  auto r = sample_record(f);
  r.user_agent = "evil\n127.0.0.1 - - \"GET /admin\"";
  EXPECT_EQ(detail::render_line(f, r, nullptr, when, r.start), "evil\\n127.0.0.1 - - \\\"GET /admin\\\"\n");
}

TEST(LoggerFormat, BasicAuthUserAsNpmBasicAuthReadsIt) {
  EXPECT_EQ(detail::basic_auth_user("Basic YW5uOnNlY3JldA=="), "ann");      // ann:secret
  EXPECT_EQ(detail::basic_auth_user("  basic   YW5uOjp4  "), "ann");       // ann::x
  EXPECT_EQ(detail::basic_auth_user("Basic OnB3"), "");                    // :pw, an empty name
  EXPECT_EQ(detail::basic_auth_user("Basic YW5u"), std::nullopt);          // no colon
  EXPECT_EQ(detail::basic_auth_user("Bearer YW5uOnNlY3JldA=="), std::nullopt);
  EXPECT_EQ(detail::basic_auth_user("Basic YW5u OnB3"), std::nullopt);
  EXPECT_EQ(detail::basic_auth_user(""), std::nullopt);
}

}  // namespace
}  // namespace cortado
