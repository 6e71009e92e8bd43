// SqliteReader: reads queued together share one read transaction, and a read queued after a
// write was committed never joins a snapshot older than that write.
#include "stores/sqlite_reader.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <future>
#include <optional>
#include <string>

namespace cortado::stores {
namespace {

const SqliteConnectionOptions options{.table = "sessions", .busy_timeout = {}};

// A file holding session "a" ({"n":1}), a connection that writes it, and a reader on it.
class SqliteReaderTest : public ::testing::Test {
 protected:
  SqliteReaderTest() { writer.set("a", far_future, R"({"n":1})"); }

  static constexpr std::int64_t far_future = 4'000'000'000'000;
  const test::TempDir dir;
  const std::string path = dir.path() + "/sessions.db";
  SqliteConnection writer{path, options};
  SqliteReader reader{path, options};
};

// Holds the reader's thread until release(), so that reads can be queued behind it.
class Gate {
 public:
  explicit Gate(SqliteReader& reader) {
    boost::asio::post(reader.executor(), [future = opened_.get_future().share()] { future.wait(); });
  }
  void release() { opened_.set_value(); }

 private:
  std::promise<void> opened_;
};

TEST_F(SqliteReaderTest, ReadsQueuedTogetherShareOneTransactionThatEndsWithThem) {

  Gate gate(reader);
  std::promise<std::pair<std::optional<std::string>, bool>> first, second;
  const std::uint64_t ticket1 = reader.queue(), ticket2 = reader.queue();
  boost::asio::post(reader.executor(), [&] { first.set_value({reader.get("a", 0, ticket1), reader.sharing()}); });
  boost::asio::post(reader.executor(), [&] { second.set_value({reader.get("a", 0, ticket2), reader.sharing()}); });
  gate.release();

  EXPECT_EQ(first.get_future().get(), std::make_pair(std::optional<std::string>(R"({"n":1})"), true));
  EXPECT_EQ(second.get_future().get(), std::make_pair(std::optional<std::string>(R"({"n":1})"), true));
  std::promise<bool> after;
  boost::asio::post(reader.executor(), [&] { after.set_value(reader.sharing()); });
  EXPECT_FALSE(after.get_future().get()) << "ended once the reads queued with it had run";
}

TEST_F(SqliteReaderTest, AReadQueuedAfterACommitSeesItThoughEarlierReadsShareASnapshot) {

  // The first read holds the reader's thread, its snapshot open, while the session is written
  // again and a second read is queued: that read runs next, before the transaction would end.
  std::promise<void> first_read, written;
  std::optional<std::string> first_text;
  const std::uint64_t ticket1 = reader.queue();
  boost::asio::post(reader.executor(), [&] {
    first_text = reader.get("a", 0, ticket1);
    first_read.set_value();
    written.get_future().wait();
  });
  first_read.get_future().wait();
  writer.set("a", far_future, R"({"n":2})");
  std::promise<std::optional<std::string>> second;
  const std::uint64_t ticket2 = reader.queue();
  boost::asio::post(reader.executor(), [&] { second.set_value(reader.get("a", 0, ticket2)); });
  written.set_value();

  EXPECT_EQ(second.get_future().get(), R"({"n":2})");
  EXPECT_EQ(first_text, R"({"n":1})");
}

TEST_F(SqliteReaderTest, AFreshConnectionEndsTheSharedTransaction) {

  std::promise<std::pair<bool, std::size_t>> seen;
  const std::uint64_t ticket = reader.queue();
  boost::asio::post(reader.executor(), [&] {
    reader.get("a", 0, ticket);
    const bool shared = reader.sharing();
    writer.set("b", far_future, "{}");  // a write the fresh connection must see
    seen.set_value({shared && !reader.fresh_connection().in_transaction(), reader.fresh_connection().length(0)});
  });
  EXPECT_EQ(seen.get_future().get(), std::make_pair(true, std::size_t{2}));
}

}  // namespace
}  // namespace cortado::stores
