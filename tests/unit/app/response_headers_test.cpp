// Content-Disposition as the content-disposition package (2.x) writes it, and Range headers as
// range-parser (1.3) reads them: the texts below are what those packages return.
#include "cortado/app/content_disposition.hpp"
#include "cortado/app/range.hpp"

#include <gtest/gtest.h>

namespace cortado {
namespace {

TEST(ContentDisposition, WritesAsciiNamesPlainOrQuoted) {
  EXPECT_EQ(content_disposition(), "attachment");
  EXPECT_EQ(content_disposition("plain.txt"), "attachment; filename=plain.txt");
  EXPECT_EQ(content_disposition("with space.txt"), "attachment; filename=\"with space.txt\"");
  EXPECT_EQ(content_disposition("say \"hi\"\\.txt"), "attachment; filename=\"say \\\"hi\\\"\\\\.txt\"");
  EXPECT_EQ(content_disposition("/var/files/report.pdf"), "attachment; filename=report.pdf");
  EXPECT_EQ(content_disposition("page.html", "inline"), "inline; filename=page.html");
  EXPECT_EQ(content_disposition(""), "attachment; filename=\"\"");
}

TEST(ContentDisposition, AddsAnExtendedNameForOthers) {
  EXPECT_EQ(content_disposition("naïve résumé €.txt"),
            "attachment; filename=\"na?ve r?sum? ?.txt\"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9%20%E2%82%AC.txt");
  EXPECT_EQ(content_disposition("😀.png"), "attachment; filename=\"??.png\"; filename*=UTF-8''%F0%9F%98%80.png");
  EXPECT_EQ(content_disposition("100%41 (x)'*.txt"),
            "attachment; filename=\"100%41 (x)'*.txt\"; filename*=UTF-8''100%2541%20%28x%29%27%2A.txt");
}

TEST(Range, ParsesAsRangeParser) {
  auto r = parse_range(1000, "bytes=0-9, 500-, -20");
  EXPECT_EQ(r.result, 0);
  EXPECT_EQ(r.type, "bytes");
  EXPECT_EQ(r.ranges, (std::vector<ByteRanges::Range>{{0, 9}, {500, 999}, {980, 999}}));
  EXPECT_EQ(parse_range(100, "bytes=50-5000").ranges, (std::vector<ByteRanges::Range>{{50, 99}}));
  EXPECT_EQ(parse_range(100, "bytes=200-300").result, -1);
  EXPECT_EQ(parse_range(100, "bytes=5-1").result, -1);
  EXPECT_EQ(parse_range(0, "bytes=0-").result, -1);
  EXPECT_EQ(parse_range(100, "bytes").result, -2);
  EXPECT_EQ(parse_range(100, "bytes=abc").result, -2);
  EXPECT_EQ(parse_range(100, "bytes=1-x").result, -2);
  EXPECT_EQ(parse_range(100, "bytes=-").result, -2);
}

TEST(Range, CombinesOverlappingAndAdjacentRangesInTheOrderAsked) {
  auto r = parse_range(1000, "bytes=500-600,0-10,11-20,550-700,990-", true);
  EXPECT_EQ(r.ranges, (std::vector<ByteRanges::Range>{{500, 700}, {0, 20}, {990, 999}}));
}

}  // namespace
}  // namespace cortado
