// The header checks Response::set() and append() make (Node's checkIsHttpToken and
// checkInvalidHeaderChar), against the rule written out byte by byte here.
#include "core/header_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace cortado::text {
namespace {

bool allowed_in_value(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

bool allowed_in_token(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

TEST(HeaderText, EveryByteAtEveryPlaceOfAValue) {
  // 20 bytes: two whole words and a tail, so that a byte is tried in each lane of the word-wide
  // check and in the byte-wide one after it.
  for (int c = 0; c < 256; ++c) {
    for (std::size_t at = 0; at < 20; ++at) {
      std::string value(20, 'a');
      value[at] = static_cast<char>(c);
      EXPECT_EQ(is_field_value(value), allowed_in_value(static_cast<unsigned char>(c))) << c << " at " << at;
    }
  }
  EXPECT_TRUE(is_field_value(""));
  EXPECT_TRUE(is_field_value("s%3Aabc.def; Path=/; HttpOnly; \xE2\x82\xAC\t"));
  EXPECT_FALSE(is_field_value("a=b\r\nSet-Cookie: x=y"));
  EXPECT_FALSE(is_field_value(std::string("12345678\x7f", 9)));
  // A byte below 0x20 beside 0x80 and above: a borrow across lanes must not hide it.
  EXPECT_FALSE(is_field_value(std::string("\xff\x00\xff\xff\xff\xff\xff\xff", 8)));
}

TEST(HeaderText, EveryByteOfAToken) {
  for (int c = 0; c < 256; ++c) {
    const std::string name = "X-" + std::string(1, static_cast<char>(c));
    EXPECT_EQ(is_token(name), allowed_in_token(static_cast<unsigned char>(c))) << c;
  }
  EXPECT_FALSE(is_token(""));
  EXPECT_TRUE(is_token("Set-Cookie"));
  EXPECT_FALSE(is_token("Set Cookie"));
}

}  // namespace
}  // namespace cortado::text
