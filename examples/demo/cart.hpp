#pragma once
// The cart: a typed session value. It is stored as {"sku": quantity, ...} in the order the items
// were added (what a Node app would keep), and read and written with req.session().get<Cart>() and
// set(), through the tag_invoke conversions below.

#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace demo {

struct Cart {
  static constexpr std::int64_t max_quantity = 99;

  /// sku and quantity (1 to max_quantity), in the order added.
  std::vector<std::pair<std::string, std::int64_t>> lines;

  /// Items in the cart, every quantity counted.
  std::int64_t count() const;
  /// The quantity of `sku`, 0 when it is not in the cart.
  std::int64_t quantity(std::string_view sku) const;
  /// Sets the quantity of `sku`, capped at max_quantity; 0 or less removes it.
  void set(std::string_view sku, std::int64_t quantity);
};

/// {"sku": quantity, ...}
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const Cart& cart);
/// Throws std::invalid_argument for anything but an object whose values are integers from 1 to
/// max_quantity; req.session().get<Cart>() turns it into a SessionValueError naming the key.
Cart tag_invoke(boost::json::value_to_tag<Cart>, const boost::json::value& v);

}  // namespace demo
