// The session's stored text written straight from the Session (session_text.hpp) is the text
// stringify writes of the object the store was given before: byte for byte, or not at all.
#include "cortado/core/json.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/session.hpp"
#include "cortado/session/store.hpp"
#include "session/session_context.hpp"
#include "session/session_text.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <vector>

namespace cortado {
namespace {

using std::chrono::milliseconds;

std::vector<SessionCookie> cookies() {
  std::vector<SessionCookie> all;
  all.push_back(SessionCookie{});  // express-session's default: no expiry
  // One attribute away from the default, which has a text of its own.
  for (int i = 0; i < 5; ++i) {
    SessionCookie near;
    if (i == 0) near.attributes.http_only = false;
    if (i == 1) near.attributes.http_only = true;
    if (i == 2) near.attributes.path = "/a";
    if (i == 3) near.attributes.secure = false;
    if (i == 4) near.attributes.same_site = std::string("lax");
    all.push_back(near);
  }
  SessionCookie timed;
  timed.attributes.max_age = milliseconds(3'600'000);
  timed.attributes.expires = Timestamp(milliseconds(1'767'225'600'123));
  all.push_back(timed);
  SessionCookie every;
  every.attributes.max_age = milliseconds(-5);
  every.attributes.expires = Timestamp(milliseconds(-62'000'000'000'000));  // before year 0: an extended year
  every.attributes.partitioned = false;
  every.attributes.priority = "High";
  every.attributes.secure = true;
  every.attributes.http_only = false;
  every.attributes.domain = "example.com";
  every.attributes.path = "/app";
  every.attributes.same_site = true;
  all.push_back(every);
  SessionCookie odd;  // text stringify escapes, numbers it prints as doubles, no path at all
  odd.attributes.max_age = milliseconds(std::int64_t{1} << 60);
  odd.attributes.expires = Timestamp(milliseconds(8'640'000'000'000'000));  // the last date JavaScript has
  odd.attributes.priority = "h\"i\\gh";
  odd.attributes.domain = "caf\xc3\xa9\n.example";
  odd.attributes.path.reset();
  odd.attributes.same_site = std::string("St\x01rict");
  odd.attributes.partitioned = true;
  all.push_back(odd);
  SessionCookie lax;
  lax.attributes.same_site = false;
  lax.attributes.secure = false;
  all.push_back(lax);
  return all;
}

TEST(SessionText, CookieTextIsStringifysOfTheObject) {
  for (const auto& cookie : cookies()) {
    std::string text = "prefix";
    detail::append_cookie_json(text, cookie);
    EXPECT_EQ(text, "prefix" + stringify(cookie.to_json()));
  }
}

TEST(SessionText, CookieExpiryIsWhatAStoreReadsFromTheText) {
  for (const auto& cookie : cookies()) {
    json::object session;
    session["cookie"] = cookie.to_json();
    EXPECT_EQ(detail::cookie_expiry(cookie), session_expiry(session)) << stringify(session);
  }
}

Session loaded(std::string_view stored) {
  Session s(nullptr, "id", SessionCookie{});
  detail::SessionContext::load(s, parse_json(stored).as_object());
  return s;
}

TEST(SessionText, StoredTextIsStringifysOfToJson) {
  const std::vector<std::string_view> stored{
      R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}})",
      R"({"cookie":{"originalMaxAge":60000,"expires":"2030-01-01T00:00:00.000Z","httpOnly":true,"path":"/"},"views":3})",
      R"({"cookie":{},"user":{"name":"a\"b","tags":["x",1.5,null]},"n\u00e9":"\u2028","e":{}})",
  };
  for (auto text : stored) {
    for (const auto& cookie : cookies()) {
      auto s = loaded(text);
      s.cookie() = cookie;
      s["added"] = 1e21;
      auto written = detail::SessionContext::stored_text(s, s.data_text());
      ASSERT_TRUE(written) << text;
      EXPECT_EQ(*written, stringify(s.to_json()));
    }
  }
}

