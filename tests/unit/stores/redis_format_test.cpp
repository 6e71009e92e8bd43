// The RESP encoding of commands, checked against hiredis's own encoder (redisFormatCommandArgv),
// which the store used before it wrote the bytes itself.
#include "stores/redis_connection.hpp"

#include <gtest/gtest.h>

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

namespace cortado::stores {
namespace {

// The pointers and lengths both encoders take.
struct Argv {
  explicit Argv(const std::vector<std::string>& args) {
    for (const std::string& arg : args) {
      pointers.push_back(arg.data());
      lengths.push_back(arg.size());
    }
  }
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
};

std::string hiredis_format(const std::vector<std::string>& args) {
  Argv argv(args);
  char* encoded = nullptr;
  const int size =
      redisFormatCommandArgv(&encoded, static_cast<int>(args.size()), argv.pointers.data(), argv.lengths.data());
  std::string out(encoded, static_cast<std::size_t>(size));
  redisFreeCommand(encoded);
  return out;
}

std::string own_format(const std::vector<std::string>& args) {
  Argv argv(args);
  return redis_format(args.size(), argv.pointers.data(), argv.lengths.data());
}

TEST(RedisFormat, ACommandIsAnArrayOfBulkStrings) {
  EXPECT_EQ(redis_command("GET", "sess:a"), "*2\r\n$3\r\nGET\r\n$6\r\nsess:a\r\n");
  EXPECT_EQ(redis_command("PING"), "*1\r\n$4\r\nPING\r\n");
}

TEST(RedisFormat, AgreesWithHiredisOnEveryLengthBoundary) {
  // Lengths around each power of ten (digit counts change), empty, binary and CRLF-holding values.
  for (const std::size_t length : {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 9999, 10000, 65536, 100000}) {
    std::string value(length, 'x');
    for (std::size_t i = 0; i < length; ++i) value[i] = static_cast<char>(i * 131 % 256);
    const std::vector<std::string> args{"SET", "sess:" + std::to_string(length), value, "EX", "86400"};
    EXPECT_EQ(own_format(args), hiredis_format(args)) << "value of " << length << " bytes";
  }
  const std::vector<std::string> with_crlf{"SET", "k\r\n", std::string("\0\r\n$*", 5)};
  EXPECT_EQ(own_format(with_crlf), hiredis_format(with_crlf));
}

TEST(RedisFormat, ManyArgumentsCountedRight) {
  // An MGET of 1 000 keys: the array's count takes four digits.
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("sess:" + std::to_string(i));
  std::vector<std::string> args{"MGET"};
  args.insert(args.end(), keys.begin(), keys.end());
  EXPECT_EQ(redis_keys_command("MGET", keys, 0, keys.size()), hiredis_format(args));
  EXPECT_EQ(own_format(args), hiredis_format(args));
}

TEST(RedisFormat, ArgumentsEncodedWhereTheyAreAppendedAgreeWithHiredis) {
  // What a connection does with a RedisArgs: the command encoded after what is already unsent.
  const std::string value(300, 'v');
  const std::string key = "sess:abc";
  const std::string seconds = "86400";
  std::string unsent = "*1\r\n$4\r\nPING\r\n";
  append_redis_command(unsent, redis_args("SET", key, value, "EX", seconds));
  append_redis_command(unsent, redis_args("GETEX", "owner-of:abc", "EX", seconds));
  EXPECT_EQ(unsent, hiredis_format({"PING"}) + hiredis_format({"SET", key, value, "EX", seconds}) +
                        hiredis_format({"GETEX", "owner-of:abc", "EX", seconds}));
  EXPECT_EQ(redis_format(redis_args("GET", key)), hiredis_format({"GET", key}));
  EXPECT_EQ(redis_format(redis_args("SET", "k\r\n", std::string_view("\0\r\n$*", 5), "", "x")),
            hiredis_format({"SET", "k\r\n", std::string("\0\r\n$*", 5), "", "x"}));  // five, the most
}

}  // namespace
}  // namespace cortado::stores
