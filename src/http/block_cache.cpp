#include "http/block_cache.hpp"

namespace cortado::http {
namespace {

struct FreeBlock {
  FreeBlock* next;
};

// Trivially destructible, so still readable while the thread's other objects are destroyed
// (a connection's frame may give its buffer back then): `ending` turns keep() away after Drain.
struct CacheState {
  FreeBlock* head = nullptr;
  std::size_t count = 0;
  bool ending = false;
  bool armed = false;
};
thread_local CacheState state;

// Frees the kept blocks when the thread ends.
struct Drain {
  bool armed = false;
  ~Drain() {
    state.ending = true;
    while (state.head) {
      FreeBlock* block = state.head;
      state.head = block->next;
      ::operator delete(block);
    }
    state.count = 0;
  }
};
thread_local Drain drain;

}  // namespace

void* BlockCache::take() noexcept {
  FreeBlock* block = state.head;
  if (!block) return nullptr;
  state.head = block->next;
  --state.count;
  return block;
}

bool BlockCache::keep(void* block) noexcept {
  if (state.ending || state.count == most) return false;
  if (!state.armed) {
    state.armed = true;
    drain.armed = true;  // the first use of `drain` on this thread registers its destructor
  }
  state.head = ::new (block) FreeBlock{state.head};
  ++state.count;
  return true;
}

}  // namespace cortado::http
