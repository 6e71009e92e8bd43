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
class RedisKey {
 public:
  static constexpr std::size_t inline_size = 96;

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
