// Session's typed values: get<T>() and set() over Boost.JSON's conversions, the errors of a value
// that does not fit, and set() counting as a change exactly as a change through operator[] does.
#include "cortado/session/session.hpp"

#include "cortado/app/request.hpp"
#include "cortado/session/memory_store.hpp"
#include "session/session_context.hpp"

#include <boost/describe/class.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shop {

// A type Boost.Describe describes: stored as {"sku":…,"quantity":…}.
struct Line {
  std::string sku;
  int quantity = 0;
};
BOOST_DESCRIBE_STRUCT(Line, (), (sku, quantity))

struct Cart {
  std::vector<Line> lines;
  std::optional<std::string> coupon;
};
BOOST_DESCRIBE_STRUCT(Cart, (), (lines, coupon))

// A type with its own tag_invoke: a temperature kept as {"celsius": n}.
struct Temperature {
  double celsius = 0;
};
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const Temperature& t) {
  v = {{"celsius", t.celsius}};
}
Temperature tag_invoke(boost::json::value_to_tag<Temperature>, const boost::json::value& v) {
  return {boost::json::value_to<double>(v.as_object().at("celsius"))};
}

}  // namespace shop

namespace cortado {
namespace {

// A session outside any request: the data calls need no middleware.
Session bare_session() { return Session(nullptr, "id", SessionCookie{}); }

std::string error_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const SessionValueError& e) {
    return e.what();
  }
  return "(no SessionValueError)";
}

TEST(SessionTypedValues, SetWritesWhatNodeWrites) {
  auto s = bare_session();
  s.set("views", 3);
  s.set("name", std::string("ana"));
  s.set("title", "Dr");
  s.set("tags", std::vector<std::string>{"a", "b"});
  s.set("scores", std::map<std::string, int>{{"x", 1}, {"y", 2}});
  s.set("cart", shop::Cart{.lines = {{"beans", 2}, {"jug", 1}}, .coupon = std::nullopt});
  s.set("weather", shop::Temperature{21.5});
  EXPECT_EQ(s.data_text(),
            R"({"views":3,"name":"ana","title":"Dr","tags":["a","b"],"scores":{"x":1,"y":2},)"
            R"("cart":{"lines":[{"sku":"beans","quantity":2},{"sku":"jug","quantity":1}],"coupon":null},)"
            R"("weather":{"celsius":21.5}})");
}

TEST(SessionTypedValues, GetReadsBack) {
  auto s = bare_session();
  s.set("cart", shop::Cart{.lines = {{"beans", 2}}, .coupon = "SPRING"});
  s.set("weather", shop::Temperature{-3});
  s["views"] = 7;  // however the value got there
  auto cart = s.get<shop::Cart>("cart");
  ASSERT_EQ(cart.lines.size(), 1u);
  EXPECT_EQ(cart.lines[0].sku, "beans");
  EXPECT_EQ(cart.lines[0].quantity, 2);
  EXPECT_EQ(cart.coupon, "SPRING");
  EXPECT_EQ(s.get<shop::Temperature>("weather").celsius, -3);
  EXPECT_EQ(s.get<int>("views"), 7);
  EXPECT_EQ(s.get<std::int64_t>("views"), 7);
  EXPECT_EQ(s.get<json::value>("views"), json::value(7));
}

TEST(SessionTypedValues, ReadsWhatNodeStored) {
  // A session Node saved: integers, a double, nested objects in Node's key order.
  auto s = bare_session();
  s.data() = parse_json(R"({"cart":{"lines":[{"sku":"glass","quantity":3}],"coupon":null},"ratio":0.5})").as_object();
  EXPECT_EQ(s.get<shop::Cart>("cart").lines.at(0).quantity, 3);
  EXPECT_FALSE(s.get<shop::Cart>("cart").coupon);
  EXPECT_EQ(s.get<double>("ratio"), 0.5);
}

TEST(SessionTypedValues, OptionalIsEmptyWhenAbsentOrNull) {
  auto s = bare_session();
  EXPECT_EQ(s.get<std::optional<int>>("views"), std::nullopt);
  s["views"] = nullptr;
  EXPECT_EQ(s.get<std::optional<int>>("views"), std::nullopt);
  s.set("views", 4);
  EXPECT_EQ(s.get<std::optional<int>>("views"), 4);
  EXPECT_FALSE(s.contains("other"));  // reading creates nothing
}

TEST(SessionTypedValues, AbsentKeyIsAnErrorNamingIt) {
  const auto s = bare_session();
  try {
    (void)s.get<shop::Cart>("cart");
    FAIL() << "no error for an absent key";
  } catch (const SessionValueError& e) {
    EXPECT_EQ(e.key(), "cart");
    EXPECT_EQ(e.status(), 500u);
    EXPECT_EQ(std::string(e.what()), R"(session value "cart" is absent (expected shop::Cart))");
  }
}

