#include "session/scratch_storage.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <cstddef>
#include <type_traits>

namespace cortado::detail {

// monotonic_resource is final, so it is held and its calls passed on. The buffer is declared
// before it: members are built in declaration order.
class ScratchResource final : public boost::json::memory_resource {
 public:
  ScratchResource() : bump_(bytes_, sizeof bytes_) {}

 private:
  void* do_allocate(std::size_t n, std::size_t align) override { return bump_.allocate(n, align); }
  void do_deallocate(void*, std::size_t, std::size_t) override {}  // freed all at once, with the resource
  bool do_is_equal(const boost::json::memory_resource& other) const noexcept override { return this == &other; }

  // 512 bytes: a session of a few keys takes 150 to 300. With the resource's own fields and the
  // shared block's header the allocation stays under 1 KiB, which glibc serves from its
  // per-thread cache; a larger one first consolidated the fastbins on every request.
  alignas(std::max_align_t) unsigned char bytes_[512];
  boost::json::monotonic_resource bump_;
};

}  // namespace cortado::detail

// Values on it need not free their parts one by one: their destructors skip the walk.
template <>
struct boost::json::is_deallocate_trivial<cortado::detail::ScratchResource> : std::true_type {};

boost::json::storage_ptr cortado::detail::scratch_storage() {
  return boost::json::make_shared_resource<ScratchResource>();
}
