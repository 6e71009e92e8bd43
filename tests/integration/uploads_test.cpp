// Uploads over real sockets: multipart() reading bodies from the test client and from curl -F,
// files stored under dest with random names and removed after the response, multer's limits
// answered through the error handlers, truncated and malformed bodies, and a 50 MB upload whose
// server-side memory stays small. The metadata and limit errors are compared with Express +
// multer in tests/compat/uploads_*.

#include "cortado/cortado.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certs.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>

namespace cortado {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
constexpr std::string_view boundary = "----cortado-boundary-7MA4YWxk";

std::string part(std::string_view disposition, std::string_view content, std::string_view type = {}) {
  std::string out = "--" + std::string(boundary) + "\r\nContent-Disposition: form-data; " + std::string(disposition) + "\r\n";
  if (!type.empty()) out += "Content-Type: " + std::string(type) + "\r\n";
  out += "\r\n" + std::string(content) + "\r\n";
  return out;
}
std::string closing() {
  std::string out = "--";
  out += boundary;
  out += "--\r\n";
  return out;
}
test::HeaderList multipart_headers() {
  return {{"Content-Type", "multipart/form-data; boundary=" + std::string(boundary)}};
}

std::size_t count_files(const std::string& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
  return n;
}

// The files left in `dir` once the server has finished the response: the removal runs after the
// response's last byte is written, so the client may read it a moment before. Waits up to 5 s
// for none to be left (the result, not the time, is what is checked).
std::size_t files_in(const std::string& dir) {
  auto until = std::chrono::steady_clock::now() + 5s;
  while (count_files(dir) != 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  return count_files(dir);
}

// What the upload routes answer: the fields, the files' metadata, and whether each file was on
// disk with the bytes sent while the handler ran.
json::value describe(Request& req) {
  json::array files;
  for (const auto& f : req.slot<Uploads>().files) {
    std::ifstream in(f.path, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    json::object o;
    o["fieldname"] = f.fieldname;
    o["originalname"] = f.originalname;
    o["encoding"] = f.encoding;
    o["mimetype"] = f.mimetype;
    o["destination"] = f.destination;
    o["filename"] = f.filename;
    o["path"] = f.path;
    o["size"] = f.size;
    o["content"] = content.size() <= 64 ? content : std::string("(large)");
    files.push_back(std::move(o));
  }
  json::object out;
  out["body"] = req.body();
  out["files"] = std::move(files);
  return out;
}

void routes(App& app, const std::string& dest) {
  auto upload = multipart({.dest = dest});
  app.post("/any", upload.any(), [](Request& req, Response& res) { res.json(describe(req)); });
  app.post("/single", upload.single("avatar"), [](Request& req, Response& res) { res.json(describe(req)); });
  app.post("/none", upload.none(), [](Request& req, Response& res) { res.json(describe(req)); });
  auto limited = multipart({.dest = dest, .limits = {.fields = 3, .file_size = 10, .files = 2}});
  app.post("/limited", limited.array("docs", 5), [](Request& req, Response& res) { res.json(describe(req)); });
  auto big = multipart({.dest = dest, .body_limit = 200ull << 20});
  app.post("/big", big.single("blob"), [](Request& req, Response& res) {
    const auto* file = req.slot<Uploads>().file();
    res.json(json::object{{"size", file ? file->size : 0}, {"on_disk", file ? fs::file_size(file->path) : 0}});
  });
  // A route that never reads its streamed body.
  app.post("/ignore", [](Request&, Response& res) { res.send("ignored"); });
  app.get("/ping", [](Request&, Response& res) { res.send("pong"); });
  app.use([](std::exception_ptr error, Request&, Response& res, Next) {
    json::object out;
    try {
      std::rethrow_exception(error);
    } catch (const MultipartError& e) {
      out["code"] = e.code();
      out["field"] = e.field();
      out["message"] = e.what();
      res.status(e.status());
    } catch (const HttpError& e) {
      out["message"] = e.what();
      res.status(e.status());
    }
    res.json(out);
  });
}

class UploadsTest : public ::testing::Test {
 protected:
  test::TempDir dest{"cortado-uploads"};
  test::TestServer server{[this](App& app) { routes(app, dest.path()); }};
};

TEST_F(UploadsTest, FieldsAndFilesReachTheHandlerAndFilesAreRemovedAfterTheResponse) {
  std::string body = part("name=\"title\"", "Holiday") + part("name=\"tag\"", "a") + part("name=\"tag\"", "b") +
                     part("name=\"photo\"; filename=\"beach.jpg\"", "JPEGDATA", "image/jpeg") +
                     part("name=\"notes\"; filename=\"notes.txt\"", "line1\r\nline2") + closing();
  auto res = test::request(server.port(), "POST", "/any", multipart_headers(), body);
  ASSERT_EQ(res.status, 200) << res.body;
  auto out = json::parse(res.body).as_object();
  EXPECT_EQ(json::serialize(out["body"]), R"({"title":"Holiday","tag":["a","b"]})");
  auto& files = out["files"].as_array();
  ASSERT_EQ(files.size(), 2u);
  auto& photo = files[0].as_object();
  EXPECT_EQ(photo["fieldname"], "photo");
  EXPECT_EQ(photo["originalname"], "beach.jpg");
  EXPECT_EQ(photo["mimetype"], "image/jpeg");
  EXPECT_EQ(photo["encoding"], "7bit");
  EXPECT_EQ(photo["size"], 8);
  EXPECT_EQ(photo["content"], "JPEGDATA");
  EXPECT_EQ(photo["destination"].as_string(), dest.path());
  EXPECT_TRUE(std::regex_match(std::string(photo["filename"].as_string()), std::regex("[0-9a-f]{32}")));
  EXPECT_EQ(files[1].as_object()["mimetype"], "text/plain");
  EXPECT_EQ(files[1].as_object()["content"], "line1\r\nline2");
  EXPECT_EQ(files_in(dest.path()), 0u) << "the stored files outlived the response";
}

TEST_F(UploadsTest, AClientFilenameIsOnlyMetadata) {
  std::string body = part("name=\"avatar\"; filename=\"../../etc/passwd\"", "x") + closing();
  auto res = test::request(server.port(), "POST", "/single", multipart_headers(), body);
  ASSERT_EQ(res.status, 200) << res.body;
  auto file = json::parse(res.body).as_object()["files"].as_array().at(0).as_object();
  EXPECT_EQ(file["originalname"], "passwd");  // busboy keeps the last segment only
  auto path = fs::path(std::string(file["path"].as_string()));
  EXPECT_EQ(path.parent_path(), fs::path(dest.path()));
  EXPECT_NE(path.filename(), "passwd");
  // An absolute name, and a name that is only "..": never a path either.
  body = part("name=\"avatar\"; filename=\"/tmp/evil\"", "x") + closing();
  res = test::request(server.port(), "POST", "/single", multipart_headers(), body);
  EXPECT_EQ(json::parse(res.body).as_object()["files"].as_array().at(0).as_object()["originalname"], "evil");
}

TEST_F(UploadsTest, CurlFormUploads) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  test::TempDir src{"cortado-upload-src"};
  {
    std::ofstream out(src.file("report.csv"), std::ios::binary);
    out << "a,b\n1,2\n";
  }
  std::string command = "curl -s -F 'title=Q3 report' -F 'docs=@" + src.file("report.csv") +
                        ";type=text/csv;filename=../q3.csv' http://127.0.0.1:" + std::to_string(server.port()) +
                        "/limited";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  std::string text;
  char chunk[4096];
  while (auto n = fread(chunk, 1, sizeof chunk, pipe.get())) text.append(chunk, n);
  auto out = json::parse(text).as_object();
  EXPECT_EQ(json::serialize(out["body"]), R"({"title":"Q3 report"})");
  auto file = out["files"].as_array().at(0).as_object();
  EXPECT_EQ(file["originalname"], "q3.csv");
  EXPECT_EQ(file["mimetype"], "text/csv");
  EXPECT_EQ(file["content"], "a,b\n1,2\n");
  EXPECT_EQ(files_in(dest.path()), 0u);
}

TEST_F(UploadsTest, AFileOverTheLimitIs413AndLeavesNoFile) {
  std::string body = part("name=\"docs\"; filename=\"small.txt\"", "0123456789") +
                     part("name=\"docs\"; filename=\"big.txt\"", "0123456789X") + closing();
  auto res = test::request(server.port(), "POST", "/limited", multipart_headers(), body);
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.body, R"({"code":"LIMIT_FILE_SIZE","field":"docs","message":"File too large"})");
  EXPECT_EQ(files_in(dest.path()), 0u);
}

TEST_F(UploadsTest, CountLimitsAndUnexpectedFieldsUseMultersCodes) {
  std::string fields = part("name=\"a\"", "1") + part("name=\"b\"", "2") + part("name=\"c\"", "3") + part("name=\"d\"", "4");
  auto res = test::request(server.port(), "POST", "/limited", multipart_headers(), fields + closing());
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.body, R"({"code":"LIMIT_FIELD_COUNT","field":"","message":"Too many fields"})");
  std::string files;
  for (int i = 0; i < 3; ++i) files += part("name=\"docs\"; filename=\"f" + std::to_string(i) + "\"", "x");
  res = test::request(server.port(), "POST", "/limited", multipart_headers(), files + closing());
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.body, R"({"code":"LIMIT_FILE_COUNT","field":"","message":"Too many files"})");
  res = test::request(server.port(), "POST", "/none", multipart_headers(),
                      part("name=\"f\"; filename=\"x.txt\"", "x") + closing());
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, R"({"code":"LIMIT_UNEXPECTED_FILE","field":"f","message":"Unexpected file field"})");
  EXPECT_EQ(files_in(dest.path()), 0u);
}

