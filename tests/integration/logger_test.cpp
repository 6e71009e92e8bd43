// logger() on a real server: lines written after the response, with what the response was;
// skip and immediate; a stream that stalls loses lines (counted and reported), never a request.

#include "cortado/cortado.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <regex>
#include <string>
#include <unistd.h>
#include <vector>

namespace cortado {
namespace {

using namespace std::chrono_literals;

// Lines as a LogStream::callback receives them, and a way to wait for them (bounded: a missing
// line fails the test instead of hanging it).
class Lines {
 public:
  LogStream stream() {
    return LogStream::callback([this](std::string_view text) {
      std::lock_guard lock(mutex_);
      for (std::size_t start = 0; start < text.size();) {
        auto end = text.find('\n', start);
        lines_.emplace_back(text.substr(start, end - start));
        start = end + 1;
      }
      changed_.notify_all();
    });
  }
  std::vector<std::string> wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return lines_.size() >= n; });
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

TEST(LoggerServer, WritesMorgansLineAfterTheResponse) {
  Lines lines;
  test::TestServer server([&](App& app) {
    app.use(logger("combined", {.stream = lines.stream()}));
    app.get("/users/:id", [](Request&, Response& res) { res.status(201).send("created"); });
  });
  auto res = test::get(server.port(), "/users/7?q=1",
                       {{"User-Agent", "probe/1"}, {"Referer", "http://x/"}, {"Authorization", "Basic YW5uOnB3"}});
  ASSERT_EQ(res.status, 201);
  test::get(server.port(), "/missing");
  auto got = lines.wait_for(2);
  ASSERT_EQ(got.size(), 2u);
  std::regex combined(
      R"(127\.0\.0\.1 - ann \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /users/7\?q=1 HTTP/1\.1" 201 7 "http://x/" "probe/1")");
  EXPECT_TRUE(std::regex_match(got[0], combined)) << got[0];
  std::regex missing(R"(127\.0\.0\.1 - - \[.*\] "GET /missing HTTP/1\.1" 404 \d+ "-" "-")");
  EXPECT_TRUE(std::regex_match(got[1], missing)) << got[1];
}

TEST(LoggerServer, SkipImmediateAndCustomTokens) {
  Lines lines;
  logger_token("who", [](const Request& req, const Response&, std::string_view arg) {
    return std::string(arg) + ":" + std::string(req.get("x-who"));
  });
  test::TestServer server([&](App& app) {
    app.use(logger(":method :url :status :who[id]", {.skip = [](const Request&, const Response& res) {
                                                        return res.status_code() < 400;
                                                      },
                                                      .stream = lines.stream()}));
    app.use(logger(":method :url :status :res[content-length]", {.immediate = true, .stream = lines.stream()}));
    app.get("/ok", [](Request&, Response& res) { res.send("ok"); });
  });
  test::get(server.port(), "/ok");
  test::get(server.port(), "/nope", {{"X-Who", "bob"}});
  auto got = lines.wait_for(3);
  ASSERT_EQ(got.size(), 3u);
  // Each logger writes from its own buffer, so only each one's own lines come in a set order.
  // Immediate lines have no response yet; /ok was skipped by the first logger.
  std::vector<std::string> immediate, after;
  for (const auto& line : got) (line.ends_with(" - -") ? immediate : after).push_back(line);
  EXPECT_EQ(immediate, (std::vector<std::string>{"GET /ok - -", "GET /nope - -"}));
  EXPECT_EQ(after, (std::vector<std::string>{"GET /nope 404 id:bob"}));
}

TEST(LoggerServer, AStalledStreamDropsAndCountsLinesButNeverHoldsARequest) {
  // The stream blocks on the first line until released: requests go on, the buffer fills, the
  // rest is dropped, and once the writer catches up it says how many.
  std::mutex gate_mutex;
  std::condition_variable gate_cv;
  bool open = false;
  Lines lines;
  auto dropped_counter =
      metrics_registry().counter_family("logger_dropped_lines_total", "").counter();  // the help is the writer's
  double dropped_before = dropped_counter.value();
  {
    test::TestServer server([&](App& app) {
      app.use(logger("tiny", {.stream = LogStream::callback([&](std::string_view text) {
                                std::unique_lock lock(gate_mutex);
                                gate_cv.wait(lock, [&] { return open; });
                                lines.stream().write(text);
                              }),
                              .buffer_bytes = 200}));
      app.get("/x", [](Request&, Response& res) { res.send("ok"); });
    });
    test::Connection conn(server.port());
    constexpr int requests = 20;
    for (int i = 0; i < requests; ++i) {
      auto res = conn.request("GET", "/x");
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 200);
    }
    server.stop();  // each response's line has been queued or dropped once its connection is served
    {
      std::lock_guard lock(gate_mutex);
      open = true;
    }
    gate_cv.notify_all();
    // A line that says how many were dropped comes after the lines that were kept with it. There
    // may be more than one: when the writer took its first batch only after lines were dropped
    // (a busy machine), that batch ends with its own report, and the lines after it with another.
    const std::regex report(R"(logger: (\d+) lines dropped)");
    int kept = 0;
    int dropped = 0;
    std::vector<std::string> got;
    for (std::size_t i = 0; kept + dropped < requests; ++i) {
      got = lines.wait_for(i + 1);  // the lines so far: at least i + 1 of them unless the log stopped
      ASSERT_GT(got.size(), i) << "the log stopped after " << kept << " lines and " << dropped << " dropped";
      std::smatch m;
      if (std::regex_match(got[i], m, report)) dropped += std::stoi(m[1]);
      else ++kept;
    }
    EXPECT_GT(dropped, 0);  // at most two batches of ~6 lines are kept (200 bytes each)
    EXPECT_EQ(kept + dropped, requests);
    EXPECT_EQ(dropped_counter.value() - dropped_before, dropped);
  }
}

TEST(LoggerServer, AClosedPipeLosesLinesCountedNeverTheServer) {
  // The reader of the log pipe is gone: writes fail with EPIPE (no SIGPIPE kills the process),
  // the lines count as dropped, and requests are answered all along.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  auto dropped = metrics_registry().counter_family("logger_dropped_lines_total", "").counter();
  double before = dropped.value();
  {
    test::TestServer server([&](App& app) {
      app.use(logger("tiny", {.stream = LogStream::fd(fds[1])}));
      app.get("/x", [](Request&, Response& res) { res.send("ok"); });
    });
    test::Connection conn(server.port());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(conn.request("GET", "/x")->status, 200);
  }  // the logger is gone: its writer has tried every line
  ::close(fds[1]);
  EXPECT_EQ(dropped.value() - before, 3);
}

}  // namespace
}  // namespace cortado
