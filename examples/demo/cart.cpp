#include "cart.hpp"

#include <algorithm>
#include <stdexcept>

namespace demo {

std::int64_t Cart::count() const {
  std::int64_t total = 0;
  for (const auto& [sku, quantity] : lines) total += quantity;
  return total;
}

std::int64_t Cart::quantity(std::string_view sku) const {
  for (const auto& [line_sku, quantity] : lines)
    if (line_sku == sku) return quantity;
  return 0;
}

void Cart::set(std::string_view sku, std::int64_t quantity) {
  auto line = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == sku; });
  if (quantity <= 0) {
    if (line != lines.end()) lines.erase(line);
    return;
  }
  quantity = std::min(quantity, max_quantity);
  if (line == lines.end())
    lines.emplace_back(sku, quantity);
  else
    line->second = quantity;
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const Cart& cart) {
  auto& object = v.emplace_object();
  for (const auto& [sku, quantity] : cart.lines) object[sku] = quantity;
}

Cart tag_invoke(boost::json::value_to_tag<Cart>, const boost::json::value& v) {
  const auto* object = v.if_object();
  if (!object) throw std::invalid_argument("a cart is an object of quantities");
  Cart cart;
  for (const auto& [sku, quantity] : *object) {
    if (!quantity.is_int64() || quantity.get_int64() < 1 || quantity.get_int64() > Cart::max_quantity)
      throw std::invalid_argument("the quantity of \"" + std::string(sku) + "\" is not a whole number from 1 to " +
                                  std::to_string(Cart::max_quantity));
    cart.lines.emplace_back(sku, quantity.get_int64());
  }
  return cart;
}

}  // namespace demo
