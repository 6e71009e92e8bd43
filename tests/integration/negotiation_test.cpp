// Content negotiation, compression(), cors() and security_headers() over real sockets. Bodies are
// decoded with real decoders (zlib, brotli, and curl --compressed). The same behaviours are
// compared with Express side by side in tests/compat/negotiation_*.

#include "cortado/cortado.hpp"
#include "support/test_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace cortado {
namespace {

std::string inflate(const std::string& data, int window_bits) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return "inflateInit2 failed";
  std::string out;
  std::array<char, 16384> buffer;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer.data());
    zs.avail_out = buffer.size();
    rc = ::inflate(&zs, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "inflate failed";
}

std::string unbrotli(const std::string& data) {
  std::string out(1 << 20, '\0');
  std::size_t size = out.size();
  if (BrotliDecoderDecompress(data.size(), reinterpret_cast<const uint8_t*>(data.data()), &size,
                              reinterpret_cast<uint8_t*>(out.data())) != BROTLI_DECODER_RESULT_SUCCESS)
    return "brotli failed";
  out.resize(size);
  return out;
}

const std::string text = [] {
  std::string t;
  for (int i = 0; i < 500; ++i) t += "cortado " + std::to_string(i) + " ";
  return t;
}();

std::unique_ptr<test::TestServer> serve() {
  return std::make_unique<test::TestServer>([](App& app) {
    app.use("/z", compression());
    app.get("/z/text", [](Request&, Response& res) { res.type("txt").send(text); });
    app.get("/z/small", [](Request&, Response& res) { res.type("txt").send("small"); });
    app.get("/z/png", [](Request&, Response& res) { res.type("png").send_bytes(text); });
    app.get("/format", [](Request&, Response& res) {
      res.format({{"json", [&] { res.json({{"a", 1}}); }}, {"text/html", [&] { res.send("<b>hi</b>"); }}});
    });
    app.get("/vary", [](Request& req, Response& res) {
      res.vary(req.query("f"));
      res.send("ok");
    });
    app.get("/best", [](Request& req, Response& res) {
      res.send(req.accepts("json", "html").value_or("none") + " " + req.accepts_languages({"en", "fr"}).value_or("none"));
    });
    app.use("/api", cors({.origin = std::vector<OriginPattern>{std::regex(R"(\.example$)")}, .credentials = true}));
    app.use("/api", security_headers());
    app.all("/api/x", [](Request&, Response& res) { res.send("api"); });
    app.use([](std::exception_ptr e, Request&, Response& res, Next) {
      try {
        std::rethrow_exception(e);
      } catch (const HttpError& error) {
        res.status(error.status()).send(error.what());
      } catch (const std::exception& error) {
        res.status(500).send(error.what());
      }
    });
  });
}

TEST(Compression, GzipDeflateAndBrotliDecodeToTheBody) {
  auto server = serve();
  struct Case {
    const char* accept;
    const char* coding;
  };
  for (auto c : {Case{"gzip", "gzip"}, Case{"deflate", "deflate"}, Case{"br", "br"}, Case{"gzip, deflate, br", "br"},
                 Case{"deflate, gzip", "gzip"}, Case{"gzip;q=0.5, deflate", "deflate"}}) {
    SCOPED_TRACE(c.accept);
    auto res = test::get(server->port(), "/z/text", {{"Accept-Encoding", c.accept}});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.header("content-encoding"), c.coding);
    EXPECT_EQ(res.header("vary"), "Accept-Encoding");
    EXPECT_EQ(res.header("content-length"), std::to_string(res.body.size()));  // the encoded length
    EXPECT_LT(res.body.size(), text.size());
    std::string coding = c.coding;
    auto decoded = coding == "br" ? unbrotli(res.body) : inflate(res.body, coding == "gzip" ? 15 + 16 : 15);
    EXPECT_EQ(decoded, text);
  }
}

