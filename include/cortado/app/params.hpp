#pragma once
/// Params: the named parts of a matched route pattern (req.params in Express).

#include "cortado/core/kept_block_allocator.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cortado {

/// Route parameters in pattern order, already %-decoded. A `*splat` holds its segments joined by '/'.
class Params {
 public:
  /// The parameter's value, or "" when the route has no such parameter.
  std::string_view operator[](std::string_view name) const {
    for (const auto& [key, value] : items_)
      if (key == name) return value;
    return {};
  }
  bool contains(std::string_view name) const {
    for (const auto& item : items_)
      if (item.first == name) return true;
    return false;
  }
  void set(std::string name, std::string value) {
    for (auto& item : items_)
      if (item.first == name) {
        item.second = std::move(value);
        return;
      }
    items_.emplace_back(std::move(name), std::move(value));
  }
  void clear() { items_.clear(); }
  bool empty() const { return items_.empty(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  using Item = std::pair<std::string, std::string>;
  // From the kept blocks: a route with a parameter took a malloc per request for this vector.
  std::vector<Item, detail::KeptBlockAllocator<Item>> items_;
};

}  // namespace cortado
