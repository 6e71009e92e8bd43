// RoutePattern against Express 5's own matcher. Every expected value was printed by Node v20 from
// router@2.3.0's Layer (the class express@5.3.0 builds for app.get/app.use), which calls
// path-to-regexp@8.4.2's match() with {decode: decodeParam, end, sensitive, trailing: !strict} on
// the pattern after loosen() (trailing '/' removed unless strict):
//   new (require('router/lib/layer'))(pattern, {end, strict, sensitive}, fn).match(path)
// Routes use end: true; app.use uses end: false, strict: false. A `*splat` value is the array
// path-to-regexp returns, joined with '/'. The mount length is the router's trimPrefix: the
// matched text without its trailing '/', i.e. the length of req.baseUrl's new part.

#include "app/route_pattern.hpp"

#include "cortado/app/http_error.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cortado {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr MatchOptions route{.whole_path = true, .case_sensitive = false, .strict = false};
constexpr MatchOptions route_sensitive{.whole_path = true, .case_sensitive = true, .strict = false};
constexpr MatchOptions route_strict{.whole_path = true, .case_sensitive = false, .strict = true};
constexpr MatchOptions mount{.whole_path = false, .case_sensitive = false, .strict = false};

Pairs params_of(const RoutePattern::Match& m) {
  Pairs out;
  for (const auto& [name, value] : m.params) out.emplace_back(name, value);
  return out;
}

// Node gave a match with these params (in this order).
void expect_params(std::string_view pattern, MatchOptions options, std::string_view path, const Pairs& expected) {
  SCOPED_TRACE(std::string(pattern) + " on " + std::string(path));
  auto m = RoutePattern(pattern, options).match(path);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(params_of(*m), expected);
}

// Node's Layer.match returned false.
void expect_no_match(std::string_view pattern, MatchOptions options, std::string_view path) {
  EXPECT_FALSE(RoutePattern(pattern, options).match(path).has_value()) << pattern << " on " << path;
}

// A mount (app.use) matched: params, and how much of the path becomes req.baseUrl.
void expect_mount(std::string_view pattern, std::string_view path, const Pairs& expected, std::size_t length) {
  SCOPED_TRACE(std::string(pattern) + " on " + std::string(path));
  auto m = RoutePattern(pattern, mount).match(path);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(params_of(*m), expected);
  EXPECT_EQ(m->length, length);
}

TEST(RoutePattern, NamedParameters) {
  expect_params("/users/:id", route, "/users/42", {{"id", "42"}});
  expect_params("/users/:id", route, "/users/42/", {{"id", "42"}});
  expect_params("/users/:id", route, "/users/a+b", {{"id", "a+b"}});
  expect_params("/:id/*rest", route, "/1/2/3", {{"id", "1"}, {"rest", "2/3"}});
  expect_params("/:$x_1", route, "/v", {{"$x_1", "v"}});
  expect_no_match("/users/:id", route, "/users/");
  expect_no_match("/users/:id", route, "/users");
  expect_no_match("/users/:id", route, "/users/42/x");
  expect_no_match("/users/:id", route, "/users/42//");
}

TEST(RoutePattern, ParametersAreDecodedWithDecodeURIComponent) {
  expect_params("/users/:id", route, "/users/a%20b", {{"id", "a b"}});
  expect_params("/users/:id", route, "/users/%E2%82%AC", {{"id", "\xE2\x82\xAC"}});
  expect_params("/users/:id", route, "/users/%2F", {{"id", "/"}});
  expect_params("/users/:id", route, "/users/%41%42", {{"id", "AB"}});
  expect_params("/users/:id", route, "/users/%F0%9F%98%80", {{"id", "\xF0\x9F\x98\x80"}});
  expect_params("/:x", route, "/%2e%2E", {{"x", ".."}});
  expect_params("/:x", route, "/caf%C3%A9", {{"x", "caf\xC3\xA9"}});
}

