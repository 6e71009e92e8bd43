#pragma once
// KeptBlocks: freed blocks kept on each thread for reuse, for what a request holds while it waits.
//
// glibc's malloc keeps at most 7 freed chunks of each size per thread (its tcache). Past that, a
// free and the next malloc of that size go through its bins: 100 to 400 instructions each
// instead of some 20. A request served from memory frees what it took before the next one takes
// the same sizes, so it stays within the 7; a request that waits on Redis holds its objects
// across the wait, and with 64 requests waiting at once nearly every one of those sizes is past
// them. glibc's count can be raised only from the environment (GLIBC_TUNABLES), which a library
// cannot set for its program; the objects that live across a store's wait take their memory from
// here instead.

#include "cortado/core/kept_block_allocator.hpp"

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace cortado::detail {

/// Blocks of every size up to `small_limit` bytes (in steps of `step`) and of `page` bytes, kept
/// per thread: at most `most` of each size, freed when the thread ends.
class KeptBlocks {
 public:
  static constexpr std::size_t step = 64;
  static constexpr std::size_t small_limit = 1024;
  static constexpr std::size_t page = 4096;
  /// 64 blocks of a size: one for each request of a thread with 64 requests waiting.
  static constexpr std::size_t most = 64;

  /// A kept block that holds `size` bytes, or null when there is none (or the size is not kept).
  static void* take(std::size_t size) noexcept;
  /// Keeps `block`, made by allocate(size) (or by operator new of rounded(size) bytes); false
  /// when that size is full, not kept, or the thread is ending: the caller frees it then.
  static bool keep(void* block, std::size_t size) noexcept;
  /// The size a block for `size` bytes is made with, so that it can be kept and reused.
  static std::size_t rounded(std::size_t size) noexcept;

  /// take(), else a new block of rounded(size) bytes.
  static void* allocate(std::size_t size) {
    if (void* block = take(size)) return block;
    return ::operator new(rounded(size));
  }
  /// keep(), else the block is freed.
  static void deallocate(void* block, std::size_t size) noexcept {
    if (!keep(block, size)) ::operator delete(block);
  }
};

/// std::make_shared on KeptBlocks: the object and its count in one kept block.
template <class T, class... Args>
std::shared_ptr<T> make_shared_kept(Args&&... args) {
  return std::allocate_shared<T>(KeptBlockAllocator<T>(), std::forward<Args>(args)...);
}

}  // namespace cortado::detail
