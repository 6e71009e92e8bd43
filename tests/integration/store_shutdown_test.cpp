// Shutdown while a request's store statement is still running on a SQLite worker thread: the
// grace period runs out, the server's io_context goes, and the statement comes back later.
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "unit/session/run_task.hpp"
#include "support/sqlite_lock.hpp"

#include "cortado/cortado.hpp"
#include "cortado/stores/sqlite.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <thread>

namespace cortado {
namespace {

using namespace std::chrono_literals;
using test::Connection;
using test::TestServer;

// A file of the test's own, removed with its WAL and shared-memory files.
class TempDatabase {
 public:
  TempDatabase() {
    path_ = (std::filesystem::temp_directory_path() /
             ("cortado-shutdown-" + std::to_string(::getpid()) + "-" + std::to_string(next_++) + ".db"))
                .string();
  }
  ~TempDatabase() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path_ + suffix);
  }
  const std::string& path() const { return path_; }

 private:
  static inline int next_ = 0;
  std::string path_;
};

// Two sessions are saved through one SQLite worker thread while another connection holds the
// file's write lock: the first save waits there for the lock (busy_timeout 2 s), the second
// waits behind it, and the server stops with a grace of 200 ms. The io_context the requests ran
// on is destroyed with the server while both are away; the first must not find it gone when it
// comes back (AddressSanitizer reports a heap-use-after-free if it does), and the second, which
// had not started, must not run at all.
TEST(StoreShutdown, StatementsOutlivingTheGraceNeverTouchADestroyedEventLoop) {
  TempDatabase file;
  auto store = stores::sqlite(file.path(), {.prune_interval = 0ms, .busy_timeout = 2s, .threads = 1});
  std::optional<test::SqliteLock> lock(std::in_place, file.path(), "BEGIN EXCLUSIVE");
  std::atomic<int> handled{0};
  {
    TestServer server([&](App& app) {
      app.server_options().shutdown_grace = 200ms;
      app.use(session({.secret = {"shutdown"}, .resave = false, .save_uninitialized = false, .store = store}));
      app.get("/", [&](Request& req, Response& res) {
        req.session()["views"] = 1;  // modified: saved after the handler, through the locked file
        res.send("ok");
        ++handled;
      });
    });
    Connection first(server.port()), second(server.port());
    ASSERT_TRUE(first.send(test::make_request("GET", "/", server.port())));
    ASSERT_TRUE(second.send(test::make_request("GET", "/", server.port())));
    for (int i = 0; i < 500 && handled < 2; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(handled, 2);
    server.stop();  // both saves are still away when the grace runs out
    EXPECT_FALSE(first.read_response(false, 5s)) << "a response came although its save could not finish";
    EXPECT_FALSE(second.read_response(false, 5s)) << "a response came although its save could not finish";
  }  // the server and its io_context are destroyed here
  lock.reset();  // a statement still waiting for the lock now gets it and writes
  // The worker runs its statements in order: once this one has run, the saves have come back.
  EXPECT_EQ(testing::run_task(store->length()), 0u) << "a save that had not started ran after the server was gone";
}

}  // namespace
}  // namespace cortado
