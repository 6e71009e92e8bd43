// Cookie headers against the `cookie` package Express 5 uses. Every expected value was printed by
// Node v20 with require('cookie')@0.7.2 and express@5.3.0:
//   parse:     Object.entries(cookie.parse(header))
//   serialize: cookie.serialize(name, value, {...options, encode: v => v}) — serialize_cookie takes
//              the value already encoded, as cookie.serialize does with an identity encoder
//   res.cookie: express.response.cookie.call({req: {}, append(k, v) {...}}, name, value, options)

#include "cortado/core/cookies.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cortado {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// The cookies in header order, as Object.entries(cookie.parse(header)) lists them.
Pairs entries(std::string_view header) {
  Pairs out;
  for (const auto& [name, value] : parse_cookies(header)) out.emplace_back(name, value);
  return out;
}

// cookie.serialize's options: nothing unless set. The Path "/" that CookieAttributes starts with
// is Express's and express-session's default, not cookie.serialize's.
CookieAttributes bare() { return {.path = std::nullopt}; }

template <class Set>
CookieAttributes attrs(Set set) {
  CookieAttributes a = bare();
  set(a);
  return a;
}

TEST(ParseCookies, PairsTrimmingAndFirstOccurrence) {
  // cookie.parse(header)
  EXPECT_EQ(entries("a=1; b=2"), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(entries("a=1;b=2;a=3"), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(entries(" a = 1 ; b\t=\t2 "), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(entries("foo=bar=baz"), (Pairs{{"foo", "bar=baz"}}));
  EXPECT_EQ(entries("x; a=1"), (Pairs{{"a", "1"}}));
  EXPECT_EQ(entries("a=1;;b=2"), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(entries("a=1; =2; c=3"), (Pairs{{"a", "1"}, {"", "2"}, {"c", "3"}}));
  EXPECT_EQ(entries("a=1 2"), (Pairs{{"a", "1 2"}}));
  EXPECT_EQ(entries("a=; b=2"), (Pairs{{"a", ""}, {"b", "2"}}));
  EXPECT_EQ(entries(" ; a=1"), (Pairs{{"a", "1"}}));
  EXPECT_EQ(entries("a=1;"), (Pairs{{"a", "1"}}));
  EXPECT_EQ(entries("=a"), (Pairs{{"", "a"}}));
  EXPECT_EQ(entries("a"), Pairs{});
  EXPECT_EQ(entries(""), Pairs{});
}

TEST(ParseCookies, Quotes) {
  EXPECT_EQ(entries("a=\"quoted\""), (Pairs{{"a", "quoted"}}));
  EXPECT_EQ(entries("a=\"\""), (Pairs{{"a", ""}}));
  EXPECT_EQ(entries("a=\"x"), (Pairs{{"a", "\"x"}}));
  EXPECT_EQ(entries("a=x\""), (Pairs{{"a", "x\""}}));
  EXPECT_EQ(entries("a = \" sp \" "), (Pairs{{"a", " sp "}}));
}

TEST(ParseCookies, DecodesWhenDecodeUriComponentSucceeds) {
  EXPECT_EQ(entries("a=%E2%82%AC"), (Pairs{{"a", "\xE2\x82\xAC"}}));
  EXPECT_EQ(entries("a=%2520"), (Pairs{{"a", "%20"}}));
  EXPECT_EQ(entries("a=b+c"), (Pairs{{"a", "b+c"}}));
  EXPECT_EQ(entries("a=%zz"), (Pairs{{"a", "%zz"}}));        // URIError: kept as is
  EXPECT_EQ(entries("a=%C0%AF"), (Pairs{{"a", "%C0%AF"}}));  // overlong: kept as is
}

TEST(ParseCookies, LoneQuoteIsAnEmptyValue) {
  // cookie.parse('a="') -> {a: ''}: the value's first and last character are the same '"'.
  EXPECT_EQ(entries("a=\""), (Pairs{{"a", ""}}));
}

TEST(ParseCookies, HeaderShorterThanTwoCharactersIsEmpty) {
  // cookie.parse('=') -> {} (parse returns early when str.length < 2).
  EXPECT_EQ(entries("="), Pairs{});
}

Timestamp at_ms(std::int64_t ms) { return Timestamp(milliseconds(ms)); }

TEST(SerializeCookie, EveryAttributeInCookiesOrder) {
  CookieAttributes all{.max_age = seconds(3600),
                       .expires = at_ms(1700000000123),
                       .domain = "example.com",
                       .path = "/",
                       .http_only = true,
                       .secure = true,
                       .partitioned = true,
                       .priority = "High",
                       .same_site = "Lax"};
  EXPECT_EQ(serialize_cookie("sid", "abc", all),
            "sid=abc; Max-Age=3600; Domain=example.com; Path=/; Expires=Tue, 14 Nov 2023 22:13:20 GMT; HttpOnly; "
            "Secure; Partitioned; Priority=High; SameSite=Lax");
  EXPECT_EQ(serialize_cookie("sid", "abc", bare()), "sid=abc");
}

TEST(SerializeCookie, AttributeValues) {
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.priority = "low"; })), "sid=abc; Priority=Low");
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.priority = "MEDIUM"; })), "sid=abc; Priority=Medium");
  // sameSite: true
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.same_site = "true"; })), "sid=abc; SameSite=Strict");
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.same_site = true; })), "sid=abc; SameSite=Strict");
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.same_site = false; })), "sid=abc");
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.same_site = "strict"; })),
            "sid=abc; SameSite=Strict");
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.same_site = "None"; })), "sid=abc; SameSite=None");
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.max_age = seconds(0); })), "sid=abc; Max-Age=0");
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.max_age = seconds(-1); })), "sid=abc; Max-Age=-1");
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.domain = ".Example.COM"; })),
            "sid=abc; Domain=.Example.COM");
  EXPECT_EQ(serialize_cookie("sid", "v", attrs([&](auto& a) { a.domain = "localhost"; })), "sid=v; Domain=localhost");
  EXPECT_EQ(serialize_cookie("sid", "v", attrs([&](auto& a) { a.domain = "127.0.0.1"; })), "sid=v; Domain=127.0.0.1");
  const std::string label63 = std::string(63, 'x') + ".com";
  EXPECT_EQ(serialize_cookie("sid", "v", attrs([&](auto& a) { a.domain = label63; })), "sid=v; Domain=" + label63);
  EXPECT_EQ(serialize_cookie("sid", "abc", attrs([&](auto& a) { a.path = "/a b/c"; })), "sid=abc; Path=/a b/c");
  EXPECT_EQ(serialize_cookie("sid", "v", attrs([&](auto& a) { a.path = "/a>b=c"; })), "sid=v; Path=/a>b=c");
}

