// Sealed cookie values: what opens, and everything that must not.
#include "session/sealed_cookie.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace cortado::detail {
namespace {

using namespace std::chrono_literals;

const Timestamp now = Timestamp(1'800'000'000'000ms);
const Timestamp later = now + 1h;
const std::vector<std::string> current{"current secret"};
const std::vector<std::string> rotated{"current secret", "retired secret"};
const std::vector<std::string> retired{"retired secret"};

TEST(SealedCookie, OpensWhatItSealed) {
  Sealer sealer(current);
  auto value = sealer.seal("session", R"({"cart":["beans"]})", later);
  auto opened = sealer.open("session", value, now);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->json, R"({"cart":["beans"]})");
  EXPECT_EQ(opened->expires_at, later);
  EXPECT_EQ(opened->key, 0u);
  EXPECT_EQ(value.size(), Sealer::sealed_size(opened->json.size()));
}

TEST(SealedCookie, TheValueIsOpaqueAndFreshEveryTime) {
  Sealer sealer(current);
  auto a = sealer.seal("session", R"({"user":"ana"})", later);
  auto b = sealer.seal("session", R"({"user":"ana"})", later);
  EXPECT_NE(a, b);  // a new nonce each time
  EXPECT_EQ(a.find("ana"), std::string::npos);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

TEST(SealedCookie, EveryChangedCharacterIsRefused) {
  Sealer sealer(current);
  auto value = sealer.seal("session", R"({"admin":false})", later);
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto tampered = value;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(sealer.open("session", tampered, now)) << "position " << i;
  }
}

TEST(SealedCookie, TruncatedOrExtendedIsRefused) {
  Sealer sealer(current);
  auto value = sealer.seal("session", R"({"a":1})", later);
  for (std::size_t n = 0; n < value.size(); ++n) EXPECT_FALSE(sealer.open("session", value.substr(0, n), now)) << n;
  EXPECT_FALSE(sealer.open("session", value + "A", now));
  EXPECT_FALSE(sealer.open("session", value + "AA", now));
  EXPECT_FALSE(sealer.open("session", value + "=", now));
  EXPECT_FALSE(sealer.open("session", "", now));
  EXPECT_FALSE(sealer.open("session", "not a sealed value", now));
}

TEST(SealedCookie, ExpiredIsRefused) {
  Sealer sealer(current);
  auto value = sealer.seal("session", "{}", later);
  EXPECT_TRUE(sealer.open("session", value, later - 1ms));
  EXPECT_FALSE(sealer.open("session", value, later));
  EXPECT_FALSE(sealer.open("session", value, later + 24h));
}

TEST(SealedCookie, BoundToTheCookieName) {
  Sealer sealer(current);
  auto value = sealer.seal("session", "{}", later);
  EXPECT_FALSE(sealer.open("other", value, now));
  EXPECT_FALSE(sealer.open("session.sig", value, now));
}

TEST(SealedCookie, RotationOpensWithARetiredKeyAndSealsWithTheFirst) {
  auto old_value = Sealer(retired).seal("session", R"({"v":1})", later);
  Sealer rotating(rotated);
  auto opened = rotating.open("session", old_value, now);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->key, 1u);
  auto new_value = rotating.seal("session", opened->json, later);
  EXPECT_TRUE(Sealer(current).open("session", new_value, now));
  EXPECT_FALSE(Sealer(retired).open("session", new_value, now));
  // Once the retired key is dropped, what it sealed no longer opens.
  EXPECT_FALSE(Sealer(current).open("session", old_value, now));
}

TEST(SealedCookie, KeysDifferBySecret) {
  std::set<std::string> prefixes;
  for (const char* secret : {"a", "b", "c", "current secret"}) {
    const std::vector<std::string> keys{secret};
    auto value = Sealer(keys).seal("session", "{}", later);
    prefixes.insert(value.substr(0, 6));  // version and key id
  }
  EXPECT_EQ(prefixes.size(), 4u);
}

}  // namespace
}  // namespace cortado::detail
