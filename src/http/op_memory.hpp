#pragma once
// OpMemory: room for one pending operation of Asio's, handed to it as that operation's allocator
// (Asio's "custom memory allocation" pattern); a connection's wait for its next request keeps its
// operation there (read_watch.hpp). Without it the operation comes from Asio's per-thread
// recycling cache, whose few blocks are all taken once many connections wait at the same time
// (64 clients, each between two of its requests), and every wait then went to malloc and free.

#include <cstddef>
#include <new>

namespace cortado::http {

class OpMemory {
 public:
  OpMemory() = default;
  OpMemory(const OpMemory&) = delete;  // an operation may live in it
  OpMemory& operator=(const OpMemory&) = delete;

  /// The room when it is free and large enough; otherwise the heap (a second operation at once,
  /// or a larger one, still works).
  void* allocate(std::size_t size) {
    if (!in_use_ && size <= sizeof(room_)) {
      in_use_ = true;
      return room_;
    }
    return ::operator new(size);
  }
  void deallocate(void* pointer) noexcept {
    if (pointer == room_) {
      in_use_ = false;
      return;
    }
    ::operator delete(pointer);
  }

 private:
  alignas(std::max_align_t) std::byte room_[256];
  bool in_use_ = false;
};

/// The standard allocator over an OpMemory, for asio::bind_allocator.
template <class T>
class OpAllocator {
 public:
  using value_type = T;

  explicit OpAllocator(OpMemory& memory) noexcept : memory_(&memory) {}
  template <class U>
  OpAllocator(const OpAllocator<U>& other) noexcept : memory_(other.memory()) {}

  T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(n * sizeof(T))); }
  void deallocate(T* pointer, std::size_t) noexcept { memory_->deallocate(pointer); }
  OpMemory* memory() const noexcept { return memory_; }

  template <class U>
  bool operator==(const OpAllocator<U>& other) const noexcept {
    return memory_ == other.memory();
  }

 private:
  OpMemory* memory_;
};

}  // namespace cortado::http