TEST(RoutePattern, UndecodableParameterIsA400) {
  // decodeParam throws URIError with status 400 "Failed to decode param '<raw>'" for each of these.
  for (const char* path : {"/users/%zz", "/users/%", "/users/%E2%82", "/users/%C0%AF", "/users/%ED%A0%80",
                           "/users/%F4%90%80%80", "/users/%E0%80%80", "/users/%ff"}) {
    try {
      (void)RoutePattern("/users/:id", route).match(path);
      ADD_FAILURE() << path << " did not throw";
    } catch (const HttpError& e) {
      EXPECT_EQ(e.status(), 400u) << path;
    }
  }
  // A splat is decoded segment by segment: one bad segment fails the whole match.
  EXPECT_THROW((void)RoutePattern("/files/*rest", route).match("/files/ok/%zz"), HttpError);
}

TEST(RoutePattern, ParameterBeforeTextInTheSameSegmentIsGreedy) {
  // path-to-regexp 8 compiles "/:a-:b" to ^(?:\/([^\/]+)-([^\/-]+|-)): the first capture is greedy.
  expect_params("/:a-:b", route, "/x-y", {{"a", "x"}, {"b", "y"}});
  expect_params("/:a-:b", route, "/a-b-c", {{"a", "a-b"}, {"b", "c"}});
  expect_params("/:a-:b-:c", route, "/1-2-3-4", {{"a", "1-2"}, {"b", "3"}, {"c", "4"}});
  expect_params("/:file.:ext", route, "/archive.tar.gz", {{"file", "archive.tar"}, {"ext", "gz"}});
  expect_params("/:a.:b", route, "/a.b.c.d", {{"a", "a.b.c"}, {"b", "d"}});
  expect_params("/:file.:ext", route, "/a.b", {{"file", "a"}, {"ext", "b"}});
  expect_no_match("/:a-:b", route, "/x-");
  expect_no_match("/:a-:b", route, "/-y");
}

TEST(RoutePattern, OptionalGroups) {
  expect_params("/files{/:name}", route, "/files", {});
  expect_params("/files{/:name}", route, "/files/", {});
  expect_params("/files{/:name}", route, "/files/a", {{"name", "a"}});
  expect_no_match("/files{/:name}", route, "/files/a/b");
  expect_params("/book{s}", route, "/book", {});
  expect_params("/book{s}", route, "/books", {});
  expect_params("/book{s}", route, "/BOOKS", {});
  expect_no_match("/book{s}", route, "/bookss");
  expect_params("/a{/:b{/:c}}", route, "/a", {});
  expect_params("/a{/:b{/:c}}", route, "/a/1", {{"b", "1"}});
  expect_params("/a{/:b{/:c}}", route, "/a/1/2", {{"b", "1"}, {"c", "2"}});
  expect_no_match("/a{/:b{/:c}}", route, "/a/1/2/3");
  expect_params("/:a{-:b}", route, "/x", {{"a", "x"}});
  expect_params("/:a{-:b}", route, "/x-", {{"a", "x-"}});
  // A group that did not match leaves no parameter behind (Node: key absent).
  auto m = RoutePattern("/files{/:name}", route).match("/files");
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->params.contains("name"));
}

TEST(RoutePattern, OptionalGroupIsTriedWholeBeforeItIsLeftOut) {
  // path-to-regexp flattens the groups into alternatives, "with the group" first:
  // "/:a{-:b}" is ^(?:\/([^\/]+)-([^\/-]+|-)|\/([^\/]+)), so the first alternative wins when it can.
  expect_params("/:a{-:b}", route, "/x-y", {{"a", "x"}, {"b", "y"}});
  expect_params("/:a{-:b}", route, "/x-y-z", {{"a", "x-y"}, {"b", "z"}});
  expect_params("/:file{.:ext}", route, "/f.tar.gz", {{"file", "f.tar"}, {"ext", "gz"}});
  expect_params("/:file{.:ext}", route, "/f", {{"file", "f"}});
  expect_params("/*path{.:ext}", route, "/a/b.c.d", {{"path", "a/b.c"}, {"ext", "d"}});
  expect_params("/:a{-x}", route, "/q-x", {{"a", "q"}});
  expect_params("/:a{-x}", route, "/q-x-x", {{"a", "q-x"}});
}

