#pragma once
/// The header fields of requests and responses: Beast's, with an allocator of their own. Beast
/// gives each field one allocation (its name and value in one block), and a response's fields are
/// made and freed on every request: Date, Content-Length, Content-Type, X-Powered-By, ETag, the
/// Set-Cookie. The blocks are kept per thread in lists by size instead of going back to malloc.

#include <boost/beast/http/fields.hpp>

#include <cstddef>

namespace cortado::detail {
/// A block of at least `bytes`, from this thread's lists when one of its size is there.
void* take_field_block(std::size_t bytes);
/// Gives back a block take_field_block(bytes) returned, on any thread.
void give_field_block(void* block, std::size_t bytes) noexcept;
/// False under AddressSanitizer, where every block goes back to operator delete at once.
bool field_blocks_pooled();
}  // namespace cortado::detail

namespace cortado::http {

/// Stateless: every instance allocates from the calling thread's lists, so any two compare equal.
template <class T>
struct FieldAllocator {
  using value_type = T;

  FieldAllocator() noexcept = default;
  template <class U>
  FieldAllocator(const FieldAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(cortado::detail::take_field_block(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { cortado::detail::give_field_block(p, n * sizeof(T)); }

  template <class U>
  bool operator==(const FieldAllocator<U>&) const noexcept {
    return true;
  }
};

/// Header fields as Beast keeps them, in blocks FieldAllocator recycles.
using Fields = boost::beast::http::basic_fields<FieldAllocator<char>>;

}  // namespace cortado::http
