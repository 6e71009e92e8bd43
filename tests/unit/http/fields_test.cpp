#include "cortado/http/fields.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cortado::http {
namespace {

// Blocks given back on a thread are the ones it takes next, for any size of the same class, and
// a block is never handed out twice.
TEST(FieldBlocks, AreReusedWithinTheirSizeClass) {
  if (!detail::field_blocks_pooled()) GTEST_SKIP() << "AddressSanitizer: every block goes to operator delete";
  std::vector<void*> first;
  for (int i = 0; i < 8; ++i) first.push_back(detail::take_field_block(100));
  EXPECT_EQ(std::set<void*>(first.begin(), first.end()).size(), first.size());
  for (void* block : first) detail::give_field_block(block, 100);
  std::set<void*> again;
  for (int i = 0; i < 8; ++i) again.insert(detail::take_field_block(i % 2 ? 65 : 128));  // the same class
  EXPECT_EQ(again, std::set<void*>(first.begin(), first.end()));
  // Another class does not get them.
  void* other = detail::take_field_block(200);
  EXPECT_FALSE(again.contains(other));
  detail::give_field_block(other, 200);
  for (void* block : again) detail::give_field_block(block, 128);
}

// Each block holds the whole of its class, so a block given back from a small field can carry
// the largest of its class; fields larger than the classes go to operator new as they are.
TEST(FieldBlocks, HoldWhatTheyWereAskedForWhateverTheirPast) {
  void* small = detail::take_field_block(65);
  std::memset(small, 'a', 65);
  detail::give_field_block(small, 65);
  void* large = detail::take_field_block(128);
  std::memset(large, 'b', 128);
  EXPECT_EQ(static_cast<unsigned char*>(large)[127], 'b');
  detail::give_field_block(large, 128);
  void* huge = detail::take_field_block(10'000);
  std::memset(huge, 'c', 10'000);
  detail::give_field_block(huge, 10'000);
}

// A block may be given back on another thread than the one that took it, and a thread's kept
// blocks go when it ends (LeakSanitizer would report them otherwise).
TEST(FieldBlocks, MoveBetweenThreadsAndGoWithThem) {
  std::vector<void*> taken;
  for (int i = 0; i < 300; ++i) taken.push_back(detail::take_field_block(90));
  std::thread other([&] {
    for (void* block : taken) detail::give_field_block(block, 90);  // 256 kept, the rest deleted
    void* reused = detail::take_field_block(90);
    EXPECT_TRUE(!detail::field_blocks_pooled() || std::set<void*>(taken.begin(), taken.end()).contains(reused));
    detail::give_field_block(reused, 90);
  });
  other.join();
}

// The fields themselves: a response's head made, copied and cleared many times over.
TEST(FieldBlocks, CarryBeastsFields) {
  namespace bh = boost::beast::http;
  for (int round = 0; round < 100; ++round) {
    Fields fields;
    fields.set(bh::field::content_type, "application/json; charset=utf-8");
    fields.set(bh::field::date, "Sat, 05 Dec 2026 20:00:00 GMT");
    fields.insert("X-Long", std::string(300 + round, 'x'));
    fields.insert("X-Huge", std::string(5'000, 'y'));
    Fields copy = fields;
    fields.clear();
    EXPECT_EQ(copy[bh::field::content_type], "application/json; charset=utf-8");
    EXPECT_EQ(copy["X-Long"].size(), 300u + round);
    EXPECT_EQ(copy["X-Huge"], std::string(5'000, 'y'));
  }
}

}  // namespace
}  // namespace cortado::http