TEST(Compression, LeavesSmallIncompressibleHeadAndUnacceptableAlone) {
  auto server = serve();
  auto small = test::get(server->port(), "/z/small", {{"Accept-Encoding", "gzip"}});
  EXPECT_FALSE(small.has_header("content-encoding"));
  EXPECT_EQ(small.header("vary"), "Accept-Encoding");  // below the threshold, still varies
  EXPECT_EQ(small.body, "small");
  auto png = test::get(server->port(), "/z/png", {{"Accept-Encoding", "gzip"}});
  EXPECT_FALSE(png.has_header("content-encoding"));
  EXPECT_FALSE(png.has_header("vary"));
  auto none = test::get(server->port(), "/z/text", {{"Accept-Encoding", "identity"}});
  EXPECT_FALSE(none.has_header("content-encoding"));
  EXPECT_EQ(none.body, text);
  auto garbage = test::get(server->port(), "/z/text", {{"Accept-Encoding", ";;,,q=\"x"}});
  EXPECT_EQ(garbage.status, 200);
  auto head = test::request(server->port(), "HEAD", "/z/text", {{"Accept-Encoding", "gzip"}});
  EXPECT_FALSE(head.has_header("content-encoding"));
}

TEST(Compression, CurlDecodesWhatItNegotiates) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  auto server = serve();
  std::string command = "curl -s --compressed -o - -w '%{size_download}' http://127.0.0.1:" +
                        std::to_string(server->port()) + "/z/text";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  std::string out;
  std::array<char, 4096> buffer;
  while (auto n = fread(buffer.data(), 1, buffer.size(), pipe.get())) out.append(buffer.data(), n);
  ASSERT_GT(out.size(), text.size());
  EXPECT_EQ(out.substr(0, text.size()), text);
  EXPECT_LT(std::stoul(out.substr(text.size())), text.size());  // fewer bytes came over the wire
}

