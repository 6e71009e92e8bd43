#include "cortado/session/store.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace cortado {
namespace {

json::object object_of(std::string_view text) { return parse_json(text).as_object(); }

TEST(SessionExpiry, ReadsCookieExpires) {
  const auto expiry = session_expiry(object_of(R"({"cookie":{"expires":"2023-11-14T22:13:20.123Z"},"a":1})"));
  ASSERT_TRUE(expiry);
  // Node: new Date("2023-11-14T22:13:20.123Z").getTime() === 1700000000123
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(expiry->time_since_epoch()).count(), 1700000000123);
}

TEST(SessionExpiry, NoneWithoutADate) {
  EXPECT_FALSE(session_expiry(object_of(R"({})")));
  EXPECT_FALSE(session_expiry(object_of(R"({"cookie":null})")));
  EXPECT_FALSE(session_expiry(object_of(R"({"cookie":{"expires":null}})")));
  EXPECT_FALSE(session_expiry(object_of(R"({"cookie":{"expires":"soon"}})")));
  EXPECT_FALSE(session_expiry(object_of(R"({"cookie":{"expires":1700000000123}})")));
}

}  // namespace
}  // namespace cortado
