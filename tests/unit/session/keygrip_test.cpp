// Keygrip 1.1's signatures (HMAC-SHA1, base64url without padding), as cookie-session signs its
// cookie. Expected values from Node v20: new Keygrip(keys).sign(data).
#include "session/keygrip.hpp"

#include "core/digest.hpp"

#include "support/hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cortado::detail {
namespace {

using test::hex;

TEST(HmacSha1, Rfc2202) {
  EXPECT_EQ(hex(HmacSha1("Jefe").mac("what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  // A key longer than a block is hashed first (RFC 2202 test case 6).
  EXPECT_EQ(hex(HmacSha1(std::string(80, '\xaa')).mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(Keygrip, SignsAsNode) {
  const std::vector<std::string> keys{"key one", "key two"};
  Keygrip grip(keys);
  EXPECT_EQ(grip.sign("session=eyJ2aWV3cyI6MX0="), "jJ2ASzq-9cM5wGhEW2luzxXrEhM");
  const std::vector<std::string> long_key{std::string(100, 'x')};
  EXPECT_EQ(Keygrip(long_key).sign("a"), "7RguumP3Zk3kUHUriu9WPZ0geWo");
  const std::vector<std::string> k{"k"};
  EXPECT_EQ(Keygrip(k).sign("session=\xc3\xa9"), "wLSHIqvZJVvwc1fD5UlHxkj9kfw");
}

TEST(Keygrip, IndexFindsTheKeyThatSigned) {
  const std::vector<std::string> keys{"key one", "key two"};
  Keygrip grip(keys);
  EXPECT_EQ(grip.index("session=eyJ2aWV3cyI6MX0=", "jJ2ASzq-9cM5wGhEW2luzxXrEhM"), 0);
  EXPECT_EQ(grip.index("session=eyJ2aWV3cyI6MX0=", "1ErURyuOKh-upVb2heIKNwQYXso"), 1);
  EXPECT_EQ(grip.index("session=eyJ2aWV3cyI6MX1=", "jJ2ASzq-9cM5wGhEW2luzxXrEhM"), -1);
  EXPECT_EQ(grip.index("session=eyJ2aWV3cyI6MX0=", "jJ2ASzq-9cM5wGhEW2luzxXrEhN"), -1);
  EXPECT_EQ(grip.index("session=eyJ2aWV3cyI6MX0=", "jJ2ASzq-9cM5wGhEW2luzxXrEh"), -1);
  EXPECT_EQ(grip.index("session=eyJ2aWV3cyI6MX0=", "jJ2ASzq-9cM5wGhEW2luzxXrEhM="), -1);
  EXPECT_EQ(grip.index("session=eyJ2aWV3cyI6MX0=", "jJ2ASzq+9cM5wGhEW2luzxXrEhM"), -1);
  EXPECT_EQ(grip.index("session=eyJ2aWV3cyI6MX0=", ""), -1);
}

}  // namespace
}  // namespace cortado::detail