TEST(RoutePattern, Splats) {
  expect_params("/files/*path", route, "/files/a/b/c", {{"path", "a/b/c"}});
  expect_params("/files/*path", route, "/files/a%20b/c%2Fd", {{"path", "a b/c/d"}});
  expect_params("/files/*path", route, "/files/a//b", {{"path", "a//b"}});
  expect_params("/files/*path", route, "/files/x/", {{"path", "x/"}});
  expect_params("/files/*rest", route, "/files/%E2%82%AC/x", {{"rest", "\xE2\x82\xAC/x"}});
  expect_no_match("/files/*path", route, "/files/");
  expect_no_match("/files/*path", route, "/files");
  expect_params("/*splat", route, "/a", {{"splat", "a"}});
  expect_params("/*splat", route, "/a/b/", {{"splat", "a/b/"}});
  expect_no_match("/*splat", route, "/");
  expect_params("/x*rest", route, "/xabc/def", {{"rest", "abc/def"}});
  expect_no_match("/x*rest", route, "/x");
  expect_params("/a/*rest/z", route, "/a/1/2/z", {{"rest", "1/2"}});
  expect_params("/a/*rest/z", route, "/a/1/z/z", {{"rest", "1/z"}});
  expect_no_match("/a/*rest/z", route, "/a/z");
}

TEST(RoutePattern, EscapesAndLiteralCharacters) {
  expect_params("/a\\:b", route, "/a:b", {});
  expect_no_match("/a\\:b", route, "/ab");
  expect_params("/a.b", route, "/a.b", {});
  expect_no_match("/a.b", route, "/axb");  // '.' is literal, not a regex wildcard
  expect_params("/:\"user id\"", route, "/bob", {{"user id", "bob"}});
}

TEST(RoutePattern, QuotedNameMayEscapeAQuote) {
  // path-to-regexp's parser skips over '\' inside a quoted name: :"a\"b" names the parameter a"b.
  expect_params("/:\"a\\\"b\"", route, "/v", {{"a\"b", "v"}});
}

TEST(RoutePattern, CaseSensitivity) {
  expect_params("/users/:id", route, "/USERS/42", {{"id", "42"}});
  expect_params("/Users", route_sensitive, "/Users", {});
  expect_no_match("/Users", route_sensitive, "/users");
  expect_params("/users/:id", route_sensitive, "/users/AbC", {{"id", "AbC"}});
  expect_no_match("/users/:id", route_sensitive, "/Users/1");
}

TEST(RoutePattern, TrailingSlashOfTheRequest) {
  expect_params("/", route, "/", {});
  expect_no_match("/", route, "/a");
  expect_params("/foo", route_strict, "/foo", {});
  expect_no_match("/foo", route_strict, "/foo/");
  expect_no_match("/foo/", route_strict, "/foo");
  expect_params("/foo/", route_strict, "/foo/", {});
  expect_params("/files/*path", route_strict, "/files/a/", {{"path", "a/"}});
  expect_no_match("/users/:id", route_strict, "/users/42/");
}

TEST(RoutePattern, TrailingSlashOfANonStrictRouteIsLoosened) {
  // router's loosen() strips the pattern's trailing slashes when strict is off: "/foo/" is "/foo".
  expect_params("/foo/", route, "/foo", {});
  expect_params("/foo/", route, "/foo/", {});
  expect_no_match("/foo/", route, "/foo//");
}