TEST(SessionText, KeysStringifyWouldReorderAreLeftToTheObject) {
  // Array-index keys come first in JavaScript's order; a cookie that is not first; a data key
  // named "cookie": the object is built and written as before.
  auto index = loaded(R"({"cookie":{},"b":1,"10":2})");
  EXPECT_FALSE(detail::SessionContext::stored_text(index, index.data_text()));
  auto later = loaded(R"({"a":1,"cookie":{}})");
  EXPECT_FALSE(detail::SessionContext::stored_text(later, later.data_text()));
  auto named = loaded(R"({"cookie":{}})");
  named["cookie"] = "data";
  EXPECT_FALSE(detail::SessionContext::stored_text(named, named.data_text()));
}

MemoryStore quiet_store() { return MemoryStore(MemoryStoreOptions{.prune_interval = milliseconds::zero()}); }

TEST(SessionText, TextCallsStoreWhatTheObjectCallsStore) {
  const auto later = Timestamp(std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()) +
                               milliseconds(3'600'000));
  for (const auto& cookie : cookies()) {
    auto s = loaded(R"({"cookie":{},"views":3})");
    s.cookie() = cookie;
    if (cookie.attributes.expires) s.cookie().attributes.expires = later;  // alive, so that get finds it
    auto by_object = quiet_store();
    auto by_text = quiet_store();
    by_object.set_now("sid", s.to_json());
    by_text.set_text_now("sid", *detail::SessionContext::stored_text(s, s.data_text()), detail::cookie_expiry(s.cookie()));
    ASSERT_TRUE(by_object.get_now("sid"));
    EXPECT_EQ(stringify(*by_text.get_now("sid")), stringify(*by_object.get_now("sid")));

    // A touch with another cookie, then with the same one again.
    for (int round = 0; round < 2; ++round) {
      SessionCookie touched = cookies()[1];
      touched.attributes.expires = later + milliseconds(1000);
      by_object.touch_now("sid", [&] {
        json::object o;
        o["cookie"] = touched.to_json();
        return o;
      }());
      std::string text;
      detail::append_cookie_json(text, touched);
      by_text.touch_cookie_now("sid", text, detail::cookie_expiry(touched));
      EXPECT_EQ(stringify(*by_text.get_now("sid")), stringify(*by_object.get_now("sid")));
    }
  }
}

TEST(SessionText, TouchOfATextWhoseCookieIsNotFirstKeepsItsPlace) {
  auto by_object = quiet_store();
  auto by_text = quiet_store();
  auto stored = parse_json(R"({"a":1,"cookie":{"originalMaxAge":null},"b":2})").as_object();
  by_object.set_now("sid", stored);
  by_text.set_now("sid", stored);
  SessionCookie touched;
  json::object o;
  o["cookie"] = touched.to_json();
  by_object.touch_now("sid", o);
  std::string text;
  detail::append_cookie_json(text, touched);
  by_text.touch_cookie_now("sid", text, detail::cookie_expiry(touched));
  EXPECT_EQ(stringify(*by_text.get_now("sid")), stringify(*by_object.get_now("sid")));
  EXPECT_EQ(stringify(*by_text.get_now("sid")),
            R"({"a":1,"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"b":2})");
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

// What SessionCookie::from_json reads from the same text, as its stored form for comparing.
std::string cookie_as_parsed(std::string_view text) {
  const json::value whole = parse_json(text);
  return stringify(SessionCookie::from_json(whole.at("cookie").as_object()).to_json());
}

TEST(SessionText, LeadingCookieReadsAsTheParserReadsIt) {
  int fast = 0;
  for (const auto& cookie : cookies()) {
    std::string cookie_text;
    detail::append_cookie_json(cookie_text, cookie);
    for (std::string_view rest : {"}", ",\"views\":3}"}) {
      const std::string text = "{\"cookie\":" + cookie_text + std::string(rest);
      SessionCookie read;
      read.attributes.domain = "left over";  // replaced whole, never merged
      const std::size_t end = detail::read_leading_cookie(text, read);
      if (end == 0) continue;  // not the plain form: the caller parses instead
      ++fast;
      EXPECT_EQ(end, 10 + cookie_text.size()) << text;
      EXPECT_EQ(stringify(read.to_json()), cookie_as_parsed(text)) << text;
    }
  }
  // Every cookie but the one with escapes and a number past 15 digits takes the fast way.
  EXPECT_EQ(fast, 2 * (static_cast<int>(cookies().size()) - 1));
}

