// The per-thread cache of 4 KiB blocks behind a connection's read buffer and response text. Each
// test runs on a thread of its own, so that it starts with an empty cache and its blocks are
// freed when the thread ends (LeakSanitizer, in the ASan build, reports any that are not).
#include "http/block_cache.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace cortado::http {
namespace {

template <class Body>
void on_own_thread(Body body) {
  std::thread thread(body);
  thread.join();
}

TEST(BlockCache, ABlockGivenBackIsTheNextOneTaken) {
  on_own_thread([] {
    CachedBlockAllocator<char> alloc;
    char* first = alloc.allocate(BlockCache::block_size);
    first[0] = 'x';
    first[BlockCache::block_size - 1] = 'y';  // the whole block is usable
    alloc.deallocate(first, BlockCache::block_size);
    char* second = alloc.allocate(BlockCache::block_size);
    EXPECT_EQ(second, first);
    char* third = alloc.allocate(BlockCache::block_size);  // the cache is empty again: a new block
    EXPECT_NE(third, first);
    alloc.deallocate(second, BlockCache::block_size);
    alloc.deallocate(third, BlockCache::block_size);
  });
}

TEST(BlockCache, OtherSizesAreNotKept) {
  on_own_thread([] {
    CachedBlockAllocator<char> alloc;
    char* small = alloc.allocate(100);
    alloc.deallocate(small, 100);
    EXPECT_EQ(BlockCache::take(), nullptr);
    char* large = alloc.allocate(2 * BlockCache::block_size);
    alloc.deallocate(large, 2 * BlockCache::block_size);
    EXPECT_EQ(BlockCache::take(), nullptr);
  });
}

TEST(BlockCache, KeepsAtMostItsLimit) {
  on_own_thread([] {
    CachedBlockAllocator<char> alloc;
    std::vector<char*> blocks;
    for (std::size_t i = 0; i < BlockCache::most + 1; ++i) blocks.push_back(alloc.allocate(BlockCache::block_size));
    for (std::size_t i = 0; i < BlockCache::most; ++i) EXPECT_TRUE(BlockCache::keep(blocks[i]));
    EXPECT_FALSE(BlockCache::keep(blocks.back()));  // full: the caller frees it
    ::operator delete(blocks.back());
    std::size_t taken = 0;
    while (void* block = BlockCache::take()) {
      ++taken;
      ::operator delete(block);
    }
    EXPECT_EQ(taken, BlockCache::most);
  });
}

TEST(BlockCache, ThreadsKeepTheirOwn) {
  void* kept_elsewhere = nullptr;
  on_own_thread([&] {
    CachedBlockAllocator<char> alloc;
    char* block = alloc.allocate(BlockCache::block_size);
    kept_elsewhere = block;
    alloc.deallocate(block, BlockCache::block_size);  // kept by this thread, freed when it ends
  });
  on_own_thread([] { EXPECT_EQ(BlockCache::take(), nullptr); });  // nothing of the other thread's
  EXPECT_NE(kept_elsewhere, nullptr);
}

TEST(BlockCache, ReadBufferAndHeldTextUseTheCache) {
  on_own_thread([] {
    ReadBuffer buffer(1 << 20);
    auto room = buffer.prepare(4096);
    void* read_block = room.data();
    buffer.shrink_to_fit();  // as a connection does before it waits
    EXPECT_EQ(BlockCache::take(), read_block);
    ::operator delete(read_block);

    HeldText held;
    reserve_block(held, 200);
    EXPECT_EQ(held.capacity(), BlockCache::block_size - 1);
    held.assign(200, 'h');
    const void* text_block = held.data();
    held.clear();
    held.shrink_to_fit();
    EXPECT_EQ(BlockCache::take(), text_block);
    ::operator delete(const_cast<void*>(text_block));
    reserve_block(held, BlockCache::block_size);  // does not fit one block: left to the string
    EXPECT_LT(held.capacity(), BlockCache::block_size);
  });
}

}  // namespace
}  // namespace cortado::http