TEST_F(UploadsTest, ManyFields) {
  std::string body;
  for (int i = 0; i < 500; ++i) body += part("name=\"field" + std::to_string(i) + "\"", std::to_string(i * 7));
  auto res = test::request(server.port(), "POST", "/any", multipart_headers(), body + closing());
  ASSERT_EQ(res.status, 200);
  auto fields = json::parse(res.body).as_object()["body"].as_object();
  EXPECT_EQ(fields.size(), 500u);
  EXPECT_EQ(fields["field499"], "3493");
}

TEST_F(UploadsTest, ATruncatedBodyIs400AndLeavesNoFile) {
  std::string body = part("name=\"avatar\"; filename=\"a.bin\"", std::string(5000, 'z')) + closing();
  test::Connection conn(server.port());
  auto head = test::make_request("POST", "/single", server.port(), multipart_headers(), body);
  // The head promises the whole body; half of it comes, then the client stops sending.
  conn.send(head.substr(0, head.size() - body.size() / 2));
  conn.shutdown_write();
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, R"({"message":"Unexpected end of form"})");
  EXPECT_EQ(files_in(dest.path()), 0u);
  EXPECT_EQ(test::get(server.port(), "/ping").body, "pong");  // the server keeps serving
}

TEST_F(UploadsTest, AMalformedBodyIs400) {
  // The close delimiter never comes.
  auto res = test::request(server.port(), "POST", "/any", multipart_headers(), part("name=\"a\"", "1"));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, R"({"message":"Unexpected end of form"})");
  // A part header without a colon.
  res = test::request(server.port(), "POST", "/any", multipart_headers(),
                      "--" + std::string(boundary) + "\r\nnot a header\r\n\r\nx\r\n" + closing());
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, R"({"message":"Malformed part header"})");
  res = test::request(server.port(), "POST", "/any", {{"Content-Type", "multipart/form-data"}}, "x");
  EXPECT_EQ(res.status, 400);
}

