// RedisKey: the parts joined in order, in the object or in a string, and copies that keep their text.
#include "stores/redis_key.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cortado::stores {
namespace {

TEST(RedisKey, JoinsItsPartsInOrder) {
  const std::string sid(32, 'a');
  const RedisKey key("owner-of:", std::string("sess:"), sid);
  EXPECT_EQ(key.view(), "owner-of:sess:" + sid);
  EXPECT_EQ(key.str(), "owner-of:sess:" + sid);
  EXPECT_EQ(RedisKey("", "x", "").view(), "x");
  EXPECT_EQ(RedisKey("").view(), "");
}

TEST(RedisKey, HoldsKeysAtTheInlineSizeAndBeyond) {
  for (const std::size_t size : {RedisKey::inline_size - 1, RedisKey::inline_size, RedisKey::inline_size + 1,
                                 std::size_t{1000}}) {
    const std::string prefix(size - 4, 'p');
    const RedisKey key(prefix, "abcd");
    EXPECT_EQ(key.view().size(), size);
    EXPECT_EQ(key.view(), prefix + "abcd");
  }
}

TEST(RedisKey, CopiesKeepTheirOwnText) {
  for (const std::size_t size : {std::size_t{10}, std::size_t{500}}) {
    const std::string text(size, 'k');
    RedisKey copy("");
    {
      const RedisKey original(text, "!");
      copy = original;
      const RedisKey constructed(original);
      EXPECT_EQ(constructed.view(), text + "!");
    }
    EXPECT_EQ(copy.view(), text + "!");
  }
}

}  // namespace
}  // namespace cortado::stores
