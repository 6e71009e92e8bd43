#include "core/kept_blocks.hpp"

namespace cortado::detail {
namespace {

struct FreeBlock {
  FreeBlock* next;
};

struct Shelf {
  FreeBlock* head = nullptr;
  std::size_t count = 0;
};

// One shelf per kept size: the small sizes by step, then the page.
constexpr std::size_t small_shelves = KeptBlocks::small_limit / KeptBlocks::step;
constexpr std::size_t page_shelf = small_shelves;
constexpr std::size_t no_shelf = small_shelves + 1;

// Trivially destructible, so still readable while the thread's other objects are destroyed (a
// connection's frame may give its buffer back then): `ending` turns keep() away after Drain.
struct ThreadShelves {
  Shelf shelves[small_shelves + 1];
  bool ending = false;
  bool armed = false;
};
thread_local ThreadShelves kept;

// Frees the kept blocks when the thread ends.
struct Drain {
  bool armed = false;
  ~Drain() {
    kept.ending = true;
    for (Shelf& shelf : kept.shelves) {
      while (shelf.head != nullptr) {
        FreeBlock* block = shelf.head;
        shelf.head = block->next;
        ::operator delete(block);
      }
      shelf.count = 0;
    }
  }
};
thread_local Drain drain;

std::size_t shelf_of(std::size_t size) noexcept {
  if (size == 0) size = 1;
  if (size <= KeptBlocks::small_limit) return (size - 1) / KeptBlocks::step;
  return size == KeptBlocks::page ? page_shelf : no_shelf;
}

}  // namespace

std::size_t KeptBlocks::rounded(std::size_t size) noexcept {
  const std::size_t shelf = shelf_of(size);
  return shelf < small_shelves ? (shelf + 1) * step : size;
}

void* KeptBlocks::take(std::size_t size) noexcept {
  const std::size_t index = shelf_of(size);
  if (index == no_shelf) return nullptr;
  Shelf& shelf = kept.shelves[index];
  FreeBlock* block = shelf.head;
  if (block == nullptr) return nullptr;
  shelf.head = block->next;
  --shelf.count;
  return block;
}

bool KeptBlocks::keep(void* block, std::size_t size) noexcept {
  const std::size_t index = shelf_of(size);
  if (index == no_shelf || kept.ending) return false;
  Shelf& shelf = kept.shelves[index];
  if (shelf.count == most) return false;
  if (!kept.armed) {
    kept.armed = true;
    drain.armed = true;  // the first use of `drain` on this thread registers its destructor
  }
  shelf.head = ::new (block) FreeBlock{shelf.head};
  ++shelf.count;
  return true;
}

void* allocate_kept(std::size_t size) { return KeptBlocks::allocate(size); }

void deallocate_kept(void* block, std::size_t size) noexcept { KeptBlocks::deallocate(block, size); }

}  // namespace cortado::detail
