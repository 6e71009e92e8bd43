// Inputs the fuzz targets found in the app layer (fuzz/regressions/<target>/ holds them as found).
#include "cortado/app/app.hpp"
#include "cortado/app/body_parser.hpp"
#include "cortado/core/json.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "app/route_pattern.hpp"

#include "../session/run_task.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace cortado {
namespace {

// fuzz/route_pattern_fuzz.cpp: four wildcards against 300 dashes backtracked for 30 s (time grew
// as the fourth power of the path). Failed (token, position) pairs are now remembered; with 2000
// dashes the old matcher would not finish at all.
TEST(AppFuzzRegressions, WildcardsDoNotBacktrackExponentially) {
  RoutePattern pattern("/*a-*b-*c-*d-z", MatchOptions{});
  std::string path = "/" + std::string(2000, '-');
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(pattern.match(path));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

// Remembering failures changes no result: still the first match in the regexp's order.
TEST(AppFuzzRegressions, RememberedFailuresKeepTheGreedyMatch) {
  RoutePattern pattern("/*a-*b-z", MatchOptions{});
  auto m = pattern.match("/p-q-r-s-z");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->params["a"], "p-q-r");
  EXPECT_EQ(m->params["b"], "s");
  RoutePattern params("/:x-:y/*rest.txt", MatchOptions{});
  auto n = params.match("/a-b-c/d.txt/e.txt");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->params["x"], "a-b");
  EXPECT_EQ(n->params["y"], "c");
  EXPECT_EQ(n->params["rest"], "d.txt/e");
}

std::string form_body_of(std::string_view body, std::string_view content_type) {
  App app;
  app.use(body_parser::urlencoded());
  app.use(body_parser::text());
  app.use([](Request& req, Response& res) { res.json(req.body()); });
  http::RawRequest req{boost::beast::http::verb::post, "/", 11};
  req.set(boost::beast::http::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();
  http::RawResponse res;
  http::Exchange exchange;
  testing::run_task(app.handle(req, res, exchange));
  return res.body();
}

// fuzz/urlencoded_body_fuzz.cpp: a raw byte that is not UTF-8 came through into req.body(), and
// res.json() wrote text that is not UTF-8. Node decodes the body first: it becomes U+FFFD.
TEST(AppFuzzRegressions, FormBytesThatAreNotUtf8BecomeReplacementCharacters) {
  EXPECT_EQ(form_body_of("\x98=a\xff", "application/x-www-form-urlencoded"), "{\"\xEF\xBF\xBD\":\"a\xEF\xBF\xBD\"}");
  EXPECT_EQ(form_body_of("k=%E2%82%AC&bad=%FF", "application/x-www-form-urlencoded"),
            "{\"k\":\"\xE2\x82\xAC\",\"bad\":\"%FF\"}");
  // ISO-8859-1 bytes are all characters.
  EXPECT_EQ(form_body_of("k=\xe9", "application/x-www-form-urlencoded; charset=iso-8859-1"), "{\"k\":\"\xC3\xA9\"}");
  // text() reads its UTF-8 body the same way.
  EXPECT_EQ(form_body_of("a\x98", "text/plain"), "\"a\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace cortado
