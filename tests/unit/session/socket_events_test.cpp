// The wire form of the socket events processes exchange through a shared store.
#include "session/socket_events.hpp"

#include <gtest/gtest.h>

using namespace cortado::detail;

TEST(SocketEvents, RoundTripsEveryFieldWithBinaryDataAndOddNames) {
  SocketEvent e;
  e.from = "process-1";
  e.kind = 'b';
  e.audience = Audience::room;
  e.name = "room:with:colons\nand a newline";
  e.data = std::string("\0\xff" "1:x", 5);
  e.binary = true;
  auto back = decode(encode(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->from, e.from);
  EXPECT_EQ(back->kind, 'b');
  EXPECT_EQ(back->audience, Audience::room);
  EXPECT_EQ(back->name, e.name);
  EXPECT_EQ(back->data, e.data);
  EXPECT_TRUE(back->binary);
  EXPECT_FALSE(back->has_except);
}

TEST(SocketEvents, OwnerEventKeepsItsException) {
  SocketEvent e;
  e.from = "p";
  e.kind = 'o';
  e.name = "ann";
  e.data = "sid-kept";
  e.has_except = true;
  auto back = decode(encode(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->kind, 'o');
  EXPECT_TRUE(back->has_except);
  EXPECT_EQ(back->data, "sid-kept");
}

TEST(SocketEvents, RefusesWhatItDoesNotRead) {
  SocketEvent e;
  e.from = "p";
  e.kind = 'e';
  e.name = "sid";
  const std::string good = encode(e);
  EXPECT_TRUE(decode(good));
  EXPECT_FALSE(decode(""));
  EXPECT_FALSE(decode("hello"));
  EXPECT_FALSE(decode(good.substr(0, good.size() - 1)));  // truncated
  EXPECT_FALSE(decode(good + "x"));                       // trailing bytes
  EXPECT_FALSE(decode("cortado-ws1 99999999999999999999:p"));
  std::string bad_kind = good;
  bad_kind[bad_kind.find("1:e") + 2] = 'z';
  EXPECT_FALSE(decode(bad_kind));
}