TEST(RoutePattern, MountPrefixes) {
  expect_mount("/api", "/api", {}, 4);
  expect_mount("/api", "/api/", {}, 4);
  expect_mount("/api", "/api/x", {}, 4);
  expect_mount("/api", "/API/x", {}, 4);
  expect_mount("/api", "/api//x", {}, 4);
  expect_mount("/api/", "/api/x", {}, 4);
  expect_mount("/api/", "/api", {}, 4);
  expect_mount("/api/:id", "/API/7/edit", {{"id", "7"}}, 6);
  expect_mount("/:lang", "/en/docs", {{"lang", "en"}}, 3);
  expect_mount("/:lang", "/en/", {{"lang", "en"}}, 3);
  expect_mount("/files/*p", "/files/a/b", {{"p", "a/b"}}, 10);
  expect_mount("/*splat", "/a/b", {{"splat", "a/b"}}, 4);
  expect_mount("/", "/", {}, 0);
  expect_mount("/", "/anything/at/all", {}, 0);
  expect_mount("/v{1}", "/v/x", {}, 2);
  expect_mount("/v{1}", "/v1/x", {}, 3);
  expect_no_match("/api", mount, "/apix");
  expect_no_match("/:lang", mount, "/");
  expect_no_match("/v{1}", mount, "/v12");
}

TEST(RoutePattern, MalformedPatternsThrowWhenDeclared) {
  // Each of these makes new Layer(...) throw path-to-regexp's PathError (a TypeError).
  for (const char* pattern :
       {"/:", "/*", "/(x)", "/a?", "/a+", "/a!", "/[a]", "/{a", "/a}", "/a\\", "/:\"abc", "/:1abc", "/user/:id?"}) {
    EXPECT_THROW(RoutePattern(pattern, route), std::invalid_argument) << pattern;
  }
  EXPECT_NO_THROW(RoutePattern("/a/{b}/c", route));
  EXPECT_NO_THROW(RoutePattern("/ok/:id", mount));
}

TEST(RoutePattern, ParametersWithoutTextBetweenThemThrow) {
  // PathError 'Missing text before "b" param' / '... "b" wildcard' (path-to-regexp 8.4).
  for (const char* pattern : {"/:a:b", "/*a*b", "/:a*b", "/{:a}:b"}) {
    EXPECT_THROW(RoutePattern(pattern, route), std::invalid_argument) << pattern;
  }
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

// A pattern of literal text alone is matched by one comparison (RoutePattern's literal path);
// the same pattern with an empty optional group "{}" in it has two alternatives and goes through the
// backtracking matcher. Both must agree for every path and every option.
TEST(RoutePatternLiteral, AgreesWithTheGeneralMatcher) {
  const std::vector<std::string> patterns = {"", "/", "/views", "/Views", "/a/b", "/a/b/", "/a.b", "/health", "/x\\:y"};
  const std::vector<std::string> paths = {"", "/", "/views", "/views/", "/VIEWS", "/views/x", "/viewsx", "/a/b",
                                          "/a/b/", "/a/b//", "/A/B", "/a/bc", "/a.b", "/a.b/c", "/health",
                                          "/x:y", "/x:y/", "//", "/view"};
  for (bool whole_path : {true, false}) {
    for (bool case_sensitive : {true, false}) {
      for (bool strict : {true, false}) {
        const MatchOptions options{.whole_path = whole_path, .case_sensitive = case_sensitive, .strict = strict};
        for (const auto& pattern : patterns) {
          if (!whole_path && (pattern.empty() || pattern == "/")) continue;  // use("/") matches every path first
          const RoutePattern literal(pattern, options);
          // "{}" after the first character: loosen() sees the same last character as in `pattern`.
          const std::string grouped = pattern.empty() ? "{}" : pattern.substr(0, 1) + "{}" + pattern.substr(1);
          const RoutePattern general(grouped, options);
          for (const auto& path : paths) {
            const auto a = literal.match(path);
            const auto b = general.match(path);
            ASSERT_EQ(a.has_value(), b.has_value())
                << "pattern \"" << pattern << "\" path \"" << path << "\" whole " << whole_path << " sensitive "
                << case_sensitive << " strict " << strict;
            if (a) {
              EXPECT_EQ(a->length, b->length) << pattern << " " << path;
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace cortado
