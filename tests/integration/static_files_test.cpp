// serve_static and Response::send_file over real sockets, on real files in a temporary folder.
// Expected values are what Node's send 1.x / serve-static 2.x answer (headers, statuses, the
// redirect), RFC 9110 for ranges, and the stat of the files the test itself wrote.

#include "cortado/app/app.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/app/static_files.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cortado {
namespace {

namespace fs = std::filesystem;
using test::HeaderList;

const std::string hello = "Hello, world!\n";  // 14 bytes
// hello.txt's mtime: 1700000000.123 s, so Last-Modified and the ETag are known in advance.
const std::string hello_modified = "Tue, 14 Nov 2023 22:13:20 GMT";
const std::string hello_etag = "W/\"e-18bcfe5687b\"";  // size 0xe, mtime 1700000000123 ms in hex
const std::string secret = "TOP SECRET";

void write(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/cortado-static-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    base_ = pattern;
    root_ = base_ / "public";
    write(root_ / "hello.txt", hello);
    struct timespec times[2] = {{1700000000, 123000000}, {1700000000, 123000000}};
    ASSERT_EQ(utimensat(AT_FDCWD, (root_ / "hello.txt").c_str(), times, 0), 0);
    write(root_ / "page.html", "<p>page</p>");
    write(root_ / "data.json", "{}");
    write(root_ / "pixel.png", "\x89PNG");
    write(root_ / "blob.unknownext", "?");
    write(root_ / "index.html", "root index");
    write(root_ / "sub" / "index.html", "<h1>sub</h1>");
    fs::create_directories(root_ / "empty");
    write(root_ / ".hidden", "dot");
    write(root_ / ".git" / "config", "[core]");
    write(root_ / "evil.com" / "index.html", "not evil");
    write(base_ / "outside" / "secret.txt", secret);
    write(base_ / "public-private" / "secret.txt", secret);
    fs::create_symlink("hello.txt", root_ / "link_in.txt");
    fs::create_symlink("../outside/secret.txt", root_ / "link_out.txt");
    fs::create_symlink("../outside", root_ / "link_dir");
    fs::create_symlink("../public-private/secret.txt", root_ / "link_sibling.txt");
    // Sparse: 65 MiB of size without 65 MiB on disk.
    write(root_ / "big.bin", "");
    fs::resize_file(root_ / "big.bin", 65ull << 20);
  }
  void TearDown() override { fs::remove_all(base_); }

  // serve_static at `mount`, then a handler that tells whether the request fell through.
  // Named, not a defaulted `= {}`: GCC 12 misreads that one as possibly uninitialized.
  std::unique_ptr<test::TestServer> serve() {
    StaticOptions defaults;
    return serve(defaults);
  }
  std::unique_ptr<test::TestServer> serve(StaticOptions options, std::string mount = "/") {
    return std::make_unique<test::TestServer>([&](App& app) {
      app.use(mount, serve_static(root_.string(), options));
      app.use([](Request& req, Response& res) { res.send("next " + std::string(req.method()) + " " + req.path()); });
    });
  }
  static StaticOptions strict() {
    StaticOptions o;
    o.fall_through = false;
    return o;
  }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFiles, ServesAFileWithSendsHeaders) {
  auto server = serve();
  auto res = test::get(server->port(), "/hello.txt");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, hello);
  EXPECT_EQ(res.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.header("content-length"), "14");
  EXPECT_EQ(res.header("accept-ranges"), "bytes");
  EXPECT_EQ(res.header("cache-control"), "public, max-age=0");
  EXPECT_EQ(res.header("etag"), hello_etag);
  EXPECT_EQ(res.header("last-modified"), hello_modified);
}

