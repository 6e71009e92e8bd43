// stringify against JSON.stringify. Every expected text was printed by Node v20:
// JSON.stringify(x) for the value each test builds, and JSON.stringify(JSON.parse(text)) where a
// test round-trips text through parse_json (what res.json(req.body) does in Express).

#include "cortado/core/json.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>

namespace cortado {
namespace {

std::string number(double d) { return stringify(json::value(d)); }

TEST(Stringify, Numbers) {
  // JSON.stringify(n)
  EXPECT_EQ(number(0), "0");
  EXPECT_EQ(number(-0.0), "0");
  EXPECT_EQ(number(1), "1");
  EXPECT_EQ(number(-1), "-1");
  EXPECT_EQ(number(100), "100");
  EXPECT_EQ(number(1.5), "1.5");
  EXPECT_EQ(number(-123.456), "-123.456");
  EXPECT_EQ(number(4.35), "4.35");
  EXPECT_EQ(number(0.1), "0.1");
  EXPECT_EQ(number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(number(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(number(1e20), "100000000000000000000");
  EXPECT_EQ(number(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(number(12345678901234567890.0), "12345678901234567000");
  EXPECT_EQ(number(1e21), "1e+21");
  EXPECT_EQ(number(1.2e21), "1.2e+21");
  EXPECT_EQ(number(1e-6), "0.000001");
  EXPECT_EQ(number(0.000001234), "0.000001234");
  EXPECT_EQ(number(1e-7), "1e-7");
  EXPECT_EQ(number(5e-7), "5e-7");
  EXPECT_EQ(number(2.5e-7), "2.5e-7");
  EXPECT_EQ(number(-1.5e-10), "-1.5e-10");
  EXPECT_EQ(number(5e-324), "5e-324");
  EXPECT_EQ(number(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(number(4503599627370495.5), "4503599627370495.5");  // fractions up to 2^52 take the short path
  EXPECT_EQ(number(-2251799813685247.8), "-2251799813685247.8");
  EXPECT_EQ(number(0.0000015), "0.0000015");
  EXPECT_EQ(number(123.456789), "123.456789");
  EXPECT_EQ(number(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(number(9007199254740994.0), "9007199254740994");
  EXPECT_EQ(number(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(number(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(stringify(json::value(std::int64_t{42})), "42");
  EXPECT_EQ(stringify(json::value(std::int64_t{-1})), "-1");
}

TEST(Stringify, ParsedNumbersRoundTripAsJavaScriptNumbers) {
  // JSON.stringify(JSON.parse(text))
  EXPECT_EQ(stringify(parse_json("1.0")), "1");
  EXPECT_EQ(stringify(parse_json("1E2")), "100");
  EXPECT_EQ(stringify(parse_json("-0")), "0");
  EXPECT_EQ(stringify(parse_json("0.1e1")), "1");
  EXPECT_EQ(stringify(parse_json("123456789012345678901234567890")), "1.2345678901234568e+29");
}

TEST(Stringify, IntegersBeyondTwoToThe53AreDoublesInJavaScript) {
  // JSON.parse makes every number a double, so res.json(req.body) rounds these.
  EXPECT_EQ(stringify(parse_json("9007199254740993")), "9007199254740992");
  EXPECT_EQ(stringify(parse_json("9223372036854775807")), "9223372036854776000");
  EXPECT_EQ(stringify(parse_json("-9223372036854775808")), "-9223372036854776000");
  EXPECT_EQ(stringify(parse_json("18446744073709551615")), "18446744073709552000");
}

TEST(Stringify, Strings) {
  // JSON.stringify(s)
  EXPECT_EQ(stringify("plain"), "\"plain\"");
  EXPECT_EQ(stringify("quote \" and \\ backslash"), "\"quote \\\" and \\\\ backslash\"");
  EXPECT_EQ(stringify("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  // U+007F is not escaped; U+0000..U+001F without a short form are \u00xx, lowercase.
  EXPECT_EQ(stringify(json::string(std::string("\0\x01\x1f\x7f", 4))), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(stringify("\xE2\x80\xA8\xE2\x80\xA9"), "\"\xE2\x80\xA8\xE2\x80\xA9\"");  // U+2028 U+2029 as is
  EXPECT_EQ(stringify("</script>"), "\"</script>\"");                                // '/' not escaped
  EXPECT_EQ(stringify("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
  EXPECT_EQ(stringify("\xC2\xAD\xEF\xBB\xBF"), "\"\xC2\xAD\xEF\xBB\xBF\"");  // U+00AD U+FEFF as is
}

TEST(Stringify, NestedValuesKeepInsertionOrder) {
  // JSON.stringify({b: 1, a: [1, 'x', null, true, false, {}, []], c: {d: {e: 'f'}}})
  json::object o;
  o["b"] = 1;
  o["a"] = json::array{1, "x", nullptr, true, false, json::object{}, json::array{}};
  o["c"] = json::object{{"d", json::object{{"e", "f"}}}};
  EXPECT_EQ(stringify(o), R"({"b":1,"a":[1,"x",null,true,false,{},[]],"c":{"d":{"e":"f"}}})");
  // JSON.stringify({'k"ey\n': 'v'})
  EXPECT_EQ(stringify(json::object{{"k\"ey\n", "v"}}), R"({"k\"ey\n":"v"})");
  // JSON.stringify([[], {}, [[[]]], {"": ""}])
  EXPECT_EQ(stringify(json::array{json::array{}, json::object{}, json::array{json::array{json::array{}}},
                                  json::object{{"", ""}}}),
            R"([[],{},[[[]]],{"":""}])");
  // JSON.stringify(JSON.parse(' {"z" : [ 1 , 2 ] , "y" : { } } '))
  EXPECT_EQ(stringify(parse_json(R"( {"z" : [ 1 , 2 ] , "y" : { } } )")), R"({"z":[1,2],"y":{}})");
}

TEST(Stringify, ArrayIndexKeysComeFirstInAscendingOrder) {
  // const o = {}; for (const k of ['b','2','a','10','1','01','-1','4294967295','4294967294']) o[k] = k;
  // JSON.stringify(o): keys that are array indices (0 .. 2^32-2) come first, in numeric order.
  json::object o;
  for (const char* k : {"b", "2", "a", "10", "1", "01", "-1", "4294967295", "4294967294"}) o[k] = k;
  EXPECT_EQ(stringify(o), R"({"1":"1","2":"2","10":"10","4294967294":"4294967294","b":"b","a":"a","01":"01","-1":"-1",)"
                          R"("4294967295":"4294967295"})");
}

TEST(ParseJson, MalformedTextThrows) {
  // JSON.parse throws SyntaxError for each of these.
  for (const char* text : {"", "{", "[1,]", "{'a':1}", "tru", "01", "\"\\x\"", "1 2"})
    EXPECT_THROW(parse_json(text), std::invalid_argument) << text;
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

TEST(Json, DepthIsCountedAsTheParserCountsIt) {
  EXPECT_FALSE(nests_deeper_than(json::value(1), 0));
  EXPECT_TRUE(nests_deeper_than(parse_json("[]"), 0));
  EXPECT_FALSE(nests_deeper_than(parse_json("[]"), 1));
  EXPECT_FALSE(nests_deeper_than(parse_json(R"({"a":[{"b":1}],"c":2})"), 3));
  EXPECT_TRUE(nests_deeper_than(parse_json(R"({"a":[{"b":[]}],"c":2})"), 3));
  // What parse_json accepts at a depth is exactly what does not nest deeper than it.
  const std::string at_limit = std::string(10, '[') + std::string(10, ']');
  EXPECT_FALSE(nests_deeper_than(parse_json(at_limit, 10), 10));
  EXPECT_THROW(parse_json("[" + at_limit + "]", 10), std::invalid_argument);
  EXPECT_TRUE(nests_deeper_than(parse_json("[" + at_limit + "]", 11), 10));
}

}  // namespace
}  // namespace cortado
