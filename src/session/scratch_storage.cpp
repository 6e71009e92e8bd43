#include "session/scratch_storage.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace cortado::detail {

// A bump allocator: 512 bytes inline, then blocks of its own, all freed with it. Not Boost.JSON's
// monotonic_resource: that one doubles its blocks, so the first after 512 bytes is a 1 KiB
// allocation past glibc's per-thread cache (whose largest size is 1,032 bytes). Such a request is
// served from the large bins, which first consolidate the fastbins: under load, with 64 requests
// waiting on Redis, that was 2% of the server's time for one save's JSON that outgrew 512 bytes.
class ScratchResource final : public boost::json::memory_resource {
 public:
  ScratchResource() = default;
  ScratchResource(const ScratchResource&) = delete;
  ScratchResource& operator=(const ScratchResource&) = delete;
  ~ScratchResource() override {
    while (blocks_ != nullptr) {
      Block* next = blocks_->next;
      ::operator delete(blocks_);
      blocks_ = next;
    }
  }

 private:
  struct Block {
    Block* next;
  };
  // Each further block stays a small-bin size for glibc (a chunk under 1,024 bytes with its header):
  // from 1,009 bytes up, a request that misses the per-thread cache consolidates the fastbins.
  static constexpr std::size_t block_size = 992;

  void* do_allocate(std::size_t n, std::size_t align) override {
    if (void* p = carve(n, align)) return p;
    const std::size_t size = std::max(block_size, sizeof(Block) + n + align);
    auto* block = static_cast<Block*>(::operator new(size));
    block->next = blocks_;
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
    if (std::align(align, n, p, space) == nullptr) return nullptr;
    at_ = static_cast<unsigned char*>(p) + n;
    return p;
  }

  // 512 bytes: a session of a few keys takes 150 to 300, and the resource (made by
  // make_shared_resource, with its header) stays a small allocation.
  alignas(std::max_align_t) unsigned char bytes_[512];
  unsigned char* at_ = bytes_;
  unsigned char* end_ = bytes_ + sizeof bytes_;
  Block* blocks_ = nullptr;
};

}  // namespace cortado::detail

// Values on it need not free their parts one by one: their destructors skip the walk.
template <>
struct boost::json::is_deallocate_trivial<cortado::detail::ScratchResource> : std::true_type {};

boost::json::storage_ptr cortado::detail::scratch_storage() {
  return boost::json::make_shared_resource<ScratchResource>();
}
