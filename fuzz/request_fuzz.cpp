// The whole request path: bytes → the worker's plain head reading (src/http/plain_head.hpp) or
// Beast's parser with the server's limits → the worker's own head checks
// (src/http/request_checks.hpp, the very code Worker::read_request runs) →
// App::handle with routes and parameters, the json/urlencoded/text body parsers, query, cookies,
// ip and protocol, static files, and the session middleware on a memory store that holds a few
// sessions whose signed cookies are in the seed corpus, so that cookie unsigning and session
// loading run too → the worker's own header rules for the response (src/http/finish_response.hpp).
//
// Input: one byte of flags (bit 0: the second app, with trust proxy and the options beyond
// express-session; bit 1: the peer is an IPv6 address), then the bytes a client sends on one
// connection (several pipelined requests are read, as the worker reads them).
//
// Findings besides crashes, leaks and UB: App::handle throwing or never finishing, a response
// header that is not a token or holds CR/LF/NUL (response splitting), an error other than the
// documented ones reaching the error handler, and the text of a file outside the static root in
// a response (path traversal).
#include "fuzz_support.hpp"

#include "cortado/app/app.hpp"
#include "cortado/app/body_parser.hpp"
#include "cortado/app/http_error.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/app/static_files.hpp"
#include "cortado/http/server_options.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/middleware.hpp"
#include "cortado/session/session.hpp"
#include "core/header_text.hpp"
#include "http/finish_response.hpp"
#include "http/plain_head.hpp"
#include "http/request_checks.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace {

using namespace cortado;
using namespace std::chrono_literals;
namespace bh = boost::beast::http;

// Sessions the store holds at the start of every input. Their signed cookies ("fuzz secret")
// are in corpus/request/ and request.dict; see fuzz/README.md to sign another.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> stored_sessions{{
    {"fuzz-session-1",
     R"({"cookie":{"originalMaxAge":3600000,"expires":"2099-01-01T00:00:00.000Z","httpOnly":true,"path":"/"},"user":"ann","views":3})"},
    {"fuzz-session-2", R"({"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"cart":[1,2,3]})"},
    {"fuzz-session-3",
     R"({"user":"bob","cookie":{"originalMaxAge":60000,"partitioned":true,"priority":"high","expires":"2099-01-01T00:00:00.000Z","secure":true,"httpOnly":false,"domain":"example.com","path":"/","sameSite":"lax"},"createdAt":1700000000000})"},
    {"fuzz-session-4",
     R"({"cookie":{"originalMaxAge":1000,"expires":"2001-01-01T00:00:00.000Z","httpOnly":true,"path":"/"},"old":true})"},
}};

// Text only a file outside the static root holds; no response may ever contain it.
constexpr std::string_view secret_marker = "FUZZ-SECRET-OUTSIDE-THE-ROOT";

// A folder with public/ (served) and secret.txt beside it (not served); removed at exit.
struct StaticRoot {
  std::filesystem::path dir;
  StaticRoot() {
    std::string name = (std::filesystem::temp_directory_path() / "fuzz-request-XXXXXX").string();
    if (!mkdtemp(name.data())) fuzz::finding("mkdtemp failed");
    dir = name;
    std::filesystem::create_directories(dir / "public" / "docs");
    std::ofstream(dir / "public" / "index.html") << "<p>index</p>";
    std::ofstream(dir / "public" / "docs" / "a b.txt") << "a file";
    std::ofstream(dir / "secret.txt") << secret_marker;
  }
  ~StaticRoot() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

// Reads what a handler can read of the request, so that each accessor's parsing runs.
void touch_request(const Request& req) {
  (void)req.cookies();
  (void)req.ip();
  (void)req.protocol();
  (void)req.secure();
  (void)req.hostname();
  (void)req.query();
  (void)req.url();
  (void)req.is("json");
  (void)req.get("referrer");
}

// What the error handler may see: HttpError (the parsers, routing, static files), what
// Response refuses (std::invalid_argument: a header value with CR/LF, a bad cookie name), a
// session the store no longer has (reload), a session too large for the memory store.
void answer_error(std::exception_ptr error, Request&, Response& res, Next) {
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    res.status(e.status() >= 400 && e.status() < 600 ? e.status() : 500).end();
  } catch (const std::invalid_argument&) {
    res.status(500).end();
  } catch (const std::length_error&) {
    res.status(500).end();
  } catch (const std::runtime_error& e) {
    if (std::string_view(e.what()) != "failed to load session") fuzz::finding(e.what());
    res.status(500).end();
  } catch (const std::exception& e) {
    fuzz::finding(e.what());
  }
}

