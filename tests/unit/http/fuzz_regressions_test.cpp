// The worker's head checks (src/http/request_checks.hpp), which fuzz/request_fuzz.cpp runs.
#include "http/request_checks.hpp"

#include <gtest/gtest.h>

namespace cortado::http {
namespace {

// std::isdigit of a negative char is undefined; a version byte of 0x80 and above is now only "not
// a digit".
TEST(HttpFuzzRegressions, HighBytesInTheVersionAreNotDigits) {
  EXPECT_FALSE(other_major_version("GET / HTTP/\xff.0\r\n"));
  EXPECT_FALSE(other_major_version("GET / HTTP/2.\xb2\r\n"));
  EXPECT_TRUE(other_major_version("GET / HTTP/2.0\r\nHost: a\r\n\r\n"));
  EXPECT_FALSE(other_major_version("GET / HTTP/1.2\r\n"));
}

TEST(HttpFuzzRegressions, HeadChecks) {
  EXPECT_EQ(head_so_far("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), "GET / HTTP/1.1\r\nHost: a\r\n");
  EXPECT_FALSE(head_complete("GET / HTTP/1.1\r\nHost: a\r\n"));
  EXPECT_TRUE(head_complete("GET / HTTP/1.1\n\n"));
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nX: a\r\n b\r\n"));
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n"));
  EXPECT_FALSE(has_obs_fold("GET / HTTP/1.1\r\nX: a b\r\n"));

  RawRequest req{beast_http::verb::get, "/", 11};
  EXPECT_EQ(check_head(req), 400u);  // no Host in HTTP/1.1
  req.set(beast_http::field::host, "example.com");
  EXPECT_EQ(check_head(req), 0u);
  req.set(beast_http::field::transfer_encoding, "gzip, chunked");
  EXPECT_EQ(check_head(req), 501u);
  req.set(beast_http::field::transfer_encoding, "chunked, gzip");
  EXPECT_EQ(check_head(req), 400u);
  req.erase(beast_http::field::transfer_encoding);
  req.insert(beast_http::field::content_length, "5");
  req.insert(beast_http::field::content_length, "5");
  EXPECT_EQ(check_head(req), 400u);
  RawRequest unknown{beast_http::verb::get, "/", 11};
  unknown.method_string("BREW");  // a method Beast does not know
  unknown.set(beast_http::field::host, "a");
  EXPECT_EQ(check_head(unknown), 400u);
}

}  // namespace
}  // namespace cortado::http
