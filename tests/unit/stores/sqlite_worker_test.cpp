// SqliteWorker: its thread runs what is posted to it, as a batch thread that does not take the
// core from the event loop that woke it.
#include "stores/sqlite_worker.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <sched.h>

#include <future>
#include <thread>

namespace cortado::stores {
namespace {

TEST(SqliteWorker, RunsPostedWorkOnItsOwnThreadAsABatchThread) {
  const test::TempDir dir;
  SqliteWorker worker(dir.path() + "/sessions.db", SqliteConnectionOptions{.table = "sessions", .busy_timeout = {}});
  std::promise<std::pair<std::thread::id, int>> seen;
  boost::asio::post(worker.executor(), [&seen] { seen.set_value({std::this_thread::get_id(), ::sched_getscheduler(0)}); });
  const auto [thread, policy] = seen.get_future().get();
  EXPECT_NE(thread, std::this_thread::get_id());
  EXPECT_EQ(policy, SCHED_BATCH);
  EXPECT_EQ(::sched_getscheduler(0), SCHED_OTHER) << "the caller's thread is left as it was";
}

}  // namespace
}  // namespace cortado::stores
