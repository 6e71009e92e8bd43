#pragma once
// RedisReplyPtr: a parsed Redis reply, in hiredis's redisReply layout but allocated by cortado:
// each node and its text (or its element pointers) in one block.

#include <memory>

struct redisReply;
struct redisReader;
struct redisContext;

namespace cortado::stores {

/// Frees a reply tree made by a reader of make_redis_reader() or use_own_replies().
struct RedisReplyFree {
  void operator()(redisReply* reply) const;
};
/// A parsed reply; the caller owns it.
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyFree>;

/// A RESP reader (hiredis's parser) whose replies are RedisReplyPtr's.
using RedisReader = std::unique_ptr<redisReader, void (*)(redisReader*)>;
RedisReader make_redis_reader();

/// Makes the replies of a blocking hiredis connection RedisReplyPtr's; before its first command.
void use_own_replies(redisContext* context);

/// An array reply holding `first` and `second`, as EXEC answers two commands: what a caller of
/// two commands gets when it wants both replies. Null only when memory ran out.
RedisReplyPtr redis_reply_pair(RedisReplyPtr first, RedisReplyPtr second) noexcept;

}  // namespace cortado::stores
