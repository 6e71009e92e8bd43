// cookie-session's cookie text as Node reads and writes it. Expected values were produced with
// Node v20, cookie-session 2.1.1, cookies 0.9.1 (Buffer.from(s, 'base64'), the Session constructor).
#include "session/cookie_codec.hpp"

#include "support/hex.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cortado::detail {
namespace {

using test::hex;

TEST(CookieCodec, CookiesGetFindsTheFirstCookieOfThatName) {
  EXPECT_EQ(cookies_get("session=abc", "session"), "abc");
  EXPECT_EQ(cookies_get("a=1; session=abc; b=2", "session"), "abc");
  EXPECT_EQ(cookies_get("a=1;session=abc", "session"), "abc");
  EXPECT_EQ(cookies_get("a=1;   session=abc", "session"), "abc");
  EXPECT_EQ(cookies_get("session=first; session=second", "session"), "first");
  EXPECT_EQ(cookies_get("session.sig=x; session=y", "session"), "y");
  EXPECT_EQ(cookies_get("session=y; session.sig=x", "session.sig"), "x");
  // Only spaces may come between ';' and the name; a longer name is another cookie.
  EXPECT_EQ(cookies_get("xsession=1", "session"), std::nullopt);
  EXPECT_EQ(cookies_get("a=1;\tsession=2", "session"), std::nullopt);
  EXPECT_EQ(cookies_get("Session=1", "session"), std::nullopt);
  EXPECT_EQ(cookies_get("", "session"), std::nullopt);
  EXPECT_EQ(cookies_get("session", "session"), std::nullopt);
  // The value as it is: not %-decoded, trailing spaces kept, may be empty.
  EXPECT_EQ(cookies_get("session=a%3Db ; x=1", "session"), "a%3Db ");
  EXPECT_EQ(cookies_get("session=; x=1", "session"), "");
  // A leading quote goes with the last character, whatever it is.
  EXPECT_EQ(cookies_get("session=\"abc\"", "session"), "abc");
  EXPECT_EQ(cookies_get("session=\"abc", "session"), "ab");
  EXPECT_EQ(cookies_get("session=\"", "session"), "");
}

TEST(CookieCodec, Base64DecodesAsNodeBuffers) {
  EXPECT_EQ(hex(node_base64_decode("e30=")), "7b7d");
  EXPECT_EQ(hex(node_base64_decode("e30")), "7b7d");
  EXPECT_EQ(hex(node_base64_decode("e3 0=")), "7b7d");
  EXPECT_EQ(hex(node_base64_decode("e3!0=")), "7b7d");
  EXPECT_EQ(hex(node_base64_decode("e3=0")), "7b");
  EXPECT_EQ(hex(node_base64_decode("e30=e30=")), "7b7d");
  EXPECT_EQ(hex(node_base64_decode("eyJhIjoxfQ")), "7b2261223a317d");
  EXPECT_EQ(hex(node_base64_decode("e-_/+")), "7befff");
  EXPECT_EQ(hex(node_base64_decode("=e30")), "");
  EXPECT_EQ(hex(node_base64_decode("e")), "");
  EXPECT_EQ(hex(node_base64_decode("e3")), "7b");
  EXPECT_EQ(hex(node_base64_decode("ab=cd")), "69");
  EXPECT_EQ(hex(node_base64_decode("abc=d")), "69b7");
  EXPECT_EQ(hex(node_base64_decode("YQ=YQ==")), "61");
  EXPECT_EQ(hex(node_base64_decode("e\xe9" "30")), "7b7d");
}

TEST(CookieCodec, Base64EncodesAsNodeBuffers) {
  EXPECT_EQ(base64_encode("{}"), "e30=");
  EXPECT_EQ(base64_encode(R"({"views":1})"), "eyJ2aWV3cyI6MX0=");
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("\xff\xfe"), "//4=");
}

TEST(CookieCodec, Latin1HeaderBytesAreHashedAsUtf8) {
  EXPECT_EQ(latin1_to_utf8("session=abc"), "session=abc");
  EXPECT_EQ(latin1_to_utf8("\xe9"), "\xc3\xa9");
}

std::string keys_text(std::string_view json) { return stringify(keys_of(parse_json(json))); }

TEST(CookieCodec, KeysAreWhatTheSessionConstructorCopies) {
  EXPECT_EQ(keys_text(R"({"b":1,"a":2,"1":3})"), R"({"1":3,"b":1,"a":2})");
  EXPECT_EQ(keys_text(R"(["x",{"y":1}])"), R"({"0":"x","1":{"y":1}})");
  EXPECT_EQ(keys_text("\"h\xc3\xa9\xf0\x9f\x98\x80\""), R"({"0":"h","1":"é","2":"\ud83d","3":"\ude00"})");
  EXPECT_EQ(keys_text("5"), "{}");
  EXPECT_EQ(keys_text("null"), "{}");
  EXPECT_EQ(keys_text("true"), "{}");
  EXPECT_EQ(keys_text("\"\""), "{}");
  EXPECT_EQ(keys_text("[]"), "{}");
  EXPECT_EQ(keys_text(R"({"isNew":1,"toString":2,"__proto__":{"a":1},"_ctx":3,"cookie":4,"constructor":5})"),
            R"({"cookie":4})");
  EXPECT_EQ(keys_text(R"({"a":1,"a":2,"b":3})"), R"({"a":2,"b":3})");
}

TEST(CookieCodec, DecodeReadsBase64Json) {
  auto data = decode_cookie_session("eyJ2aWV3cyI6MX0=");
  ASSERT_TRUE(data);
  EXPECT_EQ(stringify(*data), R"({"views":1})");
  EXPECT_FALSE(decode_cookie_session("not base64 json"));
  EXPECT_FALSE(decode_cookie_session(""));
  EXPECT_FALSE(decode_cookie_session(base64_encode(R"({"a":)")));
  // Ill-formed UTF-8 becomes U+FFFD, as Buffer.toString('utf8') makes it.
  auto replaced = decode_cookie_session(base64_encode("{\"a\":\"\xff\"}"));
  ASSERT_TRUE(replaced);
  EXPECT_EQ(stringify(*replaced), "{\"a\":\"\xef\xbf\xbd\"}");
}

}  // namespace
}  // namespace cortado::detail