TEST(SessionText, LeadingCookieRefusesWhatItCannotReadExactly) {
  for (std::string_view text : {
           R"({"cookie":{"originalMaxAge":1.5,"expires":null,"httpOnly":true,"path":"/"}})",          // a fraction
           R"({"cookie":{"originalMaxAge":1e3,"expires":null,"httpOnly":true,"path":"/"}})",          // an exponent
           R"({"cookie":{"originalMaxAge":0123,"expires":null,"httpOnly":true,"path":"/"}})",         // a leading zero
           R"({"cookie":{"originalMaxAge":1234567890123456,"expires":null,"httpOnly":true}})",       // 16 digits
           R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/\u0061"}})",  // an escape
           R"({"cookie":{"originalMaxAge":null,"expires":null,"path":"/"}})",                        // no httpOnly
           R"({"cookie":{"expires":null,"originalMaxAge":null,"httpOnly":true}})",                   // another order
           R"({"cookie":{"originalMaxAge":null, "expires":null,"httpOnly":true}})",                  // a space
           R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"extra":1}})",         // another key
           R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true}x)",                   // then not , or }
           R"({"views":1,"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true}})",         // not first
           R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true)",                     // cut short
       }) {
    SessionCookie read;
    EXPECT_EQ(detail::read_leading_cookie(text, read), 0u) << text;
  }
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

// A session that shares the memory store's snapshot copies it before the first change: the
// snapshot, shared by other requests, never changes, and the session reads as if it held its own.
TEST(SessionSnapshot, ChangesCopyFirstAndNeverReachTheSharedData) {
  boost::intrusive_ptr<detail::SessionSnapshot> snapshot(new detail::SessionSnapshot);
  snapshot->data = parse_json(R"({"n":3,"list":[1,2],"s":"x"})").as_object();
  snapshot->text = stringify(snapshot->data);
  Session a(nullptr, "a", SessionCookie{});
  Session b(nullptr, "b", SessionCookie{});
  detail::SessionContext::adopt(a, snapshot);
  detail::SessionContext::adopt(b, snapshot);
  EXPECT_EQ(a.get("n"), 3);
  EXPECT_EQ(a.value("n", 0), 3);
  EXPECT_EQ(a.get<std::vector<int>>("list"), (std::vector<int>{1, 2}));
  EXPECT_TRUE(a.contains("s"));
  EXPECT_TRUE(a.is_populated());
  EXPECT_EQ(a.data_text(), R"({"n":3,"list":[1,2],"s":"x"})");
  EXPECT_EQ(stringify(std::as_const(a).data()), R"({"n":3,"list":[1,2],"s":"x"})");
  EXPECT_EQ(stringify(a.to_json()), R"({"cookie":)" + stringify(SessionCookie{}.to_json()) + R"(,"n":3,"list":[1,2],"s":"x"})");

  a["n"] = 4;
  a["list"].as_array().push_back(3);
  b.erase("s");
  b.set("t", true);
  EXPECT_EQ(a.data_text(), R"({"n":4,"list":[1,2,3],"s":"x"})");
  EXPECT_EQ(b.data_text(), R"({"n":3,"list":[1,2],"t":true})");
  EXPECT_EQ(snapshot->text, R"({"n":3,"list":[1,2],"s":"x"})");
  EXPECT_EQ(stringify(snapshot->data), snapshot->text);
  EXPECT_EQ(snapshot->use_count(), 1);  // both let go of it once they had their own
}

}  // namespace
}  // namespace cortado
