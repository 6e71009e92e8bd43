#pragma once
// RedisKey: a key joined from a few parts, held in the object itself when it is short.

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace cortado::stores {

/// A Redis key made of parts: the prefix and a session id ("sess:" and 32 characters), or
/// "owner-of:", the prefix and an id. Up to inline_size bytes it lives in the object, so that the
/// keys of a store call allocate nothing (as std::string they were three allocations of a touch
/// and one of a load); a longer one (a long prefix) is a std::string. Read it as a string_view.
/// 64 bytes hold the default prefixes' keys (37 and 46 bytes) with room for a longer prefix; the
/// keys live in the frames of the store's coroutines, which must stay under the 1020 bytes that
/// Asio's recycling cache (and malloc's per-thread cache) take.
class RedisKey {
 public:
  static constexpr std::size_t inline_size = 64;

  template <class... Parts>
  explicit RedisKey(const Parts&... parts) {
    const std::array<std::string_view, sizeof...(Parts)> views{std::string_view(parts)...};
    for (const std::string_view part : views) size_ += part.size();
    char* out = inline_.data();
    if (size_ > inline_size) {
      long_.resize(size_);
      out = long_.data();
    }
    for (const std::string_view part : views) {
      if (!part.empty()) std::memcpy(out, part.data(), part.size());
      out += part.size();
    }
  }

  std::string_view view() const {
    return size_ <= inline_size ? std::string_view(inline_.data(), size_) : std::string_view(long_);
  }
  operator std::string_view() const { return view(); }
  std::string str() const { return std::string(view()); }

 private:
  std::size_t size_ = 0;
  std::array<char, inline_size> inline_;
  std::string long_;  // the key when it is longer than inline_size
};

}  // namespace cortado::stores