json::object session_summary(Request& req) {
  auto& s = req.session();
  auto max_age = s.cookie().max_age();
  return {{"id", s.id()}, {"stored", s.to_json()}, {"max_age", max_age ? json::value(*max_age) : nullptr}};
}

void add_session_routes(App& app) {
  app.get("/session", [](Request& req, Response& res) { res.json(session_summary(req)); });
  app.post("/session/:key", [](Request& req, Response& res) {
    req.session()[req.params()["key"]] = req.body();
    res.json(session_summary(req));
  });
  app.del("/session/:key", [](Request& req, Response& res) {
    req.session().erase(req.params()["key"]);
    res.json(session_summary(req));
  });
  app.post("/login", [](Request& req, Response& res) -> Task<> {
    co_await req.session().regenerate(req.query("keep") == "1");
    req.session()["user"] = req.body();
    res.redirect(req.query("next").empty() ? "/" : req.query("next"));
  });
  app.post("/logout", [](Request& req, Response& res) -> Task<> {
    co_await req.session().destroy();
    res.send_status(204);
  });
  app.get("/reload", [](Request& req, Response& res) -> Task<> {
    co_await req.session().reload();
    res.json(session_summary(req));
  });
  app.post("/save", [](Request& req, Response& res) -> Task<> {
    req.session()["saved"] = true;
    co_await req.session().save();
    res.end();
  });
  app.get("/unset", [](Request& req, Response& res) {
    req.unset_session();
    res.send("unset");
  });
}

void add_routes(App& app) {
  app.get("/users/:id", [](Request& req, Response& res) {
    res.json({{"id", req.params()["id"]}, {"q", req.query("q")}});
  });
  app.get("/files/*path", [](Request& req, Response& res) { res.send(req.params()["path"]); });
  app.get("/posts{/:year{/:month}}", [](Request& req, Response& res) {
    res.json({{"year", req.params()["year"]}, {"month", req.params()["month"]}});
  });
  app.get("/range/:from-:to", [](Request& req, Response& res) {
    res.json({{"from", req.params()["from"]}, {"to", req.params()["to"]}});
  });
  app.get("/echo", [](Request& req, Response& res) {
    res.set("X-Echo", req.query("v"));  // refused (std::invalid_argument) when it holds CR or LF
    res.cookie(std::string(req.query("name").empty() ? "n" : req.query("name")), std::string(req.query("v")));
    res.type(req.query("type").empty() ? "txt" : req.query("type"));
    res.send(req.query("v"));
  });
  app.get("/go", [](Request& req, Response& res) { res.redirect(req.query("to")); });
  add_session_routes(app);
  app.all("/{*rest}", [](Request& req, Response& res) {
    json::object cookies;
    for (const auto& [name, value] : req.cookies()) cookies[name] = value;
    res.json({{"method", req.method()},
              {"url", req.url()},
              {"path", req.path()},
              {"ip", req.ip()},
              {"protocol", req.protocol()},
              {"hostname", req.hostname()},
              {"query", req.query()},
              {"cookies", cookies},
              {"rest", req.params()["rest"]},
              {"body", req.body()},
              {"session", req.session_id()}});
  });
  app.use(answer_error);
}