TEST(Negotiation, FormatPicksTheTypeOrAnswers406) {
  auto server = serve();
  auto json = test::get(server->port(), "/format", {{"Accept", "application/json"}});
  EXPECT_EQ(json.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(json.header("vary"), "Accept");
  auto html = test::get(server->port(), "/format", {{"Accept", "text/*, application/json;q=0.5"}});
  EXPECT_EQ(html.body, "<b>hi</b>");
  auto none = test::get(server->port(), "/format", {{"Accept", "image/png"}});
  EXPECT_EQ(none.status, 406);
  EXPECT_EQ(none.body, "Not Acceptable");
  auto best = test::get(server->port(), "/best", {{"Accept", "text/html"}, {"Accept-Language", "fr-CA"}});
  EXPECT_EQ(best.body, "html fr");
}

TEST(Negotiation, VaryRefusesABadNameAndTheServerRunsOn) {
  auto server = serve();
  auto bad = test::get(server->port(), "/vary?f=bad%20name");
  EXPECT_EQ(bad.status, 500);
  EXPECT_EQ(bad.body, "field argument contains an invalid header name");
  auto good = test::get(server->port(), "/vary?f=Origin,%20accept");
  EXPECT_EQ(good.header("vary"), "Origin, accept");
}

TEST(Cors, ReflectsAllowedOriginsAndAnswersPreflights) {
  auto server = serve();
  auto ok = test::get(server->port(), "/api/x", {{"Origin", "http://a.example"}});
  EXPECT_EQ(ok.header("access-control-allow-origin"), "http://a.example");
  EXPECT_EQ(ok.header("access-control-allow-credentials"), "true");
  EXPECT_EQ(ok.header("vary"), "Origin");
  EXPECT_EQ(ok.header("x-frame-options"), "SAMEORIGIN");
  auto other = test::get(server->port(), "/api/x", {{"Origin", "http://evil.test"}});
  EXPECT_FALSE(other.has_header("access-control-allow-origin"));
  auto preflight = test::request(server->port(), "OPTIONS", "/api/x",
                                 {{"Origin", "http://a.example"}, {"Access-Control-Request-Headers", "X-Token"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");
  EXPECT_EQ(preflight.header("access-control-allow-headers"), "X-Token");
  EXPECT_EQ(preflight.header("vary"), "Origin, Access-Control-Request-Headers");
}

TEST(SecurityHeaders, HelmetDefaultsAndRefusedValues) {
  auto server = serve();
  auto res = test::get(server->port(), "/api/x");
  EXPECT_EQ(res.header("content-security-policy"),
            "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors "
            "'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' "
            "https: 'unsafe-inline';upgrade-insecure-requests");
  EXPECT_EQ(res.header("strict-transport-security"), "max-age=31536000; includeSubDomains");
  EXPECT_EQ(res.header("x-xss-protection"), "0");
  SecurityHeadersOptions unquoted;
  unquoted.content_security_policy = ContentSecurityPolicyOptions{.directives = {{"script-src", std::vector<std::string>{"self"}}}};
  EXPECT_THROW(security_headers(unquoted), std::invalid_argument);
  SecurityHeadersOptions frame;
  frame.x_frame_options = "allow-from x";
  EXPECT_THROW(security_headers(frame), std::invalid_argument);
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

// README's "Negotiation, compression, CORS, security headers" example, compiled and served.
void readme_example(App& app) {
  app.use(security_headers());                         // helmet 8's headers and values
  app.use(compression());                              // br, gzip, deflate, from Accept-Encoding
  app.use("/api", cors({.origin = std::vector<OriginPattern>{std::string("https://app.example"),
                                                             std::regex(R"(\.example\.com$)")},
                        .credentials = true, .max_age = std::chrono::hours(1)}));
  app.get("/report", [](Request& req, Response& res) {
    res.format({{"json", [&] { res.json({{"rows", 3}}); }},
                {"text/csv", [&] { res.send("rows\n3\n"); }}});  // else 406 to your error handlers
    (void)req.accepts_languages("en", "fr");           // "en", "fr" or nullopt
  });
}

TEST(Negotiation, ReadmeExampleServes) {
  test::TestServer server(readme_example);
  auto csv = test::get(server.port(), "/report", {{"Accept", "text/csv"}});
  EXPECT_EQ(csv.body, "rows\n3\n");
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(test::get(server.port(), "/report", {{"Accept", "image/png"}}).status, 406);
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

// Precompressed siblings: the encoded files are written by the test (real gzip and brotli
// streams of the same text), so which file was sent shows in the decoded body and the length.
std::string gzip_of(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

class Precompressed : public ::testing::Test {
 protected:
  void SetUp() override {
    write("site.css", css);
    write("site.css.gz", gzip_of(css));
    write("only-gz.js", css);
    write("only-gz.js.gz", gzip_of(css));
    write("plain.txt", css);
    server = std::make_unique<test::TestServer>([this](App& app) {
      // README writes {.precompressed = true}; set here on a default-made value, as GCC 12
      // misreads a designated initializer inside this lambda as possibly uninitialized.
      StaticOptions options;
      options.precompressed = true;
      app.use(serve_static(dir.path(), options));
    });
  }
  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(std::filesystem::path(dir.path()) / name, std::ios::binary) << bytes;
  }
  test::Response get(const std::string& path, test::HeaderList headers) {
    return test::get(server->port(), path, headers);
  }

  const std::string css = text;
  test::TempDir dir;
  std::unique_ptr<test::TestServer> server;
};

TEST_F(Precompressed, SendsTheAcceptedSiblingWithItsOwnLengthAndEtag) {
  auto identity = get("/site.css", {});
  EXPECT_EQ(identity.body, css);
  EXPECT_EQ(identity.header("vary"), "Accept-Encoding");
  EXPECT_FALSE(identity.has_header("content-encoding"));
  auto gz = get("/site.css", {{"Accept-Encoding", "br, gzip"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_EQ(gz.header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(gz.header("content-length"), std::to_string(gzip_of(css).size()));
  EXPECT_EQ(gz.header("vary"), "Accept-Encoding");
  EXPECT_NE(gz.header("etag"), identity.header("etag"));
  EXPECT_EQ(inflate(gz.body, 15 + 16), css);
  auto refused = get("/site.css", {{"Accept-Encoding", "gzip;q=0, deflate"}});
  EXPECT_EQ(refused.body, css);
  auto plain = get("/plain.txt", {{"Accept-Encoding", "gzip"}});
  EXPECT_FALSE(plain.has_header("vary"));  // no sibling: nothing varies
  EXPECT_EQ(plain.body, css);
}

TEST_F(Precompressed, RangesCountTheEncodedBytes) {
  auto whole = gzip_of(css);
  auto part = get("/only-gz.js", {{"Accept-Encoding", "gzip"}, {"Range", "bytes=0-9"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.header("content-encoding"), "gzip");
  EXPECT_EQ(part.header("content-range"), "bytes 0-9/" + std::to_string(whole.size()));
  EXPECT_EQ(part.body, whole.substr(0, 10));
}

}  // namespace
}  // namespace cortado
