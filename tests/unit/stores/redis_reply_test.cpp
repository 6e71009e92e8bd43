// Replies parsed into cortado's own nodes (make_redis_reader), checked against the trees hiredis's
// own reader builds from the same bytes; under AddressSanitizer, a node freed twice, freed by the
// wrong allocator or never freed fails here too.
#include "stores/redis_reply.hpp"

#include <gtest/gtest.h>

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

namespace cortado::stores {
namespace {

// hiredis's own tree, freed by hiredis.
using HiredisReply = std::unique_ptr<redisReply, void (*)(void*)>;

HiredisReply parse_by_hiredis(const std::string& resp) {
  const RedisReader reader(redisReaderCreate(), redisReaderFree);
  redisReaderFeed(reader.get(), resp.data(), resp.size());
  void* reply = nullptr;
  if (redisReaderGetReply(reader.get(), &reply) != REDIS_OK) reply = nullptr;
  return HiredisReply(static_cast<redisReply*>(reply), freeReplyObject);
}

RedisReplyPtr parse_one(const std::string& resp) {
  const RedisReader reader = make_redis_reader();
  redisReaderFeed(reader.get(), resp.data(), resp.size());
  void* reply = nullptr;
  if (redisReaderGetReply(reader.get(), &reply) != REDIS_OK) return nullptr;
  return RedisReplyPtr(static_cast<redisReply*>(reply));
}

// Both trees alike, field by field; the text NUL-terminated as hiredis's is.
void expect_same(const redisReply& ours, const redisReply& theirs, const std::string& where) {
  ASSERT_EQ(ours.type, theirs.type) << where;
  switch (ours.type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      ASSERT_EQ(std::string(ours.str, ours.len), std::string(theirs.str, theirs.len)) << where;
      EXPECT_EQ(ours.str[ours.len], '\0') << where;
      break;
    case REDIS_REPLY_INTEGER:
      EXPECT_EQ(ours.integer, theirs.integer) << where;
      break;
    case REDIS_REPLY_ARRAY:
      ASSERT_EQ(ours.elements, theirs.elements) << where;
      for (std::size_t i = 0; i < ours.elements; ++i) {
        expect_same(*ours.element[i], *theirs.element[i], where + "[" + std::to_string(i) + "]");
      }
      break;
    default:
      break;
  }
}

TEST(RedisReply, EveryKindOfReplyReadsAsHiredisReadsIt) {
  const std::string binary("a\0b\r\nc", 6);
  const std::string replies[] = {
      "+OK\r\n",
      "-ERR wrong number of arguments\r\n",
      ":-42\r\n",
      ":9223372036854775807\r\n",
      "$-1\r\n",
      "$0\r\n\r\n",
      "$6\r\n" + binary + "\r\n",
      "$11\r\n{\"views\":1}\r\n",
      "*0\r\n",
      "*-1\r\n",
      "*3\r\n$1\r\na\r\n$-1\r\n:7\r\n",
      "*2\r\n*2\r\n+x\r\n*1\r\n$2\r\nyz\r\n*0\r\n",  // nested, as CLUSTER SHARDS answers
      "*2\r\n-MOVED 3999 127.0.0.1:6381\r\n$" + std::to_string(300) + "\r\n" + std::string(300, 's') + "\r\n",
  };
  for (const std::string& resp : replies) {
    const RedisReplyPtr ours = parse_one(resp);
    const HiredisReply theirs = parse_by_hiredis(resp);
    ASSERT_NE(ours, nullptr) << resp;
    ASSERT_NE(theirs, nullptr) << resp;
    expect_same(*ours, *theirs, resp);
  }
}

TEST(RedisReply, RepliesSplitAcrossReadsComeWholeAndInOrder) {
  // Fed a byte at a time, as a slow socket may deliver them.
  const std::string stream = "*2\r\n$3\r\nfoo\r\n:1\r\n$5\r\nhello\r\n+PONG\r\n";
  const RedisReader reader = make_redis_reader();
  std::vector<RedisReplyPtr> got;
  for (const char byte : stream) {
    ASSERT_EQ(redisReaderFeed(reader.get(), &byte, 1), REDIS_OK);
    void* reply = nullptr;
    ASSERT_EQ(redisReaderGetReply(reader.get(), &reply), REDIS_OK);
    if (reply != nullptr) got.emplace_back(static_cast<redisReply*>(reply));
  }
  ASSERT_EQ(got.size(), 3u);
  expect_same(*got[0], *parse_by_hiredis("*2\r\n$3\r\nfoo\r\n:1\r\n"), "first");
  EXPECT_EQ(std::string(got[1]->str, got[1]->len), "hello");
  EXPECT_EQ(got[2]->type, REDIS_REPLY_STATUS);
}

TEST(RedisReply, AProtocolErrorInsideAnArrayFreesWhatWasRead) {
  // The reader gives up mid-array and frees the part it built (with our free function): the
  // elements not yet read are null and must be skipped, which AddressSanitizer checks.
  const RedisReader reader = make_redis_reader();
  const std::string resp = "*3\r\n$1\r\na\r\n*2\r\n:1\r\n!bad\r\n";
  redisReaderFeed(reader.get(), resp.data(), resp.size());
  void* reply = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader.get(), &reply), REDIS_ERR);
  EXPECT_EQ(reply, nullptr);
}

TEST(RedisReply, AnArrayLeftUnfinishedIsFreedWithItsReader) {
  const RedisReader reader = make_redis_reader();
  const std::string resp = "*2\r\n$5\r\nalice\r\n";  // the second element never comes
  redisReaderFeed(reader.get(), resp.data(), resp.size());
  void* reply = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader.get(), &reply), REDIS_OK);
  EXPECT_EQ(reply, nullptr);
}

TEST(RedisReplyPair, HoldsBothRepliesInOrderAndFreesThemWithItself) {
  const RedisReplyPtr pair = redis_reply_pair(parse_one("+OK\r\n"), parse_one("$5\r\nalice\r\n"));
  ASSERT_NE(pair, nullptr);
  ASSERT_EQ(pair->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(pair->elements, 2u);
  EXPECT_EQ(pair->element[0]->type, REDIS_REPLY_STATUS);
  EXPECT_EQ(std::string(pair->element[1]->str, pair->element[1]->len), "alice");
  const RedisReplyPtr with_nil = redis_reply_pair(parse_one("-ERR no\r\n"), parse_one("$-1\r\n"));
  EXPECT_EQ(with_nil->element[0]->type, REDIS_REPLY_ERROR);
  EXPECT_EQ(with_nil->element[1]->type, REDIS_REPLY_NIL);
}

}  // namespace
}  // namespace cortado::stores
