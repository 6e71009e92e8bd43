// The negotiation rules of src/app/negotiator.cpp, with the examples of negotiator's and
// accepts' READMEs and the corners the side-by-side test (tests/compat/negotiation_*) also sends.

#include "app/negotiator.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace cortado::negotiation {
namespace {

using List = std::vector<std::string>;

TEST(Negotiator, ParsesItemsWithQuotedCommasAndFirstParameterWins) {
  auto items = parse_list(R"(text/html;charset="utf,8";q=0.8;q=0.1, */*;Q=0.9,,x)");
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].value, "text/html");
  EXPECT_EQ(*items[0].param("charset"), "utf,8");
  EXPECT_EQ(*items[0].param("q"), "0.8");
  EXPECT_EQ(*items[1].param("q"), "0.9");  // names are lower-cased
  EXPECT_EQ(items[2].value, "");           // an empty item keeps its place
  EXPECT_EQ(items[3].value, "x");
}

TEST(Negotiator, ParseFloatReadsAsJavaScriptDoes) {
  EXPECT_EQ(parse_float("0.5abc"), 0.5);
  EXPECT_EQ(parse_float(".2"), 0.2);
  EXPECT_EQ(parse_float("1.0e-1"), 0.1);
  EXPECT_EQ(parse_float("0x10"), 0);  // parseFloat stops at the x
  EXPECT_TRUE(std::isnan(parse_float("abc")));
  EXPECT_TRUE(std::isnan(parse_float("inf")));
  EXPECT_TRUE(std::isinf(parse_float("Infinity")));
}

TEST(Negotiator, MediaTypesRankByQualityThenSpecificityThenOrder) {
  std::string_view accept = "text/html, application/*;q=0.2, image/jpeg;q=0.8";
  EXPECT_EQ(media_types(accept), (List{"text/html", "image/jpeg", "application/*"}));
  List offers = {"text/html", "text/plain", "application/json"};
  EXPECT_EQ(media_types(accept, &offers), (List{"text/html", "application/json"}));
  // q=0 rules a type out even when a wildcard would take it.
  List json = {"application/json"};
  EXPECT_TRUE(media_types("application/*, application/json;q=0", &json).empty());
  // No header means */*; an empty one accepts nothing.
  EXPECT_EQ(media_types(std::nullopt, &json), json);
  EXPECT_TRUE(media_types("", &json).empty());
}

TEST(Negotiator, BestTypeMapsNamesAndKeepsThemAsGiven) {
  EXPECT_EQ(best_type("application/json;q=0.5, text/html", {"json", "html"}), "html");
  EXPECT_EQ(best_type("text/*", {"json", "txt"}), "txt");
  EXPECT_EQ(best_type("image/png", {"json", "html"}), std::nullopt);
  EXPECT_EQ(best_type(std::nullopt, {"json", "html"}), "json");  // no Accept: the first
  EXPECT_EQ(best_type("*/*", {"nope", "json"}), "json");         // unknown names are skipped
}

TEST(Negotiator, LanguagesMatchPrefixes) {
  List offers = {"en", "fr"};
  EXPECT_EQ(languages("en-US, fr;q=0.5", &offers), (List{"en", "fr"}));
  EXPECT_EQ(languages("en-gb;q=0.8, EN"), (List{"EN", "en-gb"}));
}

TEST(Negotiator, EncodingsAddIdentityAndHonourPreference) {
  EXPECT_EQ(encodings("gzip, deflate"), (List{"gzip", "deflate", "identity"}));
  List offers = {"br", "gzip", "deflate", "identity"};
  List preferred = {"br", "gzip"};
  EXPECT_EQ(encodings("deflate, gzip", &offers, &preferred).front(), "gzip");
  EXPECT_EQ(encodings("identity;q=0", &offers), List{});
  // negotiator 0.6 (the compression package's) reads only a lower-case q.
  EXPECT_EQ(encodings_0_6("gzip;Q=0, br;q=0.1", offers, preferred).front(), "gzip");
  EXPECT_EQ(encodings("gzip;Q=0, br;q=0.1", &offers, &preferred).front(), "br");
}

}  // namespace
}  // namespace cortado::negotiation
