#include "cortado/session/session_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

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

TEST(SessionId, ThreadsDrawDifferentIds) {
  // Each thread draws from its own buffer of random bytes: no two may hold the same bytes.
  constexpr int per_thread = 2000;
  std::vector<std::vector<std::string>> drawn(4);
  {
    std::vector<std::jthread> threads;
    for (auto& ids : drawn)
      threads.emplace_back([&ids] {
        for (int i = 0; i < per_thread; ++i) ids.push_back(generate_session_id());
      });
  }
  std::set<std::string> seen;
  for (const auto& ids : drawn)
    for (const auto& id : ids) ASSERT_TRUE(seen.insert(id).second) << id;
  EXPECT_EQ(seen.size(), drawn.size() * per_thread);
}

TEST(SessionId, AForkedChildDrawsIdsItsParentDoesNot) {
  // The parent's buffer of random bytes is copied into the child: were it used there, parent and
  // child would hand out the same next ids (a pre-fork server's workers sharing sessions' ids).
  generate_session_id();  // the buffer is filled and partly used
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string ids;
    for (int i = 0; i < 3; ++i) ids += generate_session_id();
    const ssize_t wrote = ::write(pipe_ends[1], ids.data(), ids.size());
    ::_exit(wrote == static_cast<ssize_t>(ids.size()) ? 0 : 1);
  }
  ::close(pipe_ends[1]);
  std::string from_child(96, '\0');
  std::size_t got = 0;
  while (got < from_child.size()) {
    const ssize_t n = ::read(pipe_ends[0], from_child.data() + got, from_child.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(pipe_ends[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(got, from_child.size());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) seen.insert(from_child.substr(static_cast<std::size_t>(i) * 32, 32));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(seen.contains(generate_session_id()));
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
