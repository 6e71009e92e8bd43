// Weak ETags as Express makes them (the etag package: W/"<length in hex>-<27 characters of the
// SHA-1's base64>"), whether the body was tagged just before or not.
#include "app/freshness.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cortado {
namespace {

// What `require('etag')(body, {weak: true})` gives in Node for these bodies.
constexpr const char* hello_tag = "W/\"c-Lve95gjOVATpfV8EL5X4nxwjKHE\"";
constexpr const char* empty_tag = "W/\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\"";

TEST(WeakEtag, TheSameTagWhenTheBodyComesAgainAndAnotherForAnyOtherBody) {
  EXPECT_EQ(weak_etag("Hello World!"), hello_tag);
  EXPECT_EQ(weak_etag("Hello World!"), hello_tag);  // the remembered one
  const std::string other = weak_etag("Hello World?");  // same length, one byte apart
  EXPECT_NE(other, hello_tag);
  EXPECT_TRUE(other.starts_with("W/\"c-"));
  EXPECT_EQ(weak_etag("Hello World?"), other);
  EXPECT_EQ(weak_etag(""), empty_tag);
  EXPECT_EQ(weak_etag("Hello World!"), hello_tag);
}

TEST(WeakEtag, AppendsToWhatIsThereAndTagsLargeBodies) {
  std::string out = "ETag: ";
  append_weak_etag(out, "Hello World!");
  append_weak_etag(out, "Hello World!");
  EXPECT_EQ(out, std::string("ETag: ") + hello_tag + hello_tag);
  const std::string large(5000, 'x');
  const std::string first = weak_etag(large);
  EXPECT_TRUE(first.starts_with("W/\"1388-"));
  EXPECT_EQ(weak_etag(large), first);
  std::string changed = large;
  changed[4999] = 'y';
  EXPECT_NE(weak_etag(changed), first);
}

}  // namespace
}  // namespace cortado
