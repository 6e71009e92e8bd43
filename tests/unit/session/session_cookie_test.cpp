#include "cortado/session/session_cookie.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace cortado {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// Expected texts were produced with Node v20 and express-session 1.19.0 (cookie 0.7.2,
// cookie-signature 1.0.7) from /tmp: for a Cookie `c` built as each test says,
// JSON.stringify(c) and cookie.serialize('connect.sid', 's:' + sign(sid, 'keyboard cat'), c.data).
constexpr const char* node_value = "s:xV9pBbEHHmXNo3zHH_wQ1k1jFkKzZhUk./8+OdxDxMkT+/hCqpzrmJ3OX1hP46Kw1kc7g0fbLZ0E";
constexpr const char* node_prefix =
    "connect.sid=s%3AxV9pBbEHHmXNo3zHH_wQ1k1jFkKzZhUk.%2F8%2BOdxDxMkT%2B%2FhCqpzrmJ3OX1hP46Kw1kc7g0fbLZ0E";

Timestamp at_ms(std::int64_t ms) { return Timestamp(milliseconds(ms)); }

std::string text_of(const SessionCookie& c) { return stringify(c.to_json()); }

SessionCookie round_trip(std::string_view text) { return SessionCookie::from_json(parse_json(text).as_object()); }

TEST(SessionCookie, DefaultCookie) {
  // new Cookie()
  const SessionCookie c;
  EXPECT_EQ(text_of(c), R"({"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"})");
  EXPECT_EQ(c.serialize("connect.sid", node_value), std::string(node_prefix) + "; Path=/; HttpOnly");
  EXPECT_FALSE(c.max_age());
}

TEST(SessionCookie, WithExpires) {
  // c = new Cookie({maxAge: 1000}); c.expires = new Date(1700000000123); c.originalMaxAge = 86400000
  SessionCookie c;
  c.attributes.expires = at_ms(1700000000123);
  c.attributes.max_age = milliseconds(86400000);
  EXPECT_EQ(text_of(c),
            R"({"originalMaxAge":86400000,"expires":"2023-11-14T22:13:20.123Z","httpOnly":true,"path":"/"})");
  EXPECT_EQ(c.serialize("connect.sid", node_value),
            std::string(node_prefix) + "; Path=/; Expires=Tue, 14 Nov 2023 22:13:20 GMT; HttpOnly");
}

TEST(SessionCookie, EveryAttribute) {
  // new Cookie({domain:'example.com', path:'/app', secure:true, httpOnly:false, sameSite:'lax',
  //             partitioned:true, priority:'high'})
  const SessionCookie c{.attributes = {.domain = "example.com",
                                       .path = "/app",
                                       .http_only = false,
                                       .secure = true,
                                       .partitioned = true,
                                       .priority = "high",
                                       .same_site = std::string("lax")}};
  const std::string json_text =
      R"({"originalMaxAge":null,"partitioned":true,"priority":"high","expires":null,"secure":true,)"
      R"("httpOnly":false,"domain":"example.com","path":"/app","sameSite":"lax"})";
  EXPECT_EQ(text_of(c), json_text);
  EXPECT_EQ(
      c.serialize("connect.sid", node_value),
      std::string(node_prefix) + "; Domain=example.com; Path=/app; Secure; Partitioned; Priority=High; SameSite=Lax");
  EXPECT_EQ(text_of(round_trip(json_text)), json_text);
}

TEST(SessionCookie, BooleanFormsAndFalseFlags) {
  // new Cookie({sameSite:true, priority:'LOW', secure:false, partitioned:false})
  const SessionCookie c{.attributes = {.secure = false, .partitioned = false, .priority = "LOW", .same_site = true}};
  const std::string json_text =
      R"({"originalMaxAge":null,"partitioned":false,"priority":"LOW","expires":null,"secure":false,)"
      R"("httpOnly":true,"path":"/","sameSite":true})";
  EXPECT_EQ(text_of(c), json_text);
  EXPECT_EQ(c.serialize("connect.sid", node_value),
            std::string(node_prefix) + "; Path=/; HttpOnly; Priority=Low; SameSite=Strict");
  EXPECT_EQ(text_of(round_trip(json_text)), json_text);
}

TEST(SessionCookie, CaseInsensitiveValuesAndEmptyPath) {
  // new Cookie({sameSite:'None', priority:'Medium', domain:'.Sub.Example.com', path:''})
  const SessionCookie c{.attributes = {.domain = ".Sub.Example.com",
                                       .path = "",
                                       .priority = "Medium",
                                       .same_site = std::string("None")}};
  const std::string json_text = R"({"originalMaxAge":null,"priority":"Medium","expires":null,"httpOnly":true,)"
                                R"("domain":".Sub.Example.com","path":"","sameSite":"None"})";
  EXPECT_EQ(text_of(c), json_text);
  EXPECT_EQ(c.serialize("connect.sid", node_value),
            std::string(node_prefix) + "; Domain=.Sub.Example.com; HttpOnly; Priority=Medium; SameSite=None");
  EXPECT_EQ(text_of(round_trip(json_text)), json_text);
}

TEST(SessionCookie, SameSiteFalseIsLeftOutOfTheHeader) {
  // new Cookie({sameSite:false, httpOnly:false})
  const SessionCookie c{.attributes = {.http_only = false, .same_site = false}};
  EXPECT_EQ(text_of(c), R"({"originalMaxAge":null,"expires":null,"httpOnly":false,"path":"/","sameSite":false})");
  EXPECT_EQ(c.serialize("connect.sid", node_value), std::string(node_prefix) + "; Path=/");
}