TEST_F(UploadsTest, ABodyOverTheServersLimitIs413) {
  // /any keeps ServerOptions::body_limit (1 MiB); /big raises it.
  std::string body = part("name=\"f\"; filename=\"big\"", std::string(1100 * 1024, 'q')) + closing();
  auto res = test::request(server.port(), "POST", "/any", multipart_headers(), body);
  EXPECT_EQ(res.status, 413);
  res = test::request(server.port(), "POST", "/big", multipart_headers(),
                      part("name=\"blob\"; filename=\"big\"", std::string(1100 * 1024, 'q')) + closing());
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"size":1126400,"on_disk":1126400})");
}

TEST_F(UploadsTest, KeepAliveAfterAReadUploadAndCloseAfterAnUnreadOne) {
  test::Connection conn(server.port());
  auto body = part("name=\"a\"", "1") + closing();
  auto first = conn.request("POST", "/any", multipart_headers(), body);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  auto second = conn.request("GET", "/ping");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "pong");
  // Nobody reads this one's body: answered, then the connection closes.
  auto third = conn.request("POST", "/ignore", multipart_headers(), body);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->body, "ignored");
  EXPECT_EQ(third->header("connection"), "close");
  EXPECT_TRUE(conn.wait_closed());
}

// Peak resident memory of this process (the server runs in it) since `reset_peak()`.
std::size_t status_kib(std::string_view key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key)) return std::stoul(line.substr(key.size() + 1));
  return 0;
}

