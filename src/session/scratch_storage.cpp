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

  alignas(std::max_align_t) unsigned char bytes_[1024];
  boost::json::monotonic_resource bump_;
};

}  // namespace cortado::detail

// Values on it need not free their parts one by one: their destructors skip the walk.
template <>
struct boost::json::is_deallocate_trivial<cortado::detail::ScratchResource> : std::true_type {};

boost::json::storage_ptr cortado::detail::scratch_storage() {
  return boost::json::make_shared_resource<ScratchResource>();
}