SessionOptions session_options(bool beyond_express, std::shared_ptr<Store> store) {
  SessionOptions o{.secret = {"fuzz secret", "retired fuzz secret"},
                   .resave = false,
                   .save_uninitialized = false,
                   .store = std::move(store),
                   .cookie = {.max_age = 1h}};
  if (beyond_express) {
    o.rolling = true;
    o.unset = "destroy";
    o.proxy = true;
    o.secure_auto = true;
    o.cookie.same_site = std::string("lax");
    o.merge_changes = true;
    o.touch_after = 10min;
    o.absolute_lifetime = 12h;
  }
  return o;
}

std::unique_ptr<App> make_app(bool beyond_express, const std::shared_ptr<Store>& store, const StaticRoot& root) {
  auto app = std::make_unique<App>();
  app->set("trust proxy", beyond_express);
  app->set("strict routing", beyond_express);
  app->use([](Request& req, Response&, Next next) {
    touch_request(req);
    next();
  });
  app->use("/static", serve_static((root.dir / "public").string()));
  app->use(body_parser::json());
  app->use(body_parser::urlencoded());
  app->use(body_parser::text());
  app->use(session(session_options(beyond_express, store)));
  add_routes(*app);
  return app;
}

struct Fixture {
  boost::asio::io_context ioc;
  StaticRoot root;
  std::shared_ptr<MemoryStore> store =
      std::make_shared<MemoryStore>(MemoryStoreOptions{.prune_interval = std::chrono::milliseconds::zero()});
  std::array<std::unique_ptr<App>, 2> apps{make_app(false, store, root), make_app(true, store, root)};

  // Every input starts from the same store, so that a run replays the same way.
  void reset_store() {
    fuzz::run_task(ioc, store->clear());
    for (const auto& [id, text] : stored_sessions)
      fuzz::run_task(ioc, store->set(std::string(id), parse_json(text).get_object()));
  }
};

// One request off the front of `stream`, read as Worker::read_request reads it; nullopt where the
// server would refuse the request or close the connection.
std::optional<http::RawRequest> read_request(std::string_view& stream, http::Exchange& exchange) {
  while (stream.starts_with("\r\n")) stream.remove_prefix(2);  // RFC 9112 2.2, as the worker
  if (stream.empty()) return std::nullopt;
  const auto scan = http::scan_head(stream);
  // The worker's one pass must tell what the separate walks tell.
  if (scan.folded != http::has_obs_fold(http::head_so_far(stream)))
    fuzz::finding("scan_head and has_obs_fold disagree on a fold");
  if (!scan.folded && scan.complete != http::head_complete(stream))
    fuzz::finding("scan_head and head_complete disagree on the blank line");
  if (scan.folded) return std::nullopt;
  const http::ServerOptions limits;
  // The worker reads most heads without Beast (plain_head_fuzz holds the two to the same result).
  if (scan.complete) {
    http::RawRequest plain;
    if (const std::size_t taken = http::parse_plain_head(stream, limits.header_limit, plain)) {
      stream.remove_prefix(taken);
      if (http::check_head(plain) != 0) return std::nullopt;
      return plain;
    }
  }
  bh::request_parser<bh::string_body, http::FieldAllocator<char>> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser.body_limit(limits.body_limit);
  boost::system::error_code ec;
  std::size_t used = 0;
  auto put = [&] { used += parser.put(boost::asio::buffer(stream.data() + used, stream.size() - used), ec); };
  put();  // the whole head is there or it never will be: Beast parses it in one go
  if (ec || !parser.is_header_done()) {
    (void)http::other_major_version(stream);  // the worker's choice between 505 and 400
    return std::nullopt;
  }
  if (http::check_head(parser.get()) != 0) return std::nullopt;
  std::optional<http::Fields> approved_head;
  if (parser.chunked()) approved_head.emplace(static_cast<const http::Fields&>(parser.get()));
  parser.eager(true);
  while (!ec && !parser.is_done() && used < stream.size()) put();
  if (ec || !parser.is_done()) return std::nullopt;  // a bad body, or the client stopped sending
  if (approved_head) {
    http::separate_trailers(parser.get(), std::move(*approved_head), exchange.trailers);
    if (http::section_size(exchange.trailers) > limits.header_limit) return std::nullopt;
  }
  stream.remove_prefix(used);
  return parser.release();
}