TEST_F(StaticFiles, ContentTypeFromTheExtension) {
  auto server = serve();
  EXPECT_EQ(test::get(server->port(), "/page.html").header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(test::get(server->port(), "/data.json").header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(test::get(server->port(), "/pixel.png").header("content-type"), "image/png");
  EXPECT_EQ(test::get(server->port(), "/blob.unknownext").header("content-type"), "application/octet-stream");
}

TEST_F(StaticFiles, HeadHasTheHeadersOfGetWithoutBody) {
  auto server = serve();
  auto res = test::request(server->port(), "HEAD", "/hello.txt");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("content-length"), "14");
  EXPECT_EQ(res.header("etag"), hello_etag);
  EXPECT_EQ(res.body, "");
}

TEST_F(StaticFiles, ConditionalGet) {
  auto server = serve();
  auto by_etag = test::get(server->port(), "/hello.txt", {{"If-None-Match", hello_etag}});
  EXPECT_EQ(by_etag.status, 304);
  EXPECT_EQ(by_etag.body, "");
  EXPECT_FALSE(by_etag.has_header("content-type"));
  EXPECT_EQ(by_etag.header("etag"), hello_etag);
  EXPECT_EQ(test::get(server->port(), "/hello.txt", {{"If-None-Match", "W/\"other\""}}).status, 200);
  EXPECT_EQ(test::get(server->port(), "/hello.txt", {{"If-Modified-Since", hello_modified}}).status, 304);
  EXPECT_EQ(test::get(server->port(), "/hello.txt", {{"If-Modified-Since", "Sat, 22 Jul 2023 04:26:40 GMT"}}).status,
            200);
}

TEST_F(StaticFiles, FailedPreconditionIs412EvenWithFallThrough) {
  auto server = serve();
  EXPECT_EQ(test::get(server->port(), "/hello.txt", {{"If-Match", "\"other\""}}).status, 412);
  EXPECT_EQ(test::get(server->port(), "/hello.txt", {{"If-Match", hello_etag}}).status, 200);
  EXPECT_EQ(test::get(server->port(), "/hello.txt", {{"If-Unmodified-Since", "Sat, 22 Jul 2023 04:26:40 GMT"}}).status,
            412);
}

TEST_F(StaticFiles, SingleRanges) {
  auto server = serve();
  auto first = test::get(server->port(), "/hello.txt", {{"Range", "bytes=0-4"}});
  EXPECT_EQ(first.status, 206);
  EXPECT_EQ(first.body, "Hello");
  EXPECT_EQ(first.header("content-range"), "bytes 0-4/14");
  EXPECT_EQ(first.header("content-length"), "5");
  auto suffix = test::get(server->port(), "/hello.txt", {{"Range", "bytes=-6"}});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.body, "orld!\n");
  EXPECT_EQ(suffix.header("content-range"), "bytes 8-13/14");
  // Adjacent ranges combine into one.
  auto joined = test::get(server->port(), "/hello.txt", {{"Range", "bytes=0-1,2-4"}});
  EXPECT_EQ(joined.status, 206);
  EXPECT_EQ(joined.header("content-range"), "bytes 0-4/14");
  auto head = test::request(server->port(), "HEAD", "/hello.txt", {{"Range", "bytes=7-11"}});
  EXPECT_EQ(head.status, 206);
  EXPECT_EQ(head.header("content-length"), "5");
}

TEST_F(StaticFiles, UnsatisfiableRangeIs416WithTheSize) {
  auto server = serve();
  auto res = test::get(server->port(), "/hello.txt", {{"Range", "bytes=100-200"}});
  EXPECT_EQ(res.status, 416);
  EXPECT_EQ(res.header("content-range"), "bytes */14");
  EXPECT_EQ(res.body.find(hello), std::string::npos);
}

TEST_F(StaticFiles, SeveralOrMalformedRangesGetTheWholeFile) {
  auto server = serve();
  for (const char* range : {"bytes=0-1,5-6", "bytes=x-y", "items=0-1"}) {
    auto res = test::get(server->port(), "/hello.txt", {{"Range", range}});
    EXPECT_EQ(res.status, 200) << range;
    EXPECT_EQ(res.body, hello) << range;
    EXPECT_FALSE(res.has_header("content-range")) << range;
  }
}

TEST_F(StaticFiles, IfRange) {
  auto server = serve();
  auto range = [&](std::string if_range) {
    return test::get(server->port(), "/hello.txt", {{"Range", "bytes=0-4"}, {"If-Range", if_range}}).status;
  };
  EXPECT_EQ(range(hello_etag), 206);
  EXPECT_EQ(range("W/\"e-0\""), 200);
  EXPECT_EQ(range(hello_modified), 206);
  EXPECT_EQ(range("Sat, 22 Jul 2023 04:26:40 GMT"), 200);
}

