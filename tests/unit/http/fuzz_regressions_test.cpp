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

  // The worker's one pass agrees with the walks above, and stops at the first blank line: a fold
  // in the body or in a pipelined request after it is not this head's.
  for (std::string_view text : {"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody", "GET / HTTP/1.1\r\nHost: a\r\n",
                                "GET / HTTP/1.1\n\n", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
                                "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n", "GET / HTTP/1.1\r\nX: a b\r\n\r\n",
                                "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "", "\n"}) {
    SCOPED_TRACE(text);
    const auto scan = scan_head(text);
    EXPECT_EQ(scan.folded, has_obs_fold(head_so_far(text)));
    if (!scan.folded) {
      EXPECT_EQ(scan.complete, head_complete(text));
    }
  }
  EXPECT_TRUE(scan_head("GET / HTTP/1.1\r\nHost: a\r\n\r\nX: a\r\n b").complete);
  EXPECT_FALSE(scan_head("GET / HTTP/1.1\r\nHost: a\r\n\r\nX: a\r\n b").folded);
  EXPECT_TRUE(scan_head("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n").folded);

  RawRequest req{beast_http::verb::get, "/", 11};
  EXPECT_EQ(check_head(req), 400u);  // no Host in HTTP/1.1
  for (std::string_view bad : {"exa mple.com", "a/b", "a\xff", "a\"b", "a@b", "a{b}"}) {
    req.set(beast_http::field::host, bad);
    EXPECT_EQ(check_head(req), 400u) << bad;
  }
  for (std::string_view good : {"[::1]:8080", "127.0.0.1:3000", "xn--d1a.example", "a%20b", "A-Z_a~z!$&'()*+,;="}) {
    req.set(beast_http::field::host, good);
    EXPECT_EQ(check_head(req), 0u) << good;
  }
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
