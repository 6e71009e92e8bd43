// core/digest.hpp's base64 writer, against RFC 4648's test vectors.
#include "core/digest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace cortado::detail {
namespace {

std::string encoded(std::string_view bytes, bool url_safe, bool pad, std::string out = "") {
  append_base64(out, {reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()}, url_safe, pad);
  return out;
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(encoded("", false, true), "");
  EXPECT_EQ(encoded("f", false, true), "Zg==");
  EXPECT_EQ(encoded("fo", false, true), "Zm8=");
  EXPECT_EQ(encoded("foo", false, true), "Zm9v");
  EXPECT_EQ(encoded("foob", false, true), "Zm9vYg==");
  EXPECT_EQ(encoded("fooba", false, true), "Zm9vYmE=");
  EXPECT_EQ(encoded("foobar", false, true), "Zm9vYmFy");
}

TEST(Base64, UnpaddedAndUrlAlphabet) {
  EXPECT_EQ(encoded("f", false, false), "Zg");
  EXPECT_EQ(encoded("fo", false, false), "Zm8");
  EXPECT_EQ(encoded("foobar", false, false), "Zm9vYmFy");
  EXPECT_EQ(encoded("\xfb\xff", false, true), "+/8=");
  EXPECT_EQ(encoded("\xfb\xff", true, false), "-_8");
  EXPECT_EQ(encoded("\xfb\xff\xbf", true, true), "-_-_");
}

TEST(Base64, AppendsAfterWhatIsThere) {
  EXPECT_EQ(encoded("fooba", false, true, "s:"), "s:Zm9vYmE=");
  EXPECT_EQ(encoded("foob", true, false, "x"), "xZm9vYg");
}

}  // namespace
}  // namespace cortado::detail
