// The README's "Request logs" and "Metrics" examples, as written there, on a real server.

#include "cortado/cortado.hpp"
#include "support/temp_dir.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace cortado {
namespace {

TEST(ObservabilityReadme, LogsAndMetricsExamples) {
  test::TempDir dir;
  std::string access_log = dir.path() + "/access.log";
  {
    test::TestServer server([&](App& app) {
      // --- README: Request logs (with the file in a temporary folder, and dev to a callback) ---
      app.use(logger("dev", {.stream = LogStream::callback([](std::string_view) {})}));
      logger_token("tenant", [](const Request& req, const Response&, std::string_view) {
        return std::string(req.get("x-tenant"));
      });
      app.use(logger(":method :url :status :res[content-length] - :response-time ms :tenant",
                     {.skip = [](const Request&, const Response& res) { return res.status_code() < 400; },
                      .stream = LogStream::file(access_log)}));
      // --- README: Metrics ---
      app.use(metrics());
      app.get("/metrics", metrics_endpoint());
      auto emails = metrics_registry().counter_family("emails_sent_total", "Emails sent.", {"kind"}).counter({"welcome"});
      emails.inc();
      app.get("/ok", [](Request&, Response& res) { res.send("ok"); });
    });
    test::Connection conn(server.port());
    EXPECT_EQ(conn.request("GET", "/ok")->status, 200);
    EXPECT_EQ(conn.request("GET", "/gone", {{"X-Tenant", "acme"}})->status, 404);
    auto text = conn.request("GET", "/metrics")->body;
    EXPECT_NE(text.find("emails_sent_total{kind=\"welcome\"} "), std::string::npos) << text;
    EXPECT_NE(text.find("http_request_duration_seconds_count{method=\"GET\",path=\"/ok\",status_code=\"200\"} "),
              std::string::npos)
        << text;
  }  // the server and its loggers are gone: every line is written
  std::ifstream in(access_log);
  std::stringstream written;
  written << in.rdbuf();
  auto line = written.str();
  EXPECT_TRUE(line.starts_with("GET /gone 404 ")) << line;
  EXPECT_TRUE(line.ends_with(" ms acme\n")) << line;
  EXPECT_EQ(line.find("/ok"), std::string::npos);  // skipped: under 400
}

}  // namespace
}  // namespace cortado
