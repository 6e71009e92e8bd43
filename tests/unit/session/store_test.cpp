#include "cortado/session/store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

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

// What read_stored_session must give, found the long way: the whole text parsed, the cookie taken
// out of it by SessionCookie::from_json, its position counted among the other keys.
struct Split {
  SessionCookie cookie;
  std::size_t cookie_position = 0;
  json::object data;
};
std::optional<Split> split_the_long_way(std::string_view text) {
  json::value whole = parse_stored_session(text);
  if (!whole.is_object()) return std::nullopt;
  Split split;
  for (const auto& [key, value] : whole.get_object()) {
    if (key != "cookie") {
      split.data.emplace(key, value);
    } else {
      split.cookie_position = split.data.size();
      if (value.is_object()) split.cookie = SessionCookie::from_json(value.get_object());
    }
  }
  return split;
}

// The texts a store holds: as Node's JSON.stringify writes express-session's sessions, and others.
const std::string node_cookie =
    R"({"originalMaxAge":86400000,"expires":"2026-12-07T06:00:00.000Z","secure":false,"httpOnly":true,"path":"/"})";
const std::string bare_cookie = R"({"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"})";

TEST(ReadStoredSession, GivesWhatTheWholeParseGives) {
  const std::vector<std::string> texts{
      R"({"cookie":)" + node_cookie + R"(,"views":3,"user":"ada","ok":true,"off":false,"none":null,"n":-12})",
      R"({"cookie":)" + bare_cookie + "}",
      R"({"cookie":)" + node_cookie + R"(,"cart":[1,2,{"sku":"a"}],"user":{"id":1,"name":"ada"}})",
      R"({"cookie":)" + node_cookie + R"(,"name":"caf\u00e9","price":1.5,"big":12345678901234567890})",
      R"({"views":1,"cookie":)" + node_cookie + R"(,"later":2})",
      R"({ "cookie" : )" + node_cookie + R"( , "a" : 1 })",
      R"({"cookie":)" + node_cookie + R"(,"b":1,"17":2,"0":3})",
      R"({"cookie":)" + node_cookie + R"(,"a":1,"cookie":)" + bare_cookie + "}",
      R"({"cookie":{"originalMaxAge":5,"expires":null,"httpOnly":true,"path":"/","extra":1},"a":1})",
      R"({"cookie":"not an object","a":1})",
      R"({"a":1})",
      R"({})",
  };
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    const std::optional<StoredSession> read = read_stored_session(text);
    const std::optional<Split> expected = split_the_long_way(text);
    ASSERT_TRUE(read);
    ASSERT_TRUE(expected);
    EXPECT_EQ(read->data, expected->data);
    EXPECT_EQ(stringify(read->data), stringify(expected->data));  // the keys in the same order
    EXPECT_TRUE(read->cookie.attributes == expected->cookie.attributes);
    EXPECT_EQ(read->cookie_position, expected->cookie_position);
    // A data text is kept only when it is exactly what stringify writes of the data.
    if (!read->data_text.empty()) {
      EXPECT_EQ(read->data_text, stringify(read->data));
    }
  }
}

TEST(ReadStoredSession, KeepsTheDataTextOfWhatNodeWrites) {
  const std::string flat = R"({"views":3,"user":"ada","ok":true,"none":null})";
  const std::optional<StoredSession> read = read_stored_session(R"({"cookie":)" + node_cookie + "," + flat.substr(1));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->data_text, flat);
  const std::optional<StoredSession> empty = read_stored_session(R"({"cookie":)" + bare_cookie + "}");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->data_text, "{}");
  EXPECT_TRUE(empty->data.empty());
  // Keys JavaScript would list first, and nested data: no text, the middleware writes it.
  EXPECT_EQ(read_stored_session(R"({"cookie":)" + node_cookie + R"(,"b":1,"0":2})")->data_text, "");
  EXPECT_EQ(read_stored_session(R"({"cookie":)" + node_cookie + R"(,"u":{"id":1}})")->data_text, "");
}

TEST(ReadStoredSession, RefusesWhatJsonParseRefuses) {
  const std::vector<std::string> texts{
      R"({"cookie":)" + node_cookie + ",}",
      R"({"cookie":)" + node_cookie + R"(,"a":1)",
      R"({"cookie":)" + node_cookie + R"(,"a":1}x)",
      R"({"cookie":)" + node_cookie + R"(}})",
      R"({"cookie":)" + node_cookie + R"(,"a":01})",
      R"({"cookie":)" + node_cookie + R"(,"a":[)" + std::string(max_session_depth, '[') +
          std::string(max_session_depth, ']') + "]}",
      "",
  };
  for (const std::string& text : texts) {
    SCOPED_TRACE(text.substr(0, 200));
    EXPECT_THROW(read_stored_session(text), std::invalid_argument);
    EXPECT_THROW(parse_stored_session(text), std::invalid_argument);
  }
}

TEST(ReadStoredSession, NoSessionInJsonThatIsNoObject) {
  EXPECT_FALSE(read_stored_session("[1,2]"));
  EXPECT_FALSE(read_stored_session(R"("text")"));
  EXPECT_FALSE(read_stored_session("null"));
}

}  // namespace
}  // namespace cortado