TEST_F(UploadsTest, A50MegabyteUploadKeepsMemorySmall) {
  {
    std::ofstream reset("/proc/self/clear_refs");
    reset << "5";  // resets VmHWM to the current RSS (Linux 4.0+)
  }
  std::size_t before = status_kib("VmRSS:");
  ASSERT_GT(before, 0u);
  constexpr std::size_t size = 50u << 20;
  std::string head_part = "--" + std::string(boundary) +
                          "\r\nContent-Disposition: form-data; name=\"blob\"; filename=\"big.bin\"\r\n\r\n";
  std::string tail = "\r\n" + closing();
  test::Connection conn(server.port(), 30s);
  auto headers = multipart_headers();
  headers.emplace_back("Content-Length", std::to_string(head_part.size() + size + tail.size()));
  auto head = test::make_request("POST", "/big", server.port(), headers);
  ASSERT_TRUE(conn.send(head + head_part));
  std::string chunk(64 * 1024, 'u');
  for (std::size_t sent = 0; sent < size; sent += chunk.size()) ASSERT_TRUE(conn.send(chunk));
  ASSERT_TRUE(conn.send(tail));
  auto res = conn.read_response(false, 30s);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, R"({"size":52428800,"on_disk":52428800})");
  std::size_t peak = status_kib("VmHWM:");
  EXPECT_LT(peak - std::min(peak, before), 20u * 1024) << "peak " << peak << " KiB, before " << before << " KiB";
  EXPECT_EQ(files_in(dest.path()), 0u);
}


// Over TLS the body streams the same way (the TLS stream's reads, not the socket's).
TEST(UploadsTls, AStreamedUploadAndTheNextRequestOnOneConnection) {
  test::TempDir dir{"cortado-uploads-tls"};
  auto cert = test::make_cert(dir, "uploads", 7);
  App app;
  app.server_options().threads = 1;
  auto upload = multipart({.dest = dir.file("files")});
  app.post("/up", upload.single("f"), [](Request& req, Response& res) {
    res.json({{"size", req.slot<Uploads>().file()->size}, {"secure", req.secure()}});
  });
  app.get("/ping", [](Request&, Response& res) { res.send("pong"); });
  auto port = app.bind_tls(0, cert.options(), "127.0.0.1");
  std::jthread thread([&] { app.run(); });
  // Declared after the thread, so destroyed first: the server stops even when an assertion
  // returns early, and the thread can then be joined.
  struct Stop {
    App& app;
    ~Stop() { app.stop(); }
  } stop{app};
  {
    test::Connection conn(port, cert.client());
    auto res = conn.request("POST", "/up", multipart_headers(),
                            part("name=\"f\"; filename=\"x\"", std::string(300 * 1024, 't')) + closing());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, R"({"size":307200,"secure":true})");
    auto next = conn.request("GET", "/ping");
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "pong");
  }
  EXPECT_EQ(files_in(dir.file("files")), 0u);
}

// The README's Uploads example, as written there (dest and avatars/ in a temporary folder).
TEST(UploadsReadme, TheExampleServes) {
  test::TempDir dir{"cortado-uploads-readme"};
  fs::create_directories(dir.file("avatars"));
  test::TestServer server([&](App& app) {
    auto upload = multipart({.dest = dir.file("uploads"), .limits = {.file_size = 10 << 20, .files = 5}, .body_limit = 64 << 20});
    app.post("/profile", upload.single("avatar"), [&dir](Request& req, Response& res) {
      const UploadedFile* avatar = req.slot<Uploads>().file();  // req.file; null without one
      if (!avatar) throw HttpError(400, "no avatar");
      // Removed once the response is out: move it to keep it (the same filesystem as dest).
      std::filesystem::rename(avatar->path, dir.file("avatars/") + avatar->filename);
      res.json({{"nick", req.body().as_object()["nick"]}, {"size", avatar->size}});
    });
    app.post("/photos", upload.array("photos", 12), [](Request& req, Response& res) {
      res.json({{"count", req.slot<Uploads>().files.size()}});  // req.files
    });
  });
  auto res = test::request(server.port(), "POST", "/profile", multipart_headers(),
                           part("name=\"nick\"", "ann") + part("name=\"avatar\"; filename=\"a.png\"", "PNG!", "image/png") + closing());
  EXPECT_EQ(res.body, R"({"nick":"ann","size":4})");
  EXPECT_EQ(count_files(dir.file("avatars")), 1u);  // moved, so kept
  res = test::request(server.port(), "POST", "/photos", multipart_headers(),
                      part("name=\"photos\"; filename=\"1.jpg\"", "1") + part("name=\"photos\"; filename=\"2.jpg\"", "2") + closing());
  EXPECT_EQ(res.body, R"({"count":2})");
  EXPECT_EQ(files_in(dir.file("uploads")), 0u);
  res = test::request(server.port(), "POST", "/profile", multipart_headers(), part("name=\"nick\"", "ann") + closing());
  EXPECT_EQ(res.status, 400);
}

}  // namespace
}  // namespace cortado
