// The wait for a connection's next request (ReadWatch), on a real loopback connection: it sees
// bytes that come after the socket was found empty, a cancel wakes it with false, and a coroutine
// parked on it when the io_context is destroyed goes with it (LeakSanitizer, in the ASan build,
// reports a frame or a state kept alive by a cycle). Each on an io_context marked as run by one
// thread (the wait is then read_watch.cpp's own reactor operation, as in the server's workers)
// and on one that is not (Asio's async_wait).
#include "http/read_watch.hpp"

#include "cortado/core/one_thread.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>

#include <memory>
#include <optional>

namespace cortado::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// An io_context, marked as run by one thread when the test's parameter says so.
struct Context : asio::io_context {
  explicit Context(bool one_thread) {
    if (one_thread) mark_one_thread(*this);
  }
};

class ReadWatchOn : public ::testing::TestWithParam<bool> {};

// Two ends of a loopback TCP connection on `context`.
struct Pair {
  explicit Pair(asio::io_context& context) : server(context), client(context) {
    tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    server.non_blocking(true);
  }
  tcp::socket server;
  tcp::socket client;
};

// What a parked coroutine was resumed with, if it was.
Task<> park(ReadWatch& watch, std::shared_ptr<std::optional<bool>> woke) {
  const bool readable = co_await watch.readable();
  *woke = readable;
}

// The same, with the watch in the coroutine's own frame, as a connection's is in serve's.
Task<> own_and_park(tcp::socket& socket, std::shared_ptr<std::optional<bool>> woke) {
  ReadWatch watch;
  watch.arm(socket);
  const bool readable = co_await watch.readable();
  *woke = readable;
}

TEST_P(ReadWatchOn, SeesBytesThatComeAfterTheSocketWasFoundEmpty) {
  Context context(GetParam());
  Pair pair(context);
  ReadWatch watch;
  EXPECT_FALSE(watch.pending());
  watch.arm(pair.server);
  EXPECT_TRUE(watch.pending());
  auto woke = std::make_shared<std::optional<bool>>();
  asio::co_spawn(context, park(watch, woke), asio::detached);
  context.poll();
  EXPECT_FALSE(woke->has_value());  // nothing sent yet: still parked
  asio::write(pair.client, asio::buffer("GET / HTTP/1.1\r\n\r\n", 18));
  context.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(woke->has_value());
  EXPECT_TRUE(**woke);
  EXPECT_FALSE(watch.pending());
  char bytes[64];
  EXPECT_EQ(pair.server.read_some(asio::buffer(bytes)), 18u);  // the bytes it woke for are there
}

TEST_P(ReadWatchOn, BytesThatComeWhileNobodyWaitsEndTheWatch) {
  // As while a request is being handled: the next one arrives before anybody awaits it.
  Context context(GetParam());
  Pair pair(context);
  ReadWatch watch;
  watch.arm(pair.server);
  asio::write(pair.client, asio::buffer("x", 1));
  context.run_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(watch.pending());  // so the next read is tried at once
  watch.arm(pair.server);         // armed again: a new wait, for what comes next
  EXPECT_TRUE(watch.pending());
  pair.server.cancel();
  context.restart();
  context.run_for(std::chrono::seconds(5));
  EXPECT_FALSE(watch.pending());
}

TEST_P(ReadWatchOn, ACancelWakesTheParkedCoroutineWithFalse) {
  Context context(GetParam());
  Pair pair(context);
  ReadWatch watch;
  watch.arm(pair.server);
  auto woke = std::make_shared<std::optional<bool>>();
  asio::co_spawn(context, park(watch, woke), asio::detached);
  context.poll();
  pair.server.cancel();  // what the sweeper does at the idle timeout
  context.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(woke->has_value());
  EXPECT_FALSE(**woke);
}

TEST_P(ReadWatchOn, AParkedCoroutineIsDestroyedWithItsIoContext) {
  auto woke = std::make_shared<std::optional<bool>>();
  {
    Context context(GetParam());
    Pair pair(context);  // closed first, as a server's sockets are: the pending wait is cancelled,
                         // and its completion, never run, is destroyed with the io_context
    asio::co_spawn(context, own_and_park(pair.server, woke), asio::detached);
    context.poll();
    EXPECT_EQ(woke.use_count(), 2);  // the parked frame holds its copy
  }
  EXPECT_FALSE(woke->has_value());
  EXPECT_EQ(woke.use_count(), 1);  // the frame was destroyed, not kept by its watch's state
}

TEST_P(ReadWatchOn, SeesBytesAfterEachOfManyWaits) {
  // As a keep-alive connection does: found empty, woken, read, found empty again.
  Context context(GetParam());
  Pair pair(context);
  ReadWatch watch;
  char bytes[64];
  for (int i = 0; i < 50; ++i) {
    watch.arm(pair.server);
    auto woke = std::make_shared<std::optional<bool>>();
    asio::co_spawn(context, park(watch, woke), asio::detached);
    context.restart();
    context.poll();
    ASSERT_FALSE(woke->has_value()) << "woke with nothing sent, wait " << i;
    asio::write(pair.client, asio::buffer("ping", 4));
    context.restart();
    context.run_for(std::chrono::seconds(5));
    ASSERT_TRUE(woke->has_value()) << "no wake-up for the bytes of wait " << i;
    EXPECT_TRUE(**woke);
    EXPECT_EQ(pair.server.read_some(asio::buffer(bytes)), 4u);
  }
}

INSTANTIATE_TEST_SUITE_P(ReadWatch, ReadWatchOn, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "OneThread" : "AnyThreads";
                         });

}  // namespace
}  // namespace cortado::http
