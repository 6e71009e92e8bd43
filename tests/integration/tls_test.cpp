// HTTPS: real TLS clients (OpenSSL's, through test::Connection) against App::bind_tls(): the
// protocol versions, ALPN, req.secure(), plain and TLS ports at once, the handshake timeout,
// bad certificates, reloads, the connection cap and shutdown, and refused bodies reaching the
// app's error handlers (over TLS and plain HTTP).

#include "support/test_certs.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include "cortado/cortado.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

namespace cortado {
namespace {

using namespace std::chrono_literals;
using test::Connection;

// An App serving HTTPS (and, when asked, plain HTTP too) on free loopback ports, on its own thread.
class TlsServer {
 public:
  template <class Configure>
  TlsServer(const http::TlsOptions& tls, Configure&& configure, bool plain_too = false) {
    app_.server_options().threads = 1;
    configure(app_);
    if (plain_too) plain_port_ = app_.bind(0, "127.0.0.1");
    port_ = app_.bind_tls(0, tls, "127.0.0.1");
    thread_ = std::jthread([this] { app_.run(); });
  }
  ~TlsServer() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    app_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  std::uint16_t plain_port() const { return plain_port_; }
  App& app() { return app_; }

 private:
  App app_;
  std::uint16_t port_ = 0;
  std::uint16_t plain_port_ = 0;
  std::jthread thread_;
};

void routes(App& app) {
  app.get("/", [](Request& req, Response& res) {
    res.json({{"protocol", req.protocol()}, {"secure", req.secure()}});
  });
  app.post("/echo", [](Request& req, Response& res) { res.type("text").send(req.raw_body()); });
  app.get("/slow", [](Request&, Response& res) -> Task<> {
    co_await sleep_for(300ms);
    res.send("slow");
  });
}

void json_errors(App& app);  // below, with the refused-body tests

std::string get(std::string_view target) { return "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"; }

class Tls : public ::testing::Test {
 protected:
  test::TempDir dir{"cortado-tls"};
  test::TestCert cert = test::make_cert(dir, "a", 0x1001);
};

TEST_F(Tls, ServesOverTls13WithAlpnAndReqSecure) {
  TlsServer server(cert.options(), routes);
  Connection conn(server.port(), cert.client());
  EXPECT_EQ(conn.tls_version(), "TLSv1.3");
  EXPECT_EQ(conn.alpn(), "http/1.1");
  auto res = conn.request("GET", "/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"protocol":"https","secure":true})");
  // Keep-alive and pipelining work as over plain HTTP.
  ASSERT_TRUE(conn.send(get("/") + get("/")));
  for (int i = 0; i < 2; ++i) {
    auto again = conn.read_response();
    ASSERT_TRUE(again) << i;
    EXPECT_EQ(again->status, 200);
  }
}

TEST_F(Tls, Tls12IsServedAndTls11Refused) {
  TlsServer server(cert.options(), routes);
  auto tls12 = cert.client();
  tls12.max_version = TLS1_2_VERSION;
  Connection conn(server.port(), tls12);
  EXPECT_EQ(conn.tls_version(), "TLSv1.2");
  ASSERT_TRUE(conn.request("GET", "/"));

  auto tls11 = cert.client();
  tls11.min_version = TLS1_VERSION;
  tls11.max_version = TLS1_1_VERSION;
  EXPECT_THROW(Connection(server.port(), tls11), std::runtime_error);
  // The server runs on.
  Connection after(server.port(), cert.client());
  EXPECT_TRUE(after.request("GET", "/"));
}

TEST_F(Tls, AClientOfferingOnlyH2GetsNoAlpnAndHttp11) {
  TlsServer server(cert.options(), routes);
  auto h2 = cert.client();
  h2.alpn = {"h2"};
  Connection conn(server.port(), h2);
  EXPECT_EQ(conn.alpn(), "");
  auto res = conn.request("GET", "/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(Tls, PlainAndTlsPortsAtOnce) {
  TlsServer server(cert.options(), routes, /*plain_too=*/true);
  ASSERT_NE(server.plain_port(), server.port());
  EXPECT_EQ(test::get(server.plain_port(), "/").body, R"({"protocol":"http","secure":false})");
  Connection conn(server.port(), cert.client());
  EXPECT_EQ(conn.request("GET", "/")->body, R"({"protocol":"https","secure":true})");
}

TEST_F(Tls, TrustProxyStillReadsXForwardedProto) {
  TlsServer server(cert.options(), [](App& app) {
    app.set("trust proxy", true);
    routes(app);
  }, true);
  auto res = test::get(server.plain_port(), "/", {{"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(res.body, R"({"protocol":"https","secure":true})");
  Connection conn(server.port(), cert.client());
  EXPECT_EQ(conn.request("GET", "/", {{"X-Forwarded-Proto", "http"}})->body, R"({"protocol":"http","secure":false})");
}

TEST_F(Tls, HandshakeNeverStartedOrLeftHalfDoneIsCutOff) {
  TlsServer server(cert.options(), [](App& app) {
    app.server_options().handshake_timeout = 300ms;
    routes(app);
  });
  Connection silent(server.port());  // plain TCP: sends nothing
  // A ClientHello's record header promising 512 bytes, and then only a few of them.
  Connection half(server.port());
  ASSERT_TRUE(half.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
  EXPECT_TRUE(silent.wait_closed(3s));
  EXPECT_TRUE(half.wait_closed(3s));
  Connection after(server.port(), cert.client());
  EXPECT_TRUE(after.request("GET", "/"));
}

TEST_F(Tls, PlainHttpOnTheTlsPortIsClosed) {
  TlsServer server(cert.options(), routes);
  Connection plain(server.port());
  ASSERT_TRUE(plain.send(get("/")));
  EXPECT_TRUE(plain.wait_closed(3s));
}

TEST_F(Tls, BadCertificateOrKeyThrowsOneLineBeforeBinding) {
  auto other = test::make_cert(dir, "b", 0x2002);
  App app;
  auto expect_error = [&](http::TlsOptions options, std::string_view part) {
    try {
      app.bind_tls(0, options);
      ADD_FAILURE() << "no error for " << part;
    } catch (const http::TlsError& e) {
      std::string what = e.what();
      EXPECT_NE(what.find(part), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  };
  expect_error({.cert_chain_file = dir.file("missing.pem"), .key_file = cert.key_file}, "missing.pem");
  expect_error({.cert_chain_file = cert.cert_file, .key_file = other.key_file}, "b-key.pem");
  std::ofstream(dir.file("garbage.pem")) << "not a certificate\n";
  expect_error({.cert_chain_file = dir.file("garbage.pem"), .key_file = cert.key_file}, "garbage.pem");
  expect_error({.cert_chain_file = cert.cert_file, .key_file = cert.key_file, .ciphers = "NOPE"}, "cipher");
}

// New connections get the new certificate, open ones keep theirs; a bad file keeps the old one.
TEST_F(Tls, ReloadSwapsTheCertificateForNewConnectionsOnly) {
  TlsServer server(cert.options(), routes);
  // The client trusts both certificates: the first, and the one written over it below.
  auto next = test::make_cert(dir, "next", 0x2002);
  std::string both = dir.file("both.pem");
  {
    std::ofstream out(both);
    out << std::ifstream(cert.cert_file).rdbuf() << std::ifstream(next.cert_file).rdbuf();
  }
  test::TlsClientOptions client{.ca_file = both};
  Connection old_conn(server.port(), client);
  EXPECT_EQ(old_conn.peer_serial(), "1001");

  std::filesystem::copy_file(next.cert_file, cert.cert_file, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(next.key_file, cert.key_file, std::filesystem::copy_options::overwrite_existing);
  server.app().reload_certificates();
  Connection new_conn(server.port(), client);
  EXPECT_EQ(new_conn.peer_serial(), "2002");
  EXPECT_TRUE(new_conn.request("GET", "/"));
  auto res = old_conn.request("GET", "/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(old_conn.peer_serial(), "1001");

  std::ofstream(cert.cert_file) << "truncated by a half-finished copy\n";
  EXPECT_THROW(server.app().reload_certificates(), http::TlsError);
  Connection after_bad(server.port(), client);
  EXPECT_EQ(after_bad.peer_serial(), "2002");
  EXPECT_TRUE(after_bad.request("GET", "/"));
}

TEST_F(Tls, ReloadWhileAClientKeepsConnectingFailsNoRequest) {
  TlsServer server(cert.options(), routes);
  std::atomic<bool> done{false};
  std::atomic<int> ok{0}, failed{0};
  std::jthread client([&] {
    while (!done) {
      try {
        Connection conn(server.port(), cert.client());
        auto res = conn.request("GET", "/");
        (res && res->status == 200 ? ok : failed)++;
      } catch (const std::exception&) {
        ++failed;
      }
    }
  });
  for (int i = 0; i < 20; ++i) {
    server.app().reload_certificates();
    std::this_thread::sleep_for(20ms);
  }
  while (ok < 20) std::this_thread::sleep_for(10ms);
  done = true;
  client.join();
  EXPECT_EQ(failed, 0);
}

TEST_F(Tls, ConnectionCapAnswers503OverTls) {
  TlsServer server(cert.options(), [](App& app) {
    app.server_options().max_connections = 1;
    routes(app);
  });
  Connection first(server.port(), cert.client());
  ASSERT_TRUE(first.request("GET", "/"));
  Connection second(server.port(), cert.client());
  auto res = second.request("GET", "/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

TEST_F(Tls, ShutdownLetsARequestInFlightFinish) {
  TlsServer server(cert.options(), routes);
  Connection conn(server.port(), cert.client());
  ASSERT_TRUE(conn.send(get("/slow")));
  std::this_thread::sleep_for(100ms);  // the request is in the handler; no timing is asserted
  std::jthread stopper([&] { server.stop(); });
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "slow");
  EXPECT_EQ(res->header("connection"), "close");
}

TEST_F(Tls, SessionCookieIsSecureOverTls) {
  TlsServer server(cert.options(), [](App& app) {
    app.use(session({.secret = {"k"}, .resave = false, .save_uninitialized = false, .secure_auto = true}));
    app.use(cookie_session({.name = "cs", .keys = {"k"}}));
    app.get("/", [](Request& req, Response& res) {
      req.session()["n"] = 1;
      res.send("ok");
    });
  }, true);
  Connection conn(server.port(), cert.client());
  auto res = conn.request("GET", "/");
  ASSERT_TRUE(res);
  auto cookies = res->header_values("set-cookie");
  ASSERT_FALSE(cookies.empty());
  for (const auto& c : cookies) EXPECT_NE(c.find("; Secure"), std::string::npos) << c;
  auto plain = test::get(server.plain_port(), "/");
  for (const auto& c : plain.header_values("set-cookie")) EXPECT_EQ(c.find("; Secure"), std::string::npos) << c;
}

// ---- the limits, over TLS (a subset of hostile_requests_test's rows)

struct LimitRow {
  std::string name;
  std::string bytes;
  int status;
};

// What ctest and gtest print for a row: its name, not a dump of the struct's bytes.
void PrintTo(const LimitRow& row, std::ostream* os) { *os << row.name; }

class TlsLimits : public Tls, public ::testing::WithParamInterface<LimitRow> {};

TEST_P(TlsLimits, RefusedAndTheServerRunsOn) {
  TlsServer server(cert.options(), [](App& app) {
    app.server_options().header_limit = 1024;
    app.server_options().body_limit = 100;
    routes(app);
  });
  {
    Connection conn(server.port(), cert.client());
    ASSERT_TRUE(conn.send(GetParam().bytes));
    auto res = conn.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, GetParam().status);
    EXPECT_TRUE(conn.wait_closed());
  }
  Connection after(server.port(), cert.client());
  auto res = after.request("GET", "/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TlsLimits,
    ::testing::Values(LimitRow{"HeadersTooLarge", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n", 431},
                      LimitRow{"BadRequestLine", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
                      LimitRow{"NoHost", "GET / HTTP/1.1\r\n\r\n", 400},
                      LimitRow{"ObsFold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  2\r\n\r\n", 400},
                      LimitRow{"SmugglingClAndTe", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
                      LimitRow{"BodyTooLarge", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", 413},
                      LimitRow{"ChunksTooLarge", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" "65\r\n" + std::string(101, 'a') + "\r\n0\r\n\r\n", 413},
                      LimitRow{"BadChunkSize", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400}),
    [](const auto& info) { return info.param.name; });

// A body refused from its Content-Length while the client is still sending it: the answer is not
// lost to a reset (the TLS close and the lingering close drain what comes in the meantime).
TEST_F(Tls, TooLargeBodyStillBeingSentGetsItsAnswer) {
  TlsServer server(cert.options(), json_errors);
  Connection conn(server.port(), cert.client());
  ASSERT_TRUE(conn.send("POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n"));
  conn.send(std::string(300 * 1024, ' '));  // may fail once the server has closed: only the answer matters
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->body, R"({"error":"request entity too large","status":413})");
}

// ---- refused bodies reach the app's error handlers (plain HTTP and TLS alike)

void json_errors(App& app) {
  app.server_options().body_limit = 100;
  app.use(body_parser::json());
  app.post("/api", [](Request& req, Response& res) { res.json(req.body()); });
  app.use([](std::exception_ptr err, Request&, Response& res, Next) {
    try {
      std::rethrow_exception(err);
    } catch (const HttpError& e) {
      res.status(e.status()).json({{"error", e.what()}, {"status", e.status()}});
    }
  });
}

TEST(RefusedBody, TooLargeByContentLengthReachesTheErrorHandlerUnread) {
  test::TestServer server(json_errors);
  Connection conn(server.port());
  // 5 MB announced, 10 bytes sent: the answer comes without the rest being waited for.
  ASSERT_TRUE(conn.send("POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{\"a\":1234}"));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(res->body, R"({"error":"request entity too large","status":413})");
  EXPECT_EQ(res->header("connection"), "close");
  EXPECT_TRUE(conn.wait_closed());
}

TEST(RefusedBody, ChunksOverTheLimitAndMalformedChunksReachTheErrorHandler) {
  test::TestServer server(json_errors);
  {
    Connection conn(server.port());
    ASSERT_TRUE(conn.send("POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" + std::string(101, 'a') + "\r\n0\r\n\r\n"));
    auto res = conn.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
    EXPECT_EQ(res->body, R"({"error":"request entity too large","status":413})");
  }
  Connection conn(server.port());
  ASSERT_TRUE(conn.send("POST /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, R"({"error":"Bad Request","status":400})");
  EXPECT_TRUE(conn.wait_closed());
}

TEST(RefusedBody, AHandlerThatIgnoresTheRefusalDoesNotTurnItIntoASuccess) {
  test::TestServer server([](App& app) {
    app.server_options().body_limit = 10;
    app.use([](std::exception_ptr, Request&, Response& res, Next) { res.send("fine"); });  // answers 200
  });
  auto res = test::request(server.port(), "POST", "/", {}, std::string(50, 'x'));
  EXPECT_EQ(res.status, 413);
}

TEST(RefusalBody, TheAppSetsTheBodyOfMalformedHeadRefusals) {
  test::TestServer server([](App& app) {
    app.server_options().refusal_body = [](unsigned status) {
      return http::RefusalBody{.content_type = "application/json", .body = "{\"status\":" + std::to_string(status) + "}"};
    };
  });
  Connection conn(server.port());
  ASSERT_TRUE(conn.send("GET / HTTP/1.1\r\n\r\n"));  // no Host
  auto res = conn.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->header("content-type"), "application/json");
  EXPECT_EQ(res->body, R"({"status":400})");
}

// ---- redirect_to_https()

TEST_F(Tls, RedirectToHttpsMovesGetAndRefusesPost) {
  std::uint16_t https_port = 0;
  TlsServer server(cert.options(), [&](App& app) {
    app.use([&](Request& req, Response& res, Next next) {
      // The https port is known only after binding: made at request time.
      redirect_to_https({.https_port = https_port}).sync(nullptr, req, res, next);
    });
    routes(app);
  }, true);
  https_port = server.port();
  auto res = test::get(server.plain_port(), "/a/b?c=1", {{"Host", "localhost:" + std::to_string(server.plain_port())}});
  EXPECT_EQ(res.status, 301);
  EXPECT_EQ(res.header("location"), "https://localhost:" + std::to_string(https_port) + "/a/b?c=1");
  EXPECT_EQ(test::request(server.plain_port(), "POST", "/echo", {}, "secret").status, 403);
  Connection conn(server.port(), cert.client());
  EXPECT_EQ(conn.request("GET", "/")->status, 200);  // secure: passes through
}

TEST(RedirectToHttps, Port443IsLeftOut) {
  test::TestServer server([](App& app) { app.use(redirect_to_https()); });
  auto res = test::get(server.port(), "/x", {{"Host", "example.com"}});
  EXPECT_EQ(res.status, 301);
  EXPECT_EQ(res.header("location"), "https://example.com/x");
}

}  // namespace
}  // namespace cortado

namespace cortado {
namespace {

// The README's HTTPS example, with free ports and bind_tls() in place of listen_tls() (which
// would serve until a signal).
TEST_F(Tls, ReadmeExample) {
  App app;
  app.use(redirect_to_https());
  app.use(session({.secret = {"keyboard cat"}, .resave = false, .save_uninitialized = false,
                   .secure_auto = true}));
  app.get("/", [](Request& req, Response& res) { res.send(req.protocol()); });
  app.server_options().refusal_body = [](unsigned status) {
    return http::RefusalBody{.content_type = "application/json", .body = json::serialize(json::object{{"status", status}})};
  };
  app.server_options().threads = 1;
  auto plain = app.bind(0, "127.0.0.1");
  auto https = app.bind_tls(0, cert.options(), "127.0.0.1");
  std::jthread serving([&] { app.run(); });
  Connection conn(https, cert.client());
  EXPECT_EQ(conn.request("GET", "/")->body, "https");
  EXPECT_EQ(test::get(plain, "/", {{"Host", "example.com"}}).header("location"), "https://example.com/");
  app.stop();
}

}  // namespace
}  // namespace cortado