TEST_F(StaticFiles, TraversalIsRefused) {
  auto strict_server = serve(strict());
  auto loose_server = serve();
  for (const char* target : {"/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/%2E%2E%2Foutside%2Fsecret.txt",
                             "/sub/..%2f..%2foutside%2fsecret.txt", "/..%5coutside%5csecret.txt"}) {
    auto refused = test::get(strict_server->port(), target);
    EXPECT_EQ(refused.status, 403) << target;  // send's answer to a malicious path
    EXPECT_EQ(refused.body.find(secret), std::string::npos) << target;
    // With fall_through it is merely "not here".
    auto passed = test::get(loose_server->port(), target);
    EXPECT_EQ(passed.body.rfind("next GET ", 0), 0u) << target;
  }
}

TEST_F(StaticFiles, BadPathsAre400) {
  auto server = serve(strict());
  EXPECT_EQ(test::get(server->port(), "/hello.txt%00.png").status, 400);
  EXPECT_EQ(test::get(server->port(), "/%E0%A4%A").status, 400);
  EXPECT_EQ(test::get(server->port(), "/%FF.txt").status, 400);  // not UTF-8
}

TEST_F(StaticFiles, AbsolutePathsStayUnderTheRoot) {
  auto server = serve(strict());
  std::string target = "/";
  target += (base_ / "outside" / "secret.txt").string();  // "//tmp/.../outside/secret.txt"
  auto res = test::get(server->port(), target);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body.find(secret), std::string::npos);
}

TEST_F(StaticFiles, SymlinksOutOfTheRootAreNotFound) {
  auto server = serve(strict());
  for (const char* target : {"/link_out.txt", "/link_dir/secret.txt", "/link_sibling.txt"}) {
    auto res = test::get(server->port(), target);
    EXPECT_EQ(res.status, 404) << target;
    EXPECT_EQ(res.body.find(secret), std::string::npos) << target;
  }
  auto inside = test::get(server->port(), "/link_in.txt");
  EXPECT_EQ(inside.status, 200);
  EXPECT_EQ(inside.body, hello);
}

TEST_F(StaticFiles, Dotfiles) {
  {
    auto server = serve(strict());
    EXPECT_EQ(test::get(server->port(), "/.hidden").status, 404);
    EXPECT_EQ(test::get(server->port(), "/.git/config").status, 404);
  }
  auto loose = serve();
  EXPECT_EQ(test::get(loose->port(), "/.hidden").body, "next GET /.hidden");
  StaticOptions allow;
  allow.file.dotfiles = true;
  auto allowing = serve(allow);
  EXPECT_EQ(test::get(allowing->port(), "/.hidden").body, "dot");
  EXPECT_EQ(test::get(allowing->port(), "/.git/config").body, "[core]");
}

TEST_F(StaticFiles, DirectoriesServeTheirIndexOrRedirect) {
  auto server = serve();
  auto index = test::get(server->port(), "/sub/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<h1>sub</h1>");
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  auto moved = test::get(server->port(), "/sub");
  EXPECT_EQ(moved.status, 301);
  EXPECT_EQ(moved.header("location"), "/sub/");
  EXPECT_EQ(moved.header("content-type"), "text/html; charset=UTF-8");
  EXPECT_NE(moved.body.find("Redirecting to /sub/"), std::string::npos);
  EXPECT_EQ(test::get(server->port(), "/sub?x=1&y").header("location"), "/sub/?x=1&y");
  // A directory without an index is not here.
  EXPECT_EQ(test::get(server->port(), "/empty/").body, "next GET /empty/");
  EXPECT_EQ(test::get(server->port(), "/").body, "root index");
}

TEST_F(StaticFiles, RedirectNeverLeavesTheHost) {
  auto server = serve();
  auto res = test::get(server->port(), "//evil.com");
  EXPECT_EQ(res.status, 301);
  EXPECT_EQ(res.header("location"), "/evil.com/");
}

