// parse_json reads flat objects of plain values (a session's data, mostly) without Boost.JSON's
// parser; every other text goes to it. Both readings must agree: each text here is also read by
// boost::json::parse, whose value (kind by kind) and errors parse_json must give back.
#include "cortado/core/json.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <boost/json/monotonic_resource.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace cortado {
namespace {

// Same kinds all the way down, and the same text (numbers of the same kind compare by value).
void expect_same(const json::value& got, const json::value& want, const std::string& text) {
  ASSERT_EQ(got.kind(), want.kind()) << text;
  EXPECT_EQ(got, want) << text;
  if (want.is_object()) {
    ASSERT_EQ(got.get_object().size(), want.get_object().size()) << text;
    auto g = got.get_object().begin();
    for (const auto& [key, value] : want.get_object()) {  // the same keys in the same order
      EXPECT_EQ(g->key(), key) << text;
      expect_same(g->value(), value, text);
      ++g;
    }
  }
}

const std::vector<std::string> flat_texts = {
    "{}",
    R"({"views":1})",
    R"({"views":0})",
    R"({"views":-7})",
    R"({"views":123456789012345678})",    // 18 digits
    R"({"views":-123456789012345678})",
    R"({"user":"ann","admin":true,"banned":false,"note":null})",
    R"({"a":"","b":" ~!#$%&'()*+,-./:;<=>?@[]^_`{|}"})",
    R"({"":1})",
    R"({"cart":"3 items","count":3,"n":-1})",
};

// Texts close to those, each of which the shortcut must leave to the parser.
const std::vector<std::string> other_texts = {
    R"({"views":1234567890123456789})",   // 19 digits: still an int64
    R"({"views":12345678901234567890})",  // past int64: uint64
    R"({"views":123456789012345678901})",  // past uint64: a double
    R"({"views":9999999999999999999})",    // 19 digits past int64: a uint64
    R"({"views":-9223372036854775809})",   // 19 digits below int64: a double
    R"({"views":-9223372036854775808})",   // the lowest int64
    R"({"views":-0})",
    R"({"views":1.5})",
    R"({"views":1e3})",
    R"({"views":1E3})",
    R"({"views":2.0})",
    R"({"a":1,"a":2})",  // a repeated key
    R"({"a":"\u00e9"})",
    R"({"a":"caf\u00e9","b":"\ud83d"})",
    "{\"a\":\"caf\xC3\xA9\"}",
    R"({"a":"x\"y"})",
    R"({"a":"tab\there"})",
    R"({ "a":1})",
    R"({"a" :1})",
    R"({"a":1 })",
    R"({"a":{"b":1}})",
    R"({"a":[1,2]})",
    R"([1,2])",
    R"("text")",
    "12",
    "true",
    "null",
    R"({"a":tru})",
    R"({"a":nul})",
    R"({"a":falsey})",
    R"({"a":01})",
    R"({"a":-})",
    R"({"a":1,})",
    R"({"a":1}x)",
    R"({"a":1}})",
    R"({"a":1)",
    R"({"a")",
    R"({"a":)",
    R"({)",
    R"({})",
    "{}x",
    "",
    R"({"a":"b)",
    R"({a:1})",
};

void expect_as_boost_reads(const std::string& text) {
  boost::system::error_code ec;
  json::value want = boost::json::parse(text, ec);
  if (ec) {
    EXPECT_THROW(parse_json(text), std::invalid_argument) << text;
    return;
  }
  expect_same(parse_json(text), want, text);
}

TEST(ParseJson, FlatObjectsAsBoostJsonReadsThem) {
  for (const auto& text : flat_texts) expect_as_boost_reads(text);
}

TEST(ParseJson, TextsNearTheFlatOnesAsBoostJsonReadsThem) {
  for (const auto& text : other_texts) {
    if (text.find("\\u") != std::string::npos || text.find('\xC3') != std::string::npos) continue;  // below
    if (text.find("123456789012345678901") != std::string::npos) continue;  // below
    expect_as_boost_reads(text);
  }
}

TEST(ParseJson, WhatTheShortcutLeavesKeepsItsOwnReading) {
  // Non-ASCII and \u escapes: decoded as JavaScript does (a lone surrogate kept), not as is.
  EXPECT_EQ(parse_json(R"({"a":"\u00e9"})").at("a").as_string(), "\xC3\xA9");
  EXPECT_EQ(parse_json("{\"a\":\"caf\xC3\xA9\"}").at("a").as_string(), "caf\xC3\xA9");
  EXPECT_EQ(parse_json(R"({"b":"\ud83d"})").at("b").as_string(), "\xED\xA0\xBD");
  // A repeated key: JSON.parse keeps the last value.
  EXPECT_EQ(parse_json(R"({"a":1,"a":2})").at("a"), json::value(2));
  EXPECT_TRUE(parse_json(R"({"v":123456789012345678901})").at("v").is_double());
  // A nesting limit of zero refuses even a flat object, as the parser does.
  EXPECT_THROW(parse_json(R"({"a":1})", 0), std::invalid_argument);
  EXPECT_NO_THROW(parse_json(R"({"a":1})", 1));
}

TEST(ParseJson, FlatObjectsLiveInTheStorageGiven) {
  boost::json::monotonic_resource memory;
  json::storage_ptr storage(&memory);
  json::value v = parse_json(R"({"user":"a name longer than the inline buffer","n":1})", 32, storage);
  EXPECT_EQ(v.storage().get(), storage.get());
  EXPECT_EQ(v.at("user").as_string().storage().get(), storage.get());
}

}  // namespace
}  // namespace cortado
