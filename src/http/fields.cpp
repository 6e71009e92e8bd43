#include "cortado/http/fields.hpp"

#include <array>
#include <cstdint>
#include <new>

namespace cortado::detail {
namespace {

// Size classes of 64 bytes up to 512: a field's block is Beast's element (about 80 bytes) with
// its name and value, so nearly every field falls in the first few classes. Larger ones go to
// operator new as they are.
constexpr std::size_t class_bytes = 64;
constexpr std::size_t class_count = 8;
// At most this many blocks kept per class and thread, enough for the fields of a few dozen
// requests in flight: 576 KiB per thread at worst, however many requests it has served.
constexpr std::uint32_t kept_per_class = 256;

// Under AddressSanitizer (GCC's macro, or clang's feature test) every block comes from operator
// new and goes back to it, so that a use of a freed field is still caught.
#if defined(__SANITIZE_ADDRESS__)
#define CORTADO_FIELD_BLOCKS_POOLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORTADO_FIELD_BLOCKS_POOLED 0
#endif
#endif
#ifndef CORTADO_FIELD_BLOCKS_POOLED
#define CORTADO_FIELD_BLOCKS_POOLED 1
#endif
constexpr bool pooled = CORTADO_FIELD_BLOCKS_POOLED;

struct FreeBlock {
  FreeBlock* next;
};

// Trivial and constant-initialised, so that a thread reaches its lists without the guard a
// thread_local with a destructor costs on every access; Reaper frees them at thread exit.
struct Lists {
  std::array<FreeBlock*, class_count> head;
  std::array<std::uint32_t, class_count> size;
  bool reaper_made;
  bool gone;  // set at thread exit: a field freed later, by another thread_local's destructor, is deleted
};
thread_local constinit Lists lists{};

struct Reaper {
  ~Reaper() {
    for (FreeBlock* block : lists.head) {
      while (block) {
        FreeBlock* next = block->next;
        ::operator delete(block);
        block = next;
      }
    }
    lists.head = {};
    lists.gone = true;
  }
};

// The class a block of `bytes` falls in; class_count and above are not kept.
constexpr std::size_t size_class(std::size_t bytes) { return bytes == 0 ? 0 : (bytes - 1) / class_bytes; }

// Made on the thread's first kept block, and destroyed when the thread ends.
void make_reaper() {
  thread_local Reaper reaper;
  (void)reaper;
  lists.reaper_made = true;
}

}  // namespace

bool field_blocks_pooled() { return pooled; }

void* take_field_block(std::size_t bytes) {
  const std::size_t c = size_class(bytes);
  if (!pooled || c >= class_count) return ::operator new(bytes);
  if (FreeBlock* block = lists.head[c]) {
    lists.head[c] = block->next;
    --lists.size[c];
    return block;
  }
  return ::operator new((c + 1) * class_bytes);  // the whole class: any block of it may be reused for any size in it
}

void give_field_block(void* block, std::size_t bytes) noexcept {
  const std::size_t c = size_class(bytes);
  if (!pooled || c >= class_count || lists.gone || lists.size[c] >= kept_per_class) {
    ::operator delete(block);
    return;
  }
  if (!lists.reaper_made) make_reaper();
  lists.head[c] = new (block) FreeBlock{lists.head[c]};
  ++lists.size[c];
}

}  // namespace cortado::detail