TEST_F(StaticFiles, WithoutRedirectADirectoryFallsThrough) {
  StaticOptions o;
  o.redirect = false;
  auto server = serve(o);
  EXPECT_EQ(test::get(server->port(), "/sub").body, "next GET /sub");
}

TEST_F(StaticFiles, MountedUnderAPath) {
  StaticOptions defaults;
  auto server = serve(defaults, "/static");
  EXPECT_EQ(test::get(server->port(), "/static/hello.txt").body, hello);
  auto moved = test::get(server->port(), "/static?v=2");
  EXPECT_EQ(moved.status, 301);
  EXPECT_EQ(moved.header("location"), "/static/?v=2");
  EXPECT_EQ(test::get(server->port(), "/static/").body, "root index");
  EXPECT_EQ(test::get(server->port(), "/hello.txt").body, "next GET /hello.txt");
}

TEST_F(StaticFiles, MissingFiles) {
  auto loose = serve();
  EXPECT_EQ(test::get(loose->port(), "/nope.txt").body, "next GET /nope.txt");
  EXPECT_EQ(test::get(loose->port(), "/hello.txt/").body, "next GET /hello.txt/");
  auto server = serve(strict());
  EXPECT_EQ(test::get(server->port(), "/nope.txt").status, 404);
}

TEST_F(StaticFiles, OnlyGetAndHead) {
  auto loose = serve();
  EXPECT_EQ(test::request(loose->port(), "POST", "/hello.txt").body, "next POST /hello.txt");
  auto server = serve(strict());
  auto res = test::request(server->port(), "DELETE", "/hello.txt");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.header("allow"), "GET, HEAD");
  EXPECT_EQ(res.body, "");
}

TEST_F(StaticFiles, CacheOptions) {
  StaticOptions o;
  o.file.max_age = std::chrono::hours(1);
  o.file.etag = false;
  o.file.last_modified = false;
  auto server = serve(o);
  auto res = test::get(server->port(), "/hello.txt");
  EXPECT_EQ(res.header("cache-control"), "public, max-age=3600");
  EXPECT_FALSE(res.has_header("etag"));
  EXPECT_FALSE(res.has_header("last-modified"));
  o.file.max_age = std::chrono::hours(24 * 400);  // send caps it at a year
  auto capped = serve(o);
  EXPECT_EQ(test::get(capped->port(), "/hello.txt").header("cache-control"), "public, max-age=31536000");
}

TEST_F(StaticFiles, HeadersSetBeforeWin) {
  test::TestServer server([&](App& app) {
    app.use([](Request&, Response& res, Next next) {
      res.set("Cache-Control", "no-store");
      res.set("Content-Type", "text/x-custom");
      next();
    });
    app.use(serve_static(root_.string()));
  });
  auto res = test::get(server.port(), "/hello.txt");
  EXPECT_EQ(res.header("cache-control"), "no-store");
  EXPECT_EQ(res.header("content-type"), "text/x-custom; charset=utf-8");  // res.set() adds it, as Express's does
}

// Files are sent from the file as the client takes them, whatever their size.
TEST_F(StaticFiles, LargeFilesAreSentWhole) {
  const auto size = 65ull << 20;
  {
    std::fstream big(root_ / "big.bin", std::ios::in | std::ios::out | std::ios::binary);
    big.seekp(0) << "first";
    big.seekp(33ll << 20) << "middle";
    big.seekp(static_cast<std::streamoff>(size - 4)) << "last";
  }
  auto server = serve();
  auto whole = test::get(server->port(), "/big.bin");
  EXPECT_EQ(whole.status, 200);
  ASSERT_EQ(whole.body.size(), size);
  EXPECT_EQ(whole.body.substr(0, 5), "first");
  EXPECT_EQ(whole.body.substr(33ull << 20, 6), "middle");
  EXPECT_EQ(whole.body.substr(size - 4), "last");
  auto head = test::request(server->port(), "HEAD", "/big.bin");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(size));
  auto slice = test::get(server->port(), "/big.bin", {{"Range", "bytes=34603008-34603013"}});  // 33 MiB
  EXPECT_EQ(slice.status, 206);
  EXPECT_EQ(slice.body, "middle");
  EXPECT_EQ(slice.header("content-range"), "bytes 34603008-34603013/" + std::to_string(size));
}

long resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

// Clients that ask for a large file and do not read it cost the server a piece each, not the
// file: four of them waiting on a 48 MiB file (192 MiB if each held it whole) leave the resident
// memory of this process (server and client) within 32 MiB of where it was.
TEST_F(StaticFiles, SlowClientsOfALargeFileHoldLittleMemory) {
  write(root_ / "medium.bin", "");
  fs::resize_file(root_ / "medium.bin", 48ull << 20);
  auto server = serve();
  EXPECT_EQ(test::get(server->port(), "/hello.txt").status, 200);  // the server's own start-up is done
  const long before = resident_kib();
  std::vector<std::unique_ptr<test::Connection>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<test::Connection>(server->port()));
    ASSERT_TRUE(clients.back()->send("GET /medium.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the server fills the sockets, then waits
  const long after = resident_kib();
  EXPECT_LT(after - before, 32 * 1024) << "resident memory grew from " << before << " KiB to " << after << " KiB";
  clients.clear();
  EXPECT_EQ(test::get(server->port(), "/hello.txt").body, hello);
}

// ---- res.send_file ----

class SendFile : public StaticFiles {
 protected:
  std::unique_ptr<test::TestServer> serve_file(std::function<void(Request&, Response&)> handler,
                                               bool app_etag = true) {
    return std::make_unique<test::TestServer>([&](App& app) {
      app.set("etag", app_etag);
      app.get("/{*splat}", std::move(handler));
    });
  }
  SendFileOptions under_root() const {
    SendFileOptions o;
    o.root = root_.string();
    return o;
  }
};

TEST_F(SendFile, RelativeToARoot) {
  auto server = serve_file([&](Request& req, Response& res) { res.send_file(req.params()["splat"], under_root()); });
  auto res = test::get(server->port(), "/hello.txt");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, hello);
  EXPECT_EQ(res.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.header("etag"), hello_etag);
  EXPECT_EQ(res.header("last-modified"), hello_modified);
  EXPECT_EQ(test::get(server->port(), "/hello.txt", {{"Range", "bytes=7-11"}}).body, "world");
  EXPECT_EQ(test::get(server->port(), "/nope.txt").status, 404);
  EXPECT_EQ(test::get(server->port(), "/link_out.txt").status, 404);
  EXPECT_EQ(test::get(server->port(), "/.hidden").status, 404);
  EXPECT_EQ(test::get(server->port(), "/sub").status, 404);  // a directory
}

TEST_F(SendFile, ParametersCannotClimbOut) {
  auto server = serve_file([&](Request& req, Response& res) { res.send_file(req.params()["splat"], under_root()); });
  // The route decodes "%2F", so the file name handed over is "../outside/secret.txt".
  auto res = test::get(server->port(), "/..%2Foutside%2Fsecret.txt");
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(res.body.find(secret), std::string::npos);
}

TEST_F(SendFile, AbsolutePathWithoutRoot) {
  std::string file = (root_ / "hello.txt").string();
  auto server = serve_file([&](Request&, Response& res) { res.send_file(file); });
  EXPECT_EQ(test::get(server->port(), "/").body, hello);
}

TEST_F(SendFile, RelativePathWithoutRootIsAProgrammingError) {
  auto server = serve_file([&](Request&, Response& res) { res.send_file("hello.txt"); });
  EXPECT_EQ(test::get(server->port(), "/").status, 500);
}

TEST_F(SendFile, TrailingSlashSendsTheIndex) {
  auto server = serve_file([&](Request&, Response& res) { res.send_file("sub/", under_root()); });
  EXPECT_EQ(test::get(server->port(), "/").body, "<h1>sub</h1>");
}

TEST_F(SendFile, FollowsTheAppsEtagSetting) {
  auto server = serve_file([&](Request&, Response& res) { res.send_file("hello.txt", under_root()); }, false);
  auto res = test::get(server->port(), "/");
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(res.has_header("etag"));
}

}  // namespace
}  // namespace cortado