TEST(SessionCookie, StrictAndAPastDate) {
  // c = new Cookie({sameSite:'strict'}); c.expires = new Date(-1)
  const SessionCookie c{.attributes = {.expires = at_ms(-1), .same_site = std::string("strict")}};
  EXPECT_EQ(c.serialize("connect.sid", node_value),
            std::string(node_prefix) + "; Path=/; Expires=Wed, 31 Dec 1969 23:59:59 GMT; HttpOnly; SameSite=Strict");
}

TEST(SessionCookie, ValueIsEncodedAsEncodeURIComponentDoes) {
  // cookie.serialize('n', "a b;c=d/é\0\x7f!~*()'-_.+,:@&$#%?", {})
  const SessionCookie c{.attributes = {.path = std::nullopt, .http_only = false}};
  using namespace std::string_literals;
  EXPECT_EQ(c.serialize("n", "a b;c=d/\xC3\xA9\0\x7f!~*()'-_.+,:@&$#%?"s),
            "n=a%20b%3Bc%3Dd%2F%C3%A9%00%7F!~*()'-_.%2B%2C%3A%40%26%24%23%25%3F");
}

TEST(SessionCookie, RejectsWhatCookieRejects) {
  // cookie 0.7.2 throws TypeError for each of these.
  EXPECT_THROW(SessionCookie{}.serialize("bad name", "v"), std::invalid_argument);
  EXPECT_THROW(SessionCookie{}.serialize("", "v"), std::invalid_argument);
  EXPECT_THROW(SessionCookie{.attributes = {.domain = "bad domain"}}.serialize("n", "v"), std::invalid_argument);
  EXPECT_THROW(SessionCookie{.attributes = {.domain = "-bad.example.com"}}.serialize("n", "v"), std::invalid_argument);
  EXPECT_THROW(SessionCookie{.attributes = {.path = "/a;b"}}.serialize("n", "v"), std::invalid_argument);
  EXPECT_THROW(SessionCookie{.attributes = {.priority = "urgent"}}.serialize("n", "v"), std::invalid_argument);
  EXPECT_THROW(SessionCookie{.attributes = {.same_site = std::string("loose")}}.serialize("n", "v"),
               std::invalid_argument);
}

TEST(SessionCookie, SetMaxAgeSetsBothFields) {
  SessionCookie c;
  const auto before = system_clock::now();
  c.set_max_age(60000);
  EXPECT_EQ(c.original_max_age(), 60000);
  ASSERT_TRUE(c.attributes.expires);
  EXPECT_GE(*c.attributes.expires, before + milliseconds(60000) - milliseconds(1));
  EXPECT_LE(*c.attributes.expires, system_clock::now() + milliseconds(60000));
  c.set_max_age(std::nullopt);
  EXPECT_FALSE(c.attributes.expires);
  EXPECT_FALSE(c.original_max_age());
  EXPECT_EQ(text_of(c), R"({"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"})");
}

TEST(SessionCookie, MaxAgeShrinksAndResetRestoresIt) {
  SessionCookie c;
  c.set_max_age(60000);
  const auto first = c.max_age();
  ASSERT_TRUE(first);
  EXPECT_LE(*first, 60000);
  EXPECT_GT(*first, 59000);
  std::this_thread::sleep_for(milliseconds(30));
  const auto later = c.max_age();
  EXPECT_LE(*later, *first - 25);
  EXPECT_EQ(c.original_max_age(), 60000);  // the original stays as given
  c.reset_max_age();
  EXPECT_GE(*c.max_age(), *later + 25);
  EXPECT_EQ(c.original_max_age(), 60000);
}

TEST(SessionCookie, PastExpiresGivesNegativeMaxAge) {
  SessionCookie c;
  c.attributes.expires = now_ms() - milliseconds(5000);
  EXPECT_LE(*c.max_age(), -5000);
  EXPECT_GT(*c.max_age(), -6000);
}

TEST(SessionCookie, SetExpiresRecomputesOriginalMaxAgeAsNodeDoes) {
  // In Node, `cookie.expires = date` sets originalMaxAge to the ms left (negative when past).
  SessionCookie c;
  c.set_expires(now_ms() + milliseconds(10000));
  ASSERT_TRUE(c.original_max_age());
  EXPECT_LE(*c.original_max_age(), 10000);
  EXPECT_GT(*c.original_max_age(), 9000);
  c.set_expires(std::nullopt);
  EXPECT_FALSE(c.original_max_age());
}

TEST(SessionCookie, SetMaxAgeRefusesWhatATimePointCannotHold) {
  SessionCookie c;
  EXPECT_THROW(c.set_max_age(std::int64_t{1} << 62), std::out_of_range);
}

TEST(SessionCookie, StoredCookieRoundTripsExactly) {
  // Store.createSession keeps originalMaxAge as stored: the text comes back unchanged.
  const std::string stored =
      R"({"originalMaxAge":5000,"expires":"2023-11-14T22:13:20.123Z","httpOnly":true,"path":"/"})";
  const SessionCookie c = round_trip(stored);
  EXPECT_EQ(c.original_max_age(), 5000);
  EXPECT_EQ(c.attributes.expires, at_ms(1700000000123));
  EXPECT_EQ(text_of(c), stored);
}

TEST(SessionCookie, FromJsonFillsDefaultsForMissingOrOddKeys) {
  EXPECT_EQ(text_of(round_trip("{}")), R"({"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"})");
  const SessionCookie odd =
      round_trip(R"({"originalMaxAge":1.5e3,"expires":"not a date","httpOnly":"yes","secure":1})");
  EXPECT_EQ(odd.original_max_age(), 1500);
  EXPECT_FALSE(odd.attributes.expires);
  EXPECT_EQ(odd.attributes.http_only, true);
  EXPECT_FALSE(odd.attributes.secure);
}

}  // namespace
}  // namespace cortado