// Searched for without memcmp and without coverage instrumentation: libFuzzer learns the strings a
// target compares (its memcmp hook and trace-cmp) and would copy the marker into a request, which
// the catch-all route then echoes; it must find its way to the file instead.
__attribute__((no_sanitize("coverage"))) bool holds_marker(std::string_view body) {
  for (std::size_t at = 0; at + secret_marker.size() <= body.size(); ++at) {
    std::size_t k = 0;
    while (k < secret_marker.size() && body[at + k] == secret_marker[k]) ++k;
    if (k == secret_marker.size()) return true;
  }
  return false;
}

// What the response sends as its body: res.body(), or the part of a file the worker would stream.
std::string sent_body(const http::RawResponse& res, http::Exchange& exchange) {
  if (!exchange.file) return res.body();
  std::string content(static_cast<std::size_t>(exchange.file->remaining()), '\0');
  std::size_t done = 0;
  while (done < content.size()) {
    auto n = exchange.file->read_next(std::span<char>(content.data() + done, content.size() - done));
    if (n == 0) break;
    done += n;
  }
  content.resize(done);
  return content;
}

void check_response(const http::RawResponse& res, http::Exchange& exchange) {
  if (res.result_int() < 100 || res.result_int() > 599) fuzz::finding("a status outside 100-599");
  for (const auto& field : res) {
    if (!text::is_token(field.name_string())) fuzz::finding("a response header name that is not a token");
    if (!text::is_field_value(field.value())) fuzz::finding("a response header value with CR, LF or NUL");
  }
  if (holds_marker(sent_body(res, exchange))) fuzz::finding("a file outside the static root was served");
}

http::Exchange make_exchange(bool v6) {
  auto address = v6 ? boost::asio::ip::make_address("2001:db8::7") : boost::asio::ip::make_address("203.0.113.7");
  return http::Exchange{.remote = {address, 40000}, .trailers = {}, .file = {}, .secure = false, .refused = 0};
}

}  // namespace

// FUZZ_PRINT=1 build-fuzz/fuzz/request_fuzz <file>: shows the responses, to check what a seed reaches.
bool print_responses = false;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  print_responses = std::getenv("FUZZ_PRINT") != nullptr;
  // The app logs every 5xx to std::cerr; thousands a second would slow the run and bury libFuzzer's
  // report. Findings go through stdio (fuzz::finding), which stays.
  std::cerr.setstate(std::ios::badbit);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  if (size == 0) return 0;
  fixture.reset_store();
  auto& app = *fixture.apps[data[0] & 1];
  auto exchange = make_exchange((data[0] & 2) != 0);
  auto stream = fuzz::as_text(data + 1, size - 1);
  // A handful of pipelined requests is enough to reach every state; more only slows the run.
  for (int n = 0; n < 8; ++n) {
    // As the worker begins each request: the last one's trailers and file are not this one's.
    exchange.trailers.clear();
    exchange.file.reset();
    auto req = read_request(stream, exchange);
    if (!req) break;
    http::RawResponse res;
    res.version(11);
    try {
      fuzz::run_task(fixture.ioc, app.handle(*req, res, exchange));
    } catch (const std::exception& e) {
      fuzz::finding(std::string("App::handle threw: ") + e.what());
    }
    bool keep_alive = http::finish_response(*req, res, exchange, /*closing=*/false);
    check_response(res, exchange);
    if (print_responses) std::cout << res << "\n----\n";
    if (!keep_alive) break;
  }
  return 0;
}
