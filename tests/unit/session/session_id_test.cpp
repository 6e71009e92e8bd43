#include "cortado/session/session_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace cortado {
namespace {

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

TEST(SessionId, Is32Base64UrlCharacters) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = generate_session_id();
    ASSERT_EQ(id.size(), 32u) << id;  // uid-safe(24): 24 bytes, 4 characters per 3 bytes, no padding
    for (const char c : id) ASSERT_TRUE(is_base64url(c)) << id;
  }
}

TEST(SessionId, IdsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(seen.insert(generate_session_id()).second);
}

TEST(SessionId, EveryCharacterOfTheAlphabetTurnsUp) {
  // 2000 ids hold 64000 characters; a wrong alphabet table (say '+' for '-') or a bias
  // toward part of it would leave some of the 64 out.
  std::set<char> seen;
  for (int i = 0; i < 2000; ++i) {
    for (const char c : generate_session_id()) seen.insert(c);
  }
  EXPECT_EQ(seen.size(), 64u);
  EXPECT_TRUE(seen.count('-'));
  EXPECT_TRUE(seen.count('_'));
}

// A session id is a bearer credential: logs and error messages name a session by this instead.
TEST(SessionId, DigestIsTheStartOfItsSha256AndNeverTheId) {
  EXPECT_EQ(session_id_digest("abc"), "sha256:ba7816bf");  // FIPS 180-2's first example
  EXPECT_EQ(session_id_digest(""), "sha256:e3b0c442");
  const std::string id = generate_session_id();
  EXPECT_EQ(session_id_digest(id), session_id_digest(id));
  EXPECT_EQ(session_id_digest(id).find(id), std::string::npos);
  EXPECT_NE(session_id_digest(id), session_id_digest(generate_session_id()));
}

}  // namespace
}  // namespace cortado