TEST(SessionTypedValues, ValueThatDoesNotFitIsAnErrorNamingWhat) {
  auto s = bare_session();
  s["cart"] = "not a cart";
  s["count"] = "7";
  s["lines"] = parse_json(R"([{"sku":"beans","quantity":2},{"sku":"jug","quantity":"two"}])");
  s["short"] = parse_json(R"({"sku":"beans"})");
  s["long"] = parse_json(R"({"sku":"beans","quantity":1,"gift":true})");
  s["scores"] = parse_json(R"({"x":1,"y":[2]})");
  s["nested"] = parse_json(R"({"lines":[{"sku":"beans","quantity":null}],"coupon":null})");
  s["weather"] = parse_json(R"({"fahrenheit":50})");
  auto error = [&]<class T>(std::string_view key, std::type_identity<T>) {
    return error_of([&] { (void)s.get<T>(key); });
  };
  EXPECT_EQ(error("cart", std::type_identity<shop::Cart>()),
            R"(session value "cart" does not fit shop::Cart: not an object (it holds a string))");
  EXPECT_EQ(error("count", std::type_identity<int>()),
            R"(session value "count" does not fit int: not a number (it holds a string))");
  EXPECT_EQ(error("lines", std::type_identity<std::vector<shop::Line>>()),
            R"(session value "lines" does not fit std::vector<shop::Line>: at [1].quantity, not a number (it holds a string))");
  EXPECT_EQ(error("short", std::type_identity<shop::Line>()),
            R"(session value "short" does not fit shop::Line: at .quantity, missing)");
  EXPECT_EQ(error("long", std::type_identity<shop::Line>()),
            R"(session value "long" does not fit shop::Line: at .gift, not a member of the type (it holds a boolean))");
  EXPECT_EQ(error("scores", std::type_identity<std::map<std::string, int>>()),
            R"(session value "scores" does not fit std::map<std::string, int>: at .y, not a number (it holds an array))");
  EXPECT_EQ(error("nested", std::type_identity<shop::Cart>()),
            R"(session value "nested" does not fit shop::Cart: at .lines[0].quantity, not a number (it holds null))");
  // A tag_invoke that throws: its own reason is what did not fit.
  EXPECT_EQ(error("weather", std::type_identity<shop::Temperature>()).rfind(
                R"(session value "weather" does not fit shop::Temperature: )", 0),
            0u);
  // The optional form still refuses a value of another type.
  EXPECT_EQ(error("cart", std::type_identity<std::optional<int>>()),
            R"(session value "cart" does not fit std::optional<int>: not a number (it holds a string))");
}

TEST(SessionTypedValues, NumbersConvertOnlyWhenExact) {
  auto s = bare_session();
  s["big"] = 1e20;
  s["half"] = 2.5;
  s["whole"] = 3.0;
  EXPECT_THROW((void)s.get<int>("big"), SessionValueError);
  EXPECT_THROW((void)s.get<int>("half"), SessionValueError);
  EXPECT_EQ(s.get<int>("whole"), 3);
  EXPECT_EQ(s.get<double>("half"), 2.5);
}

TEST(SessionTypedValues, TheErrorShowsTheKindNeverTheContent) {
  auto s = bare_session();
  s["token"] = "secret-value";
  auto message = error_of([&] { (void)s.get<int>("token"); });
  EXPECT_EQ(message.find("secret-value"), std::string::npos) << message;
}

// What decides whether the middleware saves: a set() to an equal value is no change, a set() to
// another value is one, as the same assignments through operator[] are.
class SessionChanges : public ::testing::Test {
 protected:
  SessionChanges() {
    SessionOptions options;
    options.secret = {"secret"};
    options.store = std::make_shared<MemoryStore>(MemoryStoreOptions{.prune_interval = std::chrono::milliseconds::zero()});
    config = std::make_shared<detail::SessionConfig>(std::move(options));
    ctx = std::make_shared<detail::SessionContext>(config, req);
    ctx->cookie_id = "id";
    ctx->inflate(parse_json(R"({"cookie":{},"cart":{"lines":[{"sku":"beans","quantity":2}],"coupon":null}})").as_object());
  }
  bool modified() { return ctx->is_modified(req.session(), ctx->data_text(req.session())); }

  http::RawRequest raw;
  http::Exchange exchange;
  Settings settings;
  Request req{raw, exchange, settings};
  std::shared_ptr<detail::SessionConfig> config;
  std::shared_ptr<detail::SessionContext> ctx;
};

TEST_F(SessionChanges, LoadedIsUnchanged) {
  EXPECT_FALSE(req.session().data_may_have_changed());
  EXPECT_FALSE(modified());
}

TEST_F(SessionChanges, SetOfAnEqualValueIsNoChange) {
  req.session().set("cart", shop::Cart{.lines = {{"beans", 2}}, .coupon = std::nullopt});
  EXPECT_TRUE(req.session().data_may_have_changed());
  EXPECT_FALSE(modified());
}

TEST_F(SessionChanges, SetOfAnotherValueIsAChange) {
  req.session().set("cart", shop::Cart{.lines = {{"beans", 3}}, .coupon = std::nullopt});
  EXPECT_TRUE(req.session().data_may_have_changed());
  EXPECT_TRUE(modified());
}

TEST_F(SessionChanges, SetOfANewKeyIsAChange) {
  req.session().set("views", 1);
  EXPECT_TRUE(modified());
}

TEST_F(SessionChanges, GetIsNoChange) {
  (void)std::as_const(req.session()).get<shop::Cart>("cart");
  EXPECT_FALSE(req.session().data_may_have_changed());
  EXPECT_FALSE(modified());
}

// A conversion that throws halfway leaves the session as it was.
struct Unwritable {};
void tag_invoke(boost::json::value_from_tag, boost::json::value&, const Unwritable&) {
  throw std::runtime_error("cannot be written");
}

TEST_F(SessionChanges, FailedSetChangesNothing) {
  EXPECT_THROW(req.session().set("cart", Unwritable{}), std::runtime_error);
  EXPECT_FALSE(req.session().data_may_have_changed());
  EXPECT_FALSE(modified());
}

}  // namespace
}  // namespace cortado
