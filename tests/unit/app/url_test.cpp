// URL text helpers against the Node functions they copy. Every expected value was printed by
// Node v20: decodeURIComponent / encodeURIComponent (built in), require('encodeurl')@2.0.3,
// require('escape-html')@1.0.3 and require('querystring').parse (Express 5's "simple" query parser).
// Strings are UTF-8 here; "\xEF\xBF\xBD" is U+FFFD, which Buffer#toString puts for bad bytes.

#include "cortado/core/url.hpp"

#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <cstdio>

#include <cctype>

#include <string>

namespace cortado {
namespace {

namespace json = boost::json;

constexpr const char* replacement = "\xEF\xBF\xBD";  // U+FFFD

TEST(DecodeUriComponent, DecodesValidEscapes) {
  // decodeURIComponent(s)
  EXPECT_EQ(decode_uri_component("abc"), "abc");
  EXPECT_EQ(decode_uri_component("%41%42"), "AB");
  EXPECT_EQ(decode_uri_component("%e2%82%ac"), "\xE2\x82\xAC");
  EXPECT_EQ(decode_uri_component("%E2%82%AC"), "\xE2\x82\xAC");
  EXPECT_EQ(decode_uri_component("%F0%9F%98%80"), "\xF0\x9F\x98\x80");  // a surrogate pair in JS
  EXPECT_EQ(decode_uri_component("a+b"), "a+b");                        // '+' stays '+'
  EXPECT_EQ(decode_uri_component("%2B"), "+");
  EXPECT_EQ(decode_uri_component("%25"), "%");
  EXPECT_EQ(decode_uri_component("%00"), std::string(1, '\0'));
  EXPECT_EQ(decode_uri_component("%EF%BF%BF"), "\xEF\xBF\xBF");         // U+FFFF
  EXPECT_EQ(decode_uri_component("%F4%8F%BF%BF"), "\xF4\x8F\xBF\xBF");  // U+10FFFF
  EXPECT_EQ(decode_uri_component("caf%C3%A9%20au%20lait"), "caf\xC3\xA9 au lait");
}

TEST(DecodeUriComponent, FailsWhereJavaScriptThrowsUriError) {
  // decodeURIComponent(s) throws URIError for each of these.
  for (const char* s : {"%", "%4", "%zz", "%4g", "%%41", "%E2%82%AC%",  // malformed escapes
                        "%C0%AF", "%C1%81", "%E0%80%80",                // overlong forms
                        "%ED%A0%80", "%ED%BF%BF",                       // encoded surrogates
                        "%F4%90%80%80", "%F8%88%80%80%80",              // past U+10FFFF, 5 bytes
                        "%80", "%C3", "%C3%28"}) {                      // stray / truncated bytes
    EXPECT_FALSE(decode_uri_component(s).has_value()) << s;
  }
}

// ASCII is checked 8 bytes at a time: what follows a long ASCII run is checked all the same,
// wherever it falls against those 8-byte words.
TEST(DecodeUriComponent, ChecksWhatFollowsALongAsciiRun) {
  for (std::string run : {"", "a", "abcdefg", "abcdefgh", "abcdefghijklmno", "abcdefghijklmnop"}) {
    EXPECT_EQ(decode_uri_component(run + "%E2%82%AC" + run), run + "\xE2\x82\xAC" + run);
    for (const char* bad : {"%C3%28", "%80", "%ED%A0%80", "%C3"})
      EXPECT_FALSE(decode_uri_component(run + bad + run).has_value()) << run << bad;
  }
}

TEST(EncodeUriComponent, EveryByteAloneAndInARun) {
  // encodeURIComponent keeps letters, digits and -_.!~*'() and escapes every other byte as %XX.
  const std::string_view kept = "-_.!~*'()";
  std::string all, expected;
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool keep = std::isalnum(c) || kept.find(ch) != std::string_view::npos;
    char escaped[4];
    std::snprintf(escaped, sizeof escaped, "%%%02X", c);
    const std::string one = keep ? std::string(1, ch) : std::string(escaped);
    EXPECT_EQ(encode_uri_component(std::string(1, ch)), one) << c;
    all += ch;
    expected += one;
  }
  EXPECT_EQ(encode_uri_component(all), expected);
}

TEST(EncodeUriComponent, MatchesNode) {
  // encodeURIComponent(s)
  EXPECT_EQ(encode_uri_component("abc"), "abc");
  EXPECT_EQ(encode_uri_component("A-Z a-z 0-9 -_.!~*'()"), "A-Z%20a-z%200-9%20-_.!~*'()");
  EXPECT_EQ(encode_uri_component("a/b?c=d&e#f"), "a%2Fb%3Fc%3Dd%26e%23f");
  EXPECT_EQ(encode_uri_component("\xE2\x82\xAC"), "%E2%82%AC");
  EXPECT_EQ(encode_uri_component("\xF0\x9F\x98\x80"), "%F0%9F%98%80");
  EXPECT_EQ(encode_uri_component("\xC3\xBC"), "%C3%BC");
  EXPECT_EQ(encode_uri_component(std::string("\0\x7f", 2)), "%00%7F");
  EXPECT_EQ(encode_uri_component("%"), "%25");
  EXPECT_EQ(encode_uri_component("+"), "%2B");
  EXPECT_EQ(encode_uri_component("[]{}|\\^`\"<>"), "%5B%5D%7B%7D%7C%5C%5E%60%22%3C%3E");
  EXPECT_EQ(encode_uri_component(";,/?:@&=+$#"), "%3B%2C%2F%3F%3A%40%26%3D%2B%24%23");
}

TEST(EncodeUrl, MatchesEncodeurl) {
  // require('encodeurl')(s)
  EXPECT_EQ(encode_url("/a b"), "/a%20b");
  EXPECT_EQ(encode_url("/%zz"), "/%25zz");
  EXPECT_EQ(encode_url("/%41"), "/%41");
  EXPECT_EQ(encode_url("/%4"), "/%254");
  EXPECT_EQ(encode_url("/x%"), "/x%25");
  EXPECT_EQ(encode_url("/%%41"), "/%25%41");
  EXPECT_EQ(encode_url("/%E2%82%AC"), "/%E2%82%AC");
  EXPECT_EQ(encode_url("/\xC3\xA9"), "/%C3%A9");
  EXPECT_EQ(encode_url("/\xF0\x9F\x98\x80"), "/%F0%9F%98%80");
  EXPECT_EQ(encode_url("`{}\"<>"), "%60%7B%7D%22%3C%3E");
  EXPECT_EQ(encode_url("/!#$&'()*+,-./:;=?@[]_~"), "/!#$&'()*+,-./:;=?@[]_~");
  EXPECT_EQ(encode_url(std::string("/\0\x1f\x7f", 4)), "/%00%1F%7F");
  EXPECT_EQ(encode_url("http://example.com/foo bar?q=1 2#h"), "http://example.com/foo%20bar?q=1%202#h");
}

TEST(EncodeUrl, KeepsPipeCaretAndBackslash) {
  // encodeurl's allowed set is [\x21\x23-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E]: '\\' (5C), '^' (5E)
  // and '|' (7C) are in it. require('encodeurl')('a|b^c\\d') === 'a|b^c\\d'.
  EXPECT_EQ(encode_url("a|b^c\\d"), "a|b^c\\d");
}

TEST(EscapeHtml, MatchesEscapeHtml) {
  // require('escape-html')(s)
  EXPECT_EQ(escape_html("<script>alert(\"x\")</script>"), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  EXPECT_EQ(escape_html("a & b ' c"), "a &amp; b &#39; c");
  EXPECT_EQ(escape_html("&amp;"), "&amp;amp;");
  EXPECT_EQ(escape_html("plain"), "plain");
  EXPECT_EQ(escape_html("\xC3\xA9<\xC3\xA9"), "\xC3\xA9&lt;\xC3\xA9");
  EXPECT_EQ(escape_html("`=/"), "`=/");
}

void expect_query(std::string_view text, const json::object& expected) {
  auto got = parse_query(text);
  EXPECT_TRUE(got == expected) << (text.size() > 80 ? std::string(text.substr(0, 80)) + "..." : std::string(text))
                               << " gave " << json::serialize(got) << ", Node " << json::serialize(expected);
}

TEST(ParseQuery, MatchesQuerystringParse) {
  // require('querystring').parse(s)
  expect_query("a=1&b=2", {{"a", "1"}, {"b", "2"}});
  expect_query("a=1&a=2&a=3", {{"a", json::array{"1", "2", "3"}}});
  expect_query("a=1&b&a", {{"a", json::array{"1", ""}}, {"b", ""}});
  expect_query("a[]=1&a[]=2", {{"a[]", json::array{"1", "2"}}});
  expect_query("a+b=c+d", {{"a b", "c d"}});
  expect_query("a=b%20c+d", {{"a", "b c d"}});
  expect_query("a=%2B", {{"a", "+"}});
  expect_query("%61=%62", {{"a", "b"}});
  expect_query("a", {{"a", ""}});
  expect_query("a=", {{"a", ""}});
  expect_query("=b", {{"", "b"}});
  expect_query("&&a=1&&", {{"a", "1"}});
  expect_query("a=1=2", {{"a", "1=2"}});
  expect_query("?a=1", {{"?a", "1"}});
  expect_query("a=1;b=2", {{"a", "1;b=2"}});
  expect_query("a=%E2%82%AC", {{"a", "\xE2\x82\xAC"}});
  expect_query("a=%F0%9F%98%80", {{"a", "\xF0\x9F\x98\x80"}});
  expect_query("", {});
}

TEST(ParseQuery, BadEscapesStayAsText) {
  // querystring.unescape falls back to unescapeBuffer: the valid escapes are decoded, the rest kept.
  expect_query("a=%zz", {{"a", "%zz"}});
  expect_query("a=%41%zz", {{"a", "A%zz"}});
}

TEST(ParseQuery, InvalidUtf8BecomesReplacementCharacters) {
  // unescapeBuffer(s).toString(): bytes that are not UTF-8 become U+FFFD, one per maximal subpart.
  expect_query("a=%ff", {{"a", replacement}});
  expect_query("a=%E2%82", {{"a", replacement}});
  expect_query("x=%C0%AF", {{"x", std::string(replacement) + replacement}});
  expect_query("a=%ED%A0%80", {{"a", std::string(replacement) + replacement + replacement}});
}

TEST(ParseQuery, KeepsTheFirstThousandKeys) {
  // maxKeys defaults to 1000: with k0..k1004, Object.keys(parse(s)).length === 1000, the last k999.
  std::string text;
  for (int i = 0; i < 1005; ++i) text += (i ? "&k" : "k") + std::to_string(i) + "=" + std::to_string(i);
  auto q = parse_query(text);
  EXPECT_EQ(q.size(), 1000u);
  EXPECT_TRUE(q.contains("k999"));
  EXPECT_FALSE(q.contains("k1000"));
}

TEST(ParseQuery, EmptyPairsCountTowardsMaxKeys) {
  // querystring.parse('&'.repeat(2000) + 'a=1') gives {}: each empty pair uses up one of the 1000.
  expect_query(std::string(2000, '&') + "a=1", {});
}

}  // namespace
}  // namespace cortado
