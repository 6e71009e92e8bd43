// The UTF-8 check of WebSocket text messages, which arrive in pieces split anywhere.
#include "http/utf8_check.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace cortado::http {
namespace {

bool utf8(std::initializer_list<std::string> pieces) {
  Utf8Check check;
  for (const auto& piece : pieces)
    if (!check.add(std::span(reinterpret_cast<const unsigned char*>(piece.data()), piece.size()))) return false;
  return check.complete();
}

TEST(Utf8Check, ValidatesAcrossPieces) {
  EXPECT_TRUE(utf8({"plain ascii"}));
  EXPECT_TRUE(utf8({"caf\xc3\xa9", " \xe2\x82\xac", " \xf0\x9f\x98\x80"}));
  EXPECT_TRUE(utf8({"\xf0\x9f", "\x98", "\x80"}));  // one character in three pieces
  EXPECT_TRUE(utf8({"\xed\x9f\xbf", "\xf4\x8f\xbf\xbf"}));  // U+D7FF, U+10FFFF
  EXPECT_FALSE(utf8({"\xc3\x28"}));                 // a lead byte without its continuation
  EXPECT_FALSE(utf8({"\x80"}));                     // a stray continuation byte
  EXPECT_FALSE(utf8({"\xc0\xaf"}));                 // overlong '/'
  EXPECT_FALSE(utf8({"\xe0\x80\xaf"}));             // overlong, three bytes
  EXPECT_FALSE(utf8({"\xed\xa0\x80"}));             // a surrogate
  EXPECT_FALSE(utf8({"\xf4\x90\x80\x80"}));         // past U+10FFFF
  EXPECT_FALSE(utf8({"\xf5\x80\x80\x80"}));
  EXPECT_FALSE(utf8({"ends inside \xe2\x82"}));     // the message ends mid-character
}

TEST(Utf8Check, FailsAtTheFirstBadByteBeforeTheMessageEnds) {
  Utf8Check check;
  std::string first = "ok \xe2";
  std::string second = "\x28 and more";
  EXPECT_TRUE(check.add(std::span(reinterpret_cast<const unsigned char*>(first.data()), first.size())));
  EXPECT_FALSE(check.add(std::span(reinterpret_cast<const unsigned char*>(second.data()), second.size())));
}

}  // namespace
}  // namespace cortado::http
