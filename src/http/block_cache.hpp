#pragma once
// A per-thread cache of 4 KiB blocks, for what a connection holds only while it is busy: its read
// buffer and the text of its responses not yet sent.

#include "core/kept_blocks.hpp"

#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <new>
#include <string>

namespace cortado::http {

/// Blocks of the size a connection's read buffer starts at, kept for reuse on each thread
/// (KeptBlocks' page size). A keep-alive connection gives its read buffer and its response text
/// back each time it waits for the next request (so that an idle one holds neither) and takes
/// them again as soon as bytes arrive: kept, each costs a pop and a push per request instead of a
/// malloc and a free (some 150 instructions each, bench/profile W0).
class BlockCache {
 public:
  static constexpr std::size_t block_size = detail::KeptBlocks::page;
  /// At most this many per thread (256 KiB): enough for every connection of a busy thread to
  /// wait at once, little against the connections' own memory.
  static constexpr std::size_t most = detail::KeptBlocks::most;
  /// A kept block, or null when there is none.
  static void* take() noexcept { return detail::KeptBlocks::take(block_size); }
  /// Keeps `block` (block_size bytes from operator new); false when the cache is full or its
  /// thread is ending, and the caller frees it.
  static bool keep(void* block) noexcept { return detail::KeptBlocks::keep(block, block_size); }
};

/// An allocator that serves requests of exactly BlockCache::block_size bytes from the cache.
template <class T>
struct CachedBlockAllocator {
  using value_type = T;
  CachedBlockAllocator() = default;
  template <class U>
  CachedBlockAllocator(const CachedBlockAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n * sizeof(T) == BlockCache::block_size)
      if (void* block = BlockCache::take()) return static_cast<T*>(block);
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) == BlockCache::block_size && BlockCache::keep(p)) return;
    ::operator delete(p);
  }
  friend bool operator==(const CachedBlockAllocator&, const CachedBlockAllocator&) noexcept { return true; }
};

/// What a connection reads into (a flat_buffer: Beast's parser wants the head in one piece). Its
/// first allocation is prepare(4096) on an empty buffer: one block.
using ReadBuffer = boost::beast::basic_flat_buffer<CachedBlockAllocator<char>>;

/// The text of responses not yet sent (Connection::held). Reserved a whole block at once
/// (reserve_block) when its first response fits in one.
using HeldText = std::basic_string<char, std::char_traits<char>, CachedBlockAllocator<char>>;

/// Makes room for `size` characters in `text`: a whole block when they fit in one (its
/// terminating null included), so that the allocation is the cache's.
inline void reserve_block(HeldText& text, std::size_t size) {
  if (text.capacity() < size && size < BlockCache::block_size) text.reserve(BlockCache::block_size - 1);
}

}  // namespace cortado::http