TEST(SerializeCookie, NamesAndValues) {
  EXPECT_EQ(serialize_cookie("!#$%&'*+-.^_`|~", "x", bare()), "!#$%&'*+-.^_`|~=x");
  EXPECT_EQ(serialize_cookie("sid", "\"quoted\"", bare()), "sid=\"quoted\"");
  EXPECT_EQ(serialize_cookie("sid", "", bare()), "sid=");
  EXPECT_EQ(serialize_cookie("sid", "\"\"", bare()), "sid=\"\"");
  // TypeError 'argument name is invalid'
  for (const char* name : {"a b", "a;b", "", "a=b", "a\xC3\xA9", "a(b)"})
    EXPECT_THROW(serialize_cookie(name, "x", bare()), std::invalid_argument) << name;
  // TypeError 'argument val is invalid'
  for (const char* value : {"a b", "a;b", "a,b", "a\\b", "\"x", "x\"y", "a\r\nSet-Cookie: x=y", "\xC3\xA9"})
    EXPECT_THROW(serialize_cookie("sid", value, bare()), std::invalid_argument) << value;
}

TEST(SerializeCookie, EveryByteOfAValue) {
  // cookie@0.7's cookieValueRegExp: RFC 6265's cookie-octet (visible ASCII but '"', ',', ';', '\\').
  for (int c = 0; c < 256; ++c) {
    const bool allowed = c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
    const std::string value = "a" + std::string(1, static_cast<char>(c)) + "b";
    if (allowed)
      EXPECT_EQ(serialize_cookie("sid", value, bare()), "sid=" + value) << c;
    else
      EXPECT_THROW(serialize_cookie("sid", value, bare()), std::invalid_argument) << c;
  }
}

