#pragma once
/// KeptBlockAllocator: memory from the blocks each thread keeps for reuse (src/core/kept_blocks.hpp),
/// for what a request makes in a public header (its slots, its route parameters).

#include <cstddef>
#include <new>

namespace cortado::detail {

/// A kept block for `size` bytes, else a new one (KeptBlocks::allocate).
void* allocate_kept(std::size_t size);
/// Keeps the block of allocate_kept(size) for reuse, or frees it (KeptBlocks::deallocate).
void deallocate_kept(void* block, std::size_t size) noexcept;

/// An allocator on the kept blocks, for std::allocate_shared and containers of what a request holds.
template <class T>
struct KeptBlockAllocator {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "blocks have operator new's alignment");
  using value_type = T;
  KeptBlockAllocator() = default;
  template <class U>
  KeptBlockAllocator(const KeptBlockAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(allocate_kept(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { deallocate_kept(p, n * sizeof(T)); }
  friend bool operator==(const KeptBlockAllocator&, const KeptBlockAllocator&) noexcept { return true; }
};

}  // namespace cortado::detail
