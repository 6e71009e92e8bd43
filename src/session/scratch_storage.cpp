#include "session/scratch_storage.hpp"

#include "core/kept_blocks.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace cortado::detail {

// A bump allocator whose blocks, all freed with it, come from the thread's kept blocks
// (core/kept_blocks.hpp): a request's scratch memory lives until its store has answered, so with
// 64 requests waiting on Redis, blocks freed straight to malloc piled up past what glibc keeps
// per thread (one such scratch cost 382 instructions to allocate and 153 to free, bench/profile
// W1r at 64 connections). The resource itself is small, and takes no block until it is used.
// Not Boost.JSON's monotonic_resource: that one doubles its blocks, so the first after 512 bytes
// is a 1 KiB allocation past glibc's per-thread cache (whose largest size is 1,032 bytes), served
// from the large bins, which first consolidate the fastbins.
class ScratchResource final : public boost::json::memory_resource {
 public:
  ScratchResource() = default;
  ScratchResource(const ScratchResource&) = delete;
  ScratchResource& operator=(const ScratchResource&) = delete;
  ~ScratchResource() override {
    while (blocks_ != nullptr) {
      Block* next = blocks_->next;
      KeptBlocks::deallocate(blocks_, blocks_->size);
      blocks_ = next;
    }
  }

 private:
  struct alignas(std::max_align_t) Block {
    Block* next;
    std::size_t size;
  };
  // 512 bytes: a session of a few keys takes 150 to 300.
  static constexpr std::size_t first_block_size = 512;
  // Each further block stays a small-bin size for glibc (a chunk under 1,024 bytes with its
  // header) when it is not kept: from 1,009 bytes up, a request that misses the per-thread cache
  // consolidates the fastbins.
  static constexpr std::size_t block_size = 960;

  void* do_allocate(std::size_t n, std::size_t align) override {
    if (void* p = carve(n, align)) return p;
    const std::size_t least = blocks_ == nullptr ? first_block_size : block_size;
    const std::size_t size = std::max(least, sizeof(Block) + n + align);
    auto* block = ::new (KeptBlocks::allocate(size)) Block{blocks_, size};
    blocks_ = block;
    at_ = reinterpret_cast<unsigned char*>(block + 1);
    end_ = reinterpret_cast<unsigned char*>(block) + size;
    return carve(n, align);  // fits: the block was sized for it
  }
  void do_deallocate(void*, std::size_t, std::size_t) override {}  // freed all at once, with the resource
  bool do_is_equal(const boost::json::memory_resource& other) const noexcept override { return this == &other; }

  // The next `n` bytes at `align` in the current block, or null when they do not fit.
  void* carve(std::size_t n, std::size_t align) {
    void* p = at_;
    std::size_t space = static_cast<std::size_t>(end_ - at_);
    if (p == nullptr || std::align(align, n, p, space) == nullptr) return nullptr;
    at_ = static_cast<unsigned char*>(p) + n;
    return p;
  }

  unsigned char* at_ = nullptr;
  unsigned char* end_ = nullptr;
  Block* blocks_ = nullptr;
};

}  // namespace cortado::detail

// Values on it need not free their parts one by one: their destructors skip the walk.
template <>
struct boost::json::is_deallocate_trivial<cortado::detail::ScratchResource> : std::true_type {};

boost::json::storage_ptr cortado::detail::scratch_storage() {
  return boost::json::make_shared_resource<ScratchResource>();
}
