// The SQLite store alone under a server's pattern of calls: CONNS coroutines on one event loop,
// each doing W2s (get, then set of its own session) or W3s (set of a new session) in a loop.
// Prints requests/s and the process's CPU time per request (all threads: the event loop's and
// the store's), without HTTP, so that a change to the store can be measured on its own.
//
//   bench_sqlite_store w2|w3 [REQUESTS=50000] [CONNS=64] [THREADS=2]
#include "cortado/core/dates.hpp"
#include "cortado/session/session_id.hpp"
#include "cortado/stores/sqlite.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

using namespace cortado;
using std::chrono::steady_clock;

// A session as express-session saves it for /views.
json::object session_with_views(std::int64_t views) {
  const auto expires = std::chrono::system_clock::now() + std::chrono::hours(24);
  json::object cookie;
  cookie["originalMaxAge"] = 86'400'000;
  cookie["expires"] = iso_date(expires);
  cookie["httpOnly"] = true;
  cookie["path"] = "/";
  json::object session;
  session["cookie"] = std::move(cookie);
  session["views"] = views;
  return session;
}

struct Usage {
  double cpu_s;
  long switches;
};

Usage usage() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  const auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return {seconds(r.ru_utime) + seconds(r.ru_stime), r.ru_nvcsw + r.ru_nivcsw};
}

Task<> w2_loop(Store& store, std::string sid, long& left) {
  co_await store.set(sid, session_with_views(0));
  while (left > 0) {
    --left;
    auto session = co_await store.get(sid);
    if (!session) throw std::runtime_error("lost a session");
    (*session)["views"] = (*session)["views"].as_int64() + 1;
    co_await store.set(sid, std::move(*session));
  }
}

Task<> w3_loop(Store& store, long& left) {
  while (left > 0) {
    --left;
    co_await store.set(generate_session_id(), session_with_views(1));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string workload = argc > 1 ? argv[1] : "w2";
  const long requests = argc > 2 ? std::atol(argv[2]) : 50'000;
  const int conns = argc > 3 ? std::atoi(argv[3]) : 64;
  const std::size_t threads = argc > 4 ? static_cast<std::size_t>(std::atol(argv[4])) : 2;
  const auto dir = std::filesystem::temp_directory_path() / ("cortado-sqlite-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store = stores::sqlite((dir / "s.db").string(), {.threads = threads});
    boost::asio::io_context ctx(1);
    long left = requests;
    for (int i = 0; i < conns; ++i) {
      auto task = workload == "w3" ? w3_loop(*store, left) : w2_loop(*store, generate_session_id(), left);
      boost::asio::co_spawn(ctx, std::move(task), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
    }
    const Usage before = usage();
    const auto start = steady_clock::now();
    ctx.run();
    const double wall = std::chrono::duration<double>(steady_clock::now() - start).count();
    const Usage after = usage();
    std::printf("%s threads=%zu conns=%d: %ld requests in %.2f s = %.0f req/s, CPU %.2f us/request, %.2f switches/request\n",
                workload.c_str(), threads, conns, requests, wall, static_cast<double>(requests) / wall,
                (after.cpu_s - before.cpu_s) * 1e6 / static_cast<double>(requests),
                static_cast<double>(after.switches - before.switches) / static_cast<double>(requests));
  }
  std::filesystem::remove_all(dir);
}
