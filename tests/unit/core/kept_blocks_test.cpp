// The per-thread shelves of freed blocks that a request's objects held across a store's wait come
// from. Each test runs on a thread of its own, so that it starts with empty shelves and its blocks
// are freed when the thread ends (LeakSanitizer, in the ASan build, reports any that are not).
#include "core/kept_blocks.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace cortado::detail {
namespace {

template <class Body>
void on_own_thread(Body body) {
  std::thread thread(body);
  thread.join();
}

TEST(KeptBlocks, SizesAreRoundedUpToTheirShelf) {
  EXPECT_EQ(KeptBlocks::rounded(0), 64u);
  EXPECT_EQ(KeptBlocks::rounded(1), 64u);
  EXPECT_EQ(KeptBlocks::rounded(64), 64u);
  EXPECT_EQ(KeptBlocks::rounded(65), 128u);
  EXPECT_EQ(KeptBlocks::rounded(1000), 1024u);
  EXPECT_EQ(KeptBlocks::rounded(1024), 1024u);
  EXPECT_EQ(KeptBlocks::rounded(1025), 1025u);  // not kept: made as asked
  EXPECT_EQ(KeptBlocks::rounded(4096), 4096u);
}

TEST(KeptBlocks, ABlockGivenBackServesAnySizeOfItsShelf) {
  on_own_thread([] {
    void* block = KeptBlocks::allocate(100);  // the 128-byte shelf
    std::memset(block, 'x', KeptBlocks::rounded(100));  // the whole rounded size is usable
    KeptBlocks::deallocate(block, 100);
    EXPECT_EQ(KeptBlocks::take(64), nullptr);  // another shelf
    EXPECT_EQ(KeptBlocks::take(4096), nullptr);
    void* again = KeptBlocks::allocate(128);
    EXPECT_EQ(again, block);
    EXPECT_EQ(KeptBlocks::take(65), nullptr);  // it was the only one
    KeptBlocks::deallocate(again, 128);
  });
}

TEST(KeptBlocks, LargeSizesOtherThanThePageAreNotKept) {
  on_own_thread([] {
    void* block = KeptBlocks::allocate(2000);
    EXPECT_FALSE(KeptBlocks::keep(block, 2000));
    KeptBlocks::deallocate(block, 2000);  // freed
    EXPECT_EQ(KeptBlocks::take(2000), nullptr);
  });
}

TEST(KeptBlocks, KeepsAtMostItsLimitOfEachSize) {
  on_own_thread([] {
    std::vector<void*> blocks;
    for (std::size_t i = 0; i < KeptBlocks::most + 1; ++i) blocks.push_back(KeptBlocks::allocate(300));
    for (std::size_t i = 0; i < KeptBlocks::most; ++i) EXPECT_TRUE(KeptBlocks::keep(blocks[i], 300));
    EXPECT_FALSE(KeptBlocks::keep(blocks.back(), 300));  // full: the caller frees it
    ::operator delete(blocks.back());
    void* other = KeptBlocks::allocate(40);  // other sizes have shelves of their own
    EXPECT_TRUE(KeptBlocks::keep(other, 40));
    std::size_t taken = 0;
    while (void* block = KeptBlocks::take(300)) {
      ++taken;
      ::operator delete(block);
    }
    EXPECT_EQ(taken, KeptBlocks::most);
  });
}

TEST(KeptBlocks, ThreadsKeepTheirOwn) {
  void* kept = nullptr;
  on_own_thread([&kept] {
    kept = KeptBlocks::allocate(500);
    KeptBlocks::deallocate(kept, 500);  // kept by this thread, freed when it ends
  });
  on_own_thread([] { EXPECT_EQ(KeptBlocks::take(500), nullptr); });  // nothing of the other thread's
}

TEST(KeptBlocks, SharedObjectsTakeTheirMemoryFromTheShelves) {
  on_own_thread([] {
    using Record = std::array<char, 200>;
    const void* first = nullptr;
    {
      auto record = make_shared_kept<Record>();
      record->fill('r');
      first = record.get();
    }  // its block goes back to its shelf
    auto again = make_shared_kept<Record>();
    EXPECT_EQ(static_cast<const void*>(again.get()), first);
  });
}

}  // namespace
}  // namespace cortado::detail