TEST(SerializeCookie, InvalidAttributesThrow) {
  // TypeError 'option domain is invalid'
  const std::string label64 = std::string(64, 'x') + ".com";
  for (std::string_view domain :
       {std::string_view("exa mple.com"), std::string_view("example.com."), std::string_view("-example.com"),
        std::string_view("a..b"), std::string_view("a_b.com"), std::string_view("..example.com"),
        std::string_view(label64)})
    EXPECT_THROW(serialize_cookie("sid", "v", attrs([&](auto& a) { a.domain = domain; })), std::invalid_argument)
        << domain;
  // TypeError 'option path is invalid'
  for (const char* path : {"/a;b", "/a<b", "/a\nb", "/\xC3\xA9"})
    EXPECT_THROW(serialize_cookie("sid", "v", attrs([&](auto& a) { a.path = path; })), std::invalid_argument) << path;
  // TypeError 'option priority is invalid' / 'option sameSite is invalid'
  EXPECT_THROW(serialize_cookie("sid", "v", attrs([&](auto& a) { a.priority = "urgent"; })), std::invalid_argument);
  EXPECT_THROW(serialize_cookie("sid", "v", attrs([&](auto& a) { a.same_site = "lax "; })), std::invalid_argument);
  EXPECT_THROW(serialize_cookie("sid", "v", attrs([&](auto& a) { a.same_site = "yes"; })), std::invalid_argument);
}

TEST(SetCookieHeader, EncodesTheValueAndDefaultsThePath) {
  // res.cookie(name, value, options)
  EXPECT_EQ(set_cookie_header("sid", "a b;\xE2\x82\xAC", {}), "sid=a%20b%3B%E2%82%AC; Path=/");
  EXPECT_EQ(set_cookie_header("sid", "x", {.path = ""}), "sid=x");
  EXPECT_EQ(set_cookie_header("sid", "x", {.path = "/admin", .http_only = true, .same_site = "strict"}),
            "sid=x; Path=/admin; HttpOnly; SameSite=Strict");
}

// res.cookie with maxAge: "sid=x; Max-Age=<floor(ms/1000)>; Path=/; Expires=<now + ms>". The
// expiry depends on the clock, so it is checked to be within a second of now + maxAge.
void expect_max_age(std::int64_t ms, const std::string& node_prefix) {
  SCOPED_TRACE(ms);
  auto before = system_clock::now();
  std::string header = set_cookie_header("sid", "x", {.max_age = milliseconds(ms)});
  ASSERT_TRUE(header.starts_with(node_prefix + "; Path=/; Expires=")) << header;
  std::string expires = header.substr(node_prefix.size() + std::string("; Path=/; Expires=").size());
  // Expires is written by http_date(), so the candidates around now + ms must include it.
  bool found = false;
  for (int s = -2; s <= 2 && !found; ++s)
    found = http_date(before + milliseconds(ms) + seconds(s)) == expires;
  EXPECT_TRUE(found) << expires;
}

TEST(SetCookieHeader, MaxAgeIsFlooredToSeconds) {
  expect_max_age(1500, "sid=x; Max-Age=1");
  expect_max_age(-1500, "sid=x; Max-Age=-2");
  expect_max_age(999, "sid=x; Max-Age=0");
  expect_max_age(-1000, "sid=x; Max-Age=-1");
  expect_max_age(0, "sid=x; Max-Age=0");
}

}  // namespace
}  // namespace cortado
namespace cortado {
namespace {

// find_cookie is parse_cookies for one name: the same value, or nothing, on every header.
TEST(Cookies, FindCookieGivesWhatParseCookiesKeepsForTheName) {
  const std::vector<std::string_view> headers{
      "",
      "a",
      "a=1",
      "a=1; b=2; a=3",                 // the first occurrence wins
      " a = 1 ;b=\"quoted\" ; c=\"",   // spaces, quotes, a lone quote
      "b=%E2%82%AC; a=%ZZ; c=%",      // decodable, and not (kept as is)
      "x; a=1; =empty; b=",           // no '=', an empty name, an empty value
      "connect.sid=s%3Aabc.def; other=1",
      "a=1;;;b=2",
  };
  for (std::string_view header : headers) {
    const Cookies all = parse_cookies(header);
    for (std::string_view name : {"a", "b", "c", "", "connect.sid", "missing"}) {
      auto found = find_cookie(header, name);
      auto it = all.find(name);
      ASSERT_EQ(found.has_value(), it != all.end()) << header << " / " << name;
      if (found) {
        EXPECT_EQ(*found, it->second) << header << " / " << name;
      }
    }
  }
}

}  // namespace
}  // namespace cortado
