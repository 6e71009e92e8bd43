// The path and range rules behind serve_static and Response::send_file, without a server.
// Expected values come from Node (path.posix.normalize, send's checks), from range-parser's own
// test suite, and from RFC 9110 where noted.

#include "cortado/app/static_files.hpp"

// A private header: the unit test target does not have src/ on its include path.
#include "app/file_path.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace cortado::detail {
namespace {

namespace fs = std::filesystem;
using Kind = RangeRequest::Kind;

TEST(NormalizePath, MatchesNodePosixNormalize) {
  EXPECT_EQ(normalize_path("/foo/bar//baz/asdf/quux/.."), "/foo/bar/baz/asdf");  // Node's docs
  EXPECT_EQ(normalize_path("./a/../../b"), "../b");
  EXPECT_EQ(normalize_path("./a/./b/"), "a/b/");
  EXPECT_EQ(normalize_path(""), ".");
  EXPECT_EQ(normalize_path("./"), "./");
  EXPECT_EQ(normalize_path("/.."), "/");
  EXPECT_EQ(normalize_path("/../../x"), "/x");
  EXPECT_EQ(normalize_path("//a//b"), "/a/b");
}

TEST(ResolveRoot, IsAbsoluteWithoutTrailingSlash) {
  EXPECT_EQ(resolve_root("/srv/www/"), "/srv/www");
  EXPECT_EQ(resolve_root("/srv/./www/../pub"), "/srv/pub");
  EXPECT_EQ(resolve_root("/"), "/");
  EXPECT_EQ(resolve_root("public"), fs::current_path().string() + "/public");
}

TEST(HasUpSegment, OnlyWholeDotDotSegments) {
  for (const char* p : {"..", "../a", "a/..", "a/../b", "a\\..\\b", "..\\a", "/x/.."})
    EXPECT_TRUE(has_up_segment(p)) << p;
  for (const char* p : {"", ".", "...", "..a", "a..", "a/..b/c", "a/b..", ".../x"}) EXPECT_FALSE(has_up_segment(p)) << p;
}

TEST(ResolveFilePath, StaysUnderTheRoot) {
  const std::string root = "/srv/www";
  EXPECT_EQ(resolve_file_path("/index.html", root, false).path, "/srv/www/index.html");
  EXPECT_EQ(resolve_file_path("/a/../b.txt", root, false).path, "/srv/www/b.txt");
  EXPECT_EQ(resolve_file_path("a.txt", root, false).path, "/srv/www/a.txt");
  // An absolute path in the URL is still relative to the root.
  EXPECT_EQ(resolve_file_path("/etc/passwd", root, false).path, "/srv/www/etc/passwd");
  EXPECT_EQ(resolve_file_path("//etc/passwd", root, false).path, "/srv/www/etc/passwd");
  // A trailing slash is kept (it asks for the directory's index); "" is the root itself.
  EXPECT_EQ(resolve_file_path("/docs/", root, false).path, "/srv/www/docs/");
  EXPECT_EQ(resolve_file_path("/", root, false).path, "/srv/www/");
  auto whole = resolve_file_path("", root, false);
  EXPECT_EQ(whole.status, 0u);
  EXPECT_EQ(whole.path, "/srv/www");
}

TEST(ResolveFilePath, RefusesWhatSendRefuses) {
  const std::string root = "/srv/www";
  EXPECT_EQ(resolve_file_path("/../etc/passwd", root, false).status, 403u);
  EXPECT_EQ(resolve_file_path("/a/../../etc/passwd", root, false).status, 403u);
  EXPECT_EQ(resolve_file_path("/..", root, false).status, 403u);
  EXPECT_EQ(resolve_file_path("/..\\..\\etc\\passwd", root, false).status, 403u);
  EXPECT_EQ(resolve_file_path(std::string("/a\0.txt", 7), root, false).status, 400u);
  EXPECT_EQ(resolve_file_path(std::string("/a\0.txt", 7), root, true).status, 400u);
  EXPECT_EQ(resolve_file_path("/a/../b", root, false).status, 0u);
}

TEST(ResolveFilePath, Dotfiles) {
  const std::string root = "/srv/www";
  EXPECT_EQ(resolve_file_path("/.env", root, false).status, 404u);
  EXPECT_EQ(resolve_file_path("/.git/config", root, false).status, 404u);
  EXPECT_EQ(resolve_file_path("/a/./b", root, false).status, 0u);  // "." is no dotfile
  auto allowed = resolve_file_path("/.git/config", root, true);
  EXPECT_EQ(allowed.status, 0u);
  EXPECT_EQ(allowed.path, "/srv/www/.git/config");
  // Only the part under the root counts: a root inside a dot-folder is fine.
  EXPECT_EQ(resolve_file_path("/a.txt", "/home/me/.site", false).status, 0u);
}

TEST(ResolveFilePath, WithoutRoot) {
  EXPECT_EQ(resolve_file_path("/srv/www/a.txt", "", false).path, "/srv/www/a.txt");
  EXPECT_EQ(resolve_file_path("/srv/www/docs/", "", false).path, "/srv/www/docs");  // path.resolve
  // Any ".." is refused, even one that would stay inside.
  EXPECT_EQ(resolve_file_path("/srv/www/a/../b.txt", "", false).status, 403u);
  // Every part of the path counts, as in send without a root.
  EXPECT_EQ(resolve_file_path("/home/me/.config/x", "", false).status, 404u);
}

TEST(CollapseLeadingSlashes, KeepsRedirectsOnThisHost) {
  EXPECT_EQ(collapse_leading_slashes("//evil.example/"), "/evil.example/");
  EXPECT_EQ(collapse_leading_slashes("///a"), "/a");
  EXPECT_EQ(collapse_leading_slashes("/a//b/"), "/a//b/");
  EXPECT_EQ(collapse_leading_slashes(""), "");
}

TEST(HtmlDocument, IsSendsPage) {
  EXPECT_EQ(html_document("Error", "Not Found"),
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n"
            "</head>\n<body>\n<pre>Not Found</pre>\n</body>\n</html>\n");
}

RangeRequest ranges(std::uint64_t size, std::string_view header) { return parse_range(size, header); }
std::vector<ByteRange> list(std::initializer_list<ByteRange> r) { return r; }

TEST(ParseRange, SingleRanges) {
  EXPECT_EQ(ranges(1000, "bytes=0-499").ranges, list({{0, 499}}));
  EXPECT_EQ(ranges(1000, "bytes=40-80").ranges, list({{40, 80}}));
  EXPECT_EQ(ranges(1000, "bytes=-400").ranges, list({{600, 999}}));
  EXPECT_EQ(ranges(1000, "bytes=400-").ranges, list({{400, 999}}));
  EXPECT_EQ(ranges(1000, "bytes=0-0").ranges, list({{0, 0}}));
  EXPECT_EQ(ranges(1000, "bytes=-1").ranges, list({{999, 999}}));
  EXPECT_EQ(ranges(1000, "bytes=500-20000").ranges, list({{500, 999}}));  // the end is capped
  EXPECT_EQ(ranges(1000, "   bytes=1-2").ranges, list({{1, 2}}));        // send's /^ *bytes=/
  EXPECT_EQ(ranges(1000, "bytes= 1 - 2 ").ranges, list({{1, 2}}));
  EXPECT_EQ(ranges(1000, "bytes=0-99999999999999999999999").ranges, list({{0, 999}}));
  EXPECT_EQ(ranges(1000, "bytes=0-499").kind, Kind::ranges);
}

TEST(ParseRange, SuffixLongerThanTheFileSelectsAllOfIt) {
  // RFC 9110 §14.1.2 (range-parser 1.2.1 calls this unsatisfiable).
  EXPECT_EQ(ranges(100, "bytes=-500").ranges, list({{0, 99}}));
}

TEST(ParseRange, Unsatisfiable) {
  EXPECT_EQ(ranges(200, "bytes=500-20000").kind, Kind::unsatisfiable);
  EXPECT_EQ(ranges(200, "bytes=500-999,1000-1499").kind, Kind::unsatisfiable);
  EXPECT_EQ(ranges(200, "bytes=200-").kind, Kind::unsatisfiable);
  EXPECT_EQ(ranges(200, "bytes=5-4").kind, Kind::unsatisfiable);
  EXPECT_EQ(ranges(1000, "bytes=-0").kind, Kind::unsatisfiable);  // an empty suffix
  EXPECT_EQ(ranges(0, "bytes=0-").kind, Kind::unsatisfiable);
  EXPECT_EQ(ranges(1000, "bytes=99999999999999999999-").kind, Kind::unsatisfiable);
}

TEST(ParseRange, MalformedOrOtherUnitsAreIgnored) {
  for (const char* h : {"", "bytes", "bytes=", "bytes=abc", "bytes=1-x", "bytes=x-1", "bytes=-", "bytes=+1-2",
                        "items=0-5", "bytes 0-5"})
    EXPECT_EQ(ranges(1000, h).kind, Kind::ignored) << h;
  // One malformed part does not spoil the rest.
  EXPECT_EQ(ranges(1000, "bytes=abc,0-9").ranges, list({{0, 9}}));
}

TEST(ParseRange, CombinesLikeRangeParser) {
  EXPECT_EQ(ranges(1000, "bytes=0-10,20-30").ranges, list({{0, 10}, {20, 30}}));
  EXPECT_EQ(ranges(1000, "bytes=0-1,2-4").ranges, list({{0, 4}}));  // adjacent
  // range-parser's "should combine overlapping ranges" and "should retain original order".
  EXPECT_EQ(ranges(150, "bytes=0-4,90-99,5-75,100-199,101-102").ranges, list({{0, 75}, {90, 149}}));
  EXPECT_EQ(ranges(150, "bytes=-1,20-100,0-1,101-120").ranges, list({{149, 149}, {20, 120}, {0, 1}}));
}

class StaysWithin : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/cortado-stays-within-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    base_ = pattern;
    root_ = base_ / "root";
    fs::create_directories(root_ / "sub");
    fs::create_directories(base_ / "root-private");
    std::ofstream(root_ / "in.txt") << "in";
    std::ofstream(root_ / "sub" / "deep.txt") << "deep";
    std::ofstream(base_ / "outside.txt") << "out";
    std::ofstream(base_ / "root-private" / "x.txt") << "x";
    fs::create_symlink("in.txt", root_ / "link_in");
    fs::create_symlink("../outside.txt", root_ / "link_out");
    fs::create_symlink("..", root_ / "link_up");
    fs::create_symlink("../root-private/x.txt", root_ / "link_sibling");
  }
  void TearDown() override { fs::remove_all(base_); }

  bool within(const fs::path& p) { return stays_within(p.string(), root_.string()); }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaysWithin, FilesAndLinksInside) {
  EXPECT_TRUE(within(root_ / "in.txt"));
  EXPECT_TRUE(within(root_ / "sub" / "deep.txt"));
  EXPECT_TRUE(within(root_ / "link_in"));
  EXPECT_TRUE(within(root_));
}

TEST_F(StaysWithin, LinksLeadingOut) {
  EXPECT_FALSE(within(root_ / "link_out"));
  EXPECT_FALSE(within(root_ / "link_up" / "outside.txt"));
  // A sibling whose name starts like the root is still outside it.
  EXPECT_FALSE(within(root_ / "link_sibling"));
  EXPECT_FALSE(within(root_ / "missing.txt"));
}

}  // namespace
}  // namespace cortado::detail
