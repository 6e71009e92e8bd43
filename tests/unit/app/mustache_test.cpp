// The Mustache engine against the official spec (tests/fixtures/mustache-spec, MIT, from
// github.com/mustache/spec) and against what mustache.js writes where the two differ.
#include "cortado/app/mustache.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <source_location>
#include <sstream>

using namespace cortado;

namespace {

std::filesystem::path spec_dir() {
  return std::filesystem::path(std::source_location::current().file_name()).parent_path() / "../../fixtures/mustache-spec";
}

json::value read_spec(const std::string& name) {
  std::ifstream in(spec_dir() / (name + ".json"));
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// mustache.js 4.2 renders this one case differently from the spec (it looks `b.c` up in the
// parent context when the nearest `b` has no `c`); cortado writes what mustache.js writes.
const std::map<std::string, std::string> mustache_js_differs = {
    {"Dotted Names - Context Precedence", "ERROR"},
};

class Spec : public testing::TestWithParam<std::string> {};

TEST_P(Spec, RendersEveryCaseAsSpecified) {
  auto spec = read_spec(GetParam());
  const auto& tests = spec.at("tests").as_array();
  ASSERT_FALSE(tests.empty());
  for (const auto& t : tests) {
    std::string name(t.at("name").as_string());
    json::object partials;
    if (auto* p = t.as_object().if_contains("partials")) partials = p->as_object();
    std::string expected(t.at("expected").as_string());
    if (auto it = mustache_js_differs.find(name); it != mustache_js_differs.end()) expected = it->second;
    std::string got;
    try {
      got = mustache::render(std::string(t.at("template").as_string()), t.at("data"), partials);
    } catch (const std::exception& e) {
      got = std::string("threw: ") + e.what();
    }
    EXPECT_EQ(got, expected) << GetParam() << ": " << name << "\n  template: " << t.at("template");
    // An object context also renders as the root object itself (what the views use).
    if (t.at("data").is_object() && got.rfind("threw", 0) != 0) {
      std::deque<mustache::Template> parsed;
      mustache::Partials find = [&](std::string_view n) -> const mustache::Template* {
        auto* p = partials.if_contains(n);
        return p ? &parsed.emplace_back(std::string(p->as_string())) : nullptr;
      };
      mustache::Template tpl(std::string(t.at("template").as_string()));
      EXPECT_EQ(tpl.render(t.at("data").as_object(), find), expected) << GetParam() << " (object root): " << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Mustache, Spec,
                         testing::Values("comments", "delimiters", "interpolation", "inverted", "partials", "sections"));

TEST(Mustache, EscapesAsMustacheJs) {
  EXPECT_EQ(mustache::escape_html(R"(&<>"'/`= é)"), "&amp;&lt;&gt;&quot;&#39;&#x2F;&#x60;&#x3D; é");
  EXPECT_EQ(mustache::render("{{x}}|{{{x}}}|{{&x}}", json::object{{"x", "a/b=c"}}), "a&#x2F;b&#x3D;c|a/b=c|a/b=c");
}

TEST(Mustache, WritesValuesAsJavaScriptsString) {
  json::value data = json::parse(R"({"n":1.5,"big":1e21,"neg":-0.0000001,"t":true,"f":false,"nil":null,
    "arr":[1,"a",null,[2,3]],"obj":{"k":1},"s":"héllo","zero":0,"empty":"","none":[]})");
  EXPECT_EQ(mustache::render("{{n}} {{big}} {{neg}} {{t}} {{f}} [{{nil}}] {{arr}} {{obj}}", data),
            "1.5 1e+21 -1e-7 true false [] 1,a,,2,3 [object Object]");
  // Lengths and indices of arrays and strings, as a JavaScript property lookup finds them.
  EXPECT_EQ(mustache::render("{{arr.length}} {{arr.1}} {{s.length}} {{s.1}} {{arr.01}}", data), "4 a 5 é ");
  // Falsy: false, null, 0, "", and (for inverted sections) an empty array.
  EXPECT_EQ(mustache::render("{{#zero}}x{{/zero}}{{^zero}}0{{/zero}}{{^empty}}e{{/empty}}{{#none}}n{{/none}}{{^none}}N{{/none}}", data),
            "0eN");
  EXPECT_EQ(mustache::render("{{#s}}[{{.}}]{{/s}}{{#n}}<{{.}}>{{/n}}{{#obj}}{{k}}{{/obj}}", data), "[héllo]<1.5>1");
}

TEST(Mustache, ReportsBrokenTemplatesAsMustacheJs) {
  auto error = [](std::string_view src) {
    try {
      mustache::Template t{std::string(src)};
    } catch (const mustache::TemplateError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("ab {{name"), "Unclosed tag at 9");
  EXPECT_EQ(error("é{{#a}}x"), "Unclosed section \"a\" at 8");
  EXPECT_EQ(error("x{{/a}}"), "Unopened section \"a\" at 1");
  EXPECT_EQ(error("{{#a}}{{/b}}"), "Unclosed section \"a\" at 6");
  EXPECT_EQ(error("{{=<%=}}"), "Invalid tags: <%");
}

TEST(Mustache, ListsEveryPartialItRefersTo) {
  mustache::Template t("{{> header}}{{#a}}{{> row}}{{^b}}{{>footer}}{{/b}}{{/a}}{{> header}}");
  EXPECT_EQ(t.partial_names(), (std::vector<std::string>{"header", "row", "footer"}));
}

TEST(Mustache, StopsAPartialThatIncludesItselfForever) {
  EXPECT_THROW(mustache::render("{{> self}}", json::object{}, json::object{{"self", "x{{> self}}"}}),
               mustache::TemplateError);
}

}  // namespace
