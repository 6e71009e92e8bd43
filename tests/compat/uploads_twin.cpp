// uploads_app.js written with cortado, route for route: uploads_compare.mjs sends both the same
// multipart bodies and diffs the answers.
//
//   uploads_twin --port 0 --dest DIR
//
// Prints "listening on 127.0.0.1:PORT" once it listens, exits 0 on SIGTERM.
#include <cortado/cortado.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>

using namespace cortado;

namespace {

std::string option(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

// Bytes read as latin1 and written as UTF-8, as Node's readFileSync(path, 'latin1') then JSON.
std::string latin1(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

json::value describe(Request& req, const std::string& dest) {
  json::array files;
  for (const auto& f : req.slot<Uploads>().files) {
    std::ifstream in(f.path, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    json::object o;
    o["fieldname"] = f.fieldname;
    o["originalname"] = f.originalname;
    o["encoding"] = f.encoding;
    o["mimetype"] = f.mimetype;
    o["destination"] = f.destination == dest ? "dest" : f.destination;
    o["filename"] = std::regex_match(f.filename, std::regex("[0-9a-f]{32}")) ? "random" : f.filename;
    o["path"] = f.path == (std::filesystem::path(dest) / f.filename).string() ? "dest/filename" : f.path;
    o["size"] = f.size;
    o["content"] = latin1(content);
    files.push_back(std::move(o));
  }
  json::object out;
  out["body"] = req.body();
  out["files"] = std::move(files);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  auto port = static_cast<std::uint16_t>(std::stoi(option(argc, argv, "--port", "0")));
  auto dest = std::filesystem::absolute(option(argc, argv, "--dest", "uploads")).string();
  App app;
  auto answer = [dest](Request& req, Response& res) { res.json(describe(req, dest)); };
  auto upload = multipart({.dest = dest});
  app.post("/any", upload.any(), answer);
  app.post("/single", upload.single("avatar"), answer);
  app.post("/array", upload.array("photos", 2), answer);
  app.post("/fields", upload.fields({{.name = "a", .max_count = 1}, {.name = "b", .max_count = 2}}), answer);
  app.post("/none", upload.none(), answer);
  MultipartLimits limits{.field_name_size = 5, .field_size = 8, .fields = 3, .file_size = 10, .files = 2, .parts = 6};
  auto limited = multipart({.dest = dest, .limits = limits});
  app.post("/limited", limited.any(), answer);

  app.use([](std::exception_ptr error, Request&, Response& res, Next) {
    json::object out;
    try {
      std::rethrow_exception(error);
    } catch (const MultipartError& e) {
      out["code"] = e.code();
      if (!e.field().empty()) out["field"] = e.field();
      out["message"] = e.what();
      res.status(e.status());
    } catch (const HttpError& e) {
      out["message"] = e.what();
      res.status(e.status());
    } catch (const std::exception& e) {
      out["message"] = e.what();
      res.status(500);
    }
    res.json(out);
  });

  app.listen(port, "127.0.0.1", [](std::uint16_t bound) { std::cout << "listening on 127.0.0.1:" << bound << std::endl; });
  return 0;
}
