// The shop and its cart. The cart is a typed session value (Cart, cart.hpp, stored as
// {"sku": quantity}), so it lives wherever the sessions live: with the SQLite default it survives a restart, and it survives a login because
// the login regenerates the session with regenerate(true), which keeps the data.
#include "cart.hpp"
#include "i18n.hpp"
#include "pages.hpp"
#include "site.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <charconv>
#include <cstdint>

namespace demo {
namespace {

namespace json = boost::json;
using cortado::Request;
using cortado::Response;

struct Product {
  std::string_view sku;
  std::string_view name;
  std::int64_t cents;
  std::string_view blurb;
};

constexpr std::array<Product, 4> catalog{{
    {"beans", "Espresso beans, 250 g", 950, "Chocolate, cherry, a long finish."},
    {"glass", "Cortado glass", 600, "135 ml, the traditional Gibraltar."},
    {"jug", "Milk jug", 1400, "Steel, 350 ml, for silky microfoam."},
    {"grinder", "Hand grinder", 4900, "Conical burrs, 40 clicks per turn."},
}};

const Product* find_product(std::string_view sku) {
  for (const auto& p : catalog)
    if (p.sku == sku) return &p;
  return nullptr;
}

std::string price(std::int64_t cents) {
  std::string decimals = std::to_string(cents % 100);
  return "€" + std::to_string(cents / 100) + "." + (decimals.size() == 1 ? "0" + decimals : decimals);
}

// The visitor's cart: empty until something is added.
Cart cart_of(const cortado::Session& s) { return s.get<std::optional<Cart>>("cart").value_or(Cart{}); }

void home(Request& req, Response& res) {
  auto page = page_for(req);
  json::array products;
  for (const auto& p : catalog)
    products.push_back({{"sku", p.sku}, {"name", p.name}, {"blurb", p.blurb}, {"price", price(p.cents)}});
  render(res, page, "home", t(page.lang, "home.title"),
         {{"visits", t(page.lang, "home.visits", std::to_string(page.views))}, {"products", std::move(products)}});
}

void show_cart(Request& req, Response& res) {
  auto page = page_for(req);
  const Cart cart = cart_of(req.session());
  json::array lines;
  std::int64_t total = 0;
  for (const auto& [sku, quantity] : cart.lines) {
    const Product* p = find_product(sku);
    if (!p) continue;
    total += p->cents * quantity;
    lines.push_back({{"sku", p->sku}, {"name", p->name}, {"price", price(p->cents)}, {"quantity", quantity}});
  }
  render(res, page, "cart", t(page.lang, "cart.title"), {{"lines", std::move(lines)}, {"total", price(total)}});
}

void add_to_cart(Request& req, Response& res) {
  auto& s = req.session();
  auto lang = lang_of(s);
  const Product* p = find_product(form_field(req, "sku"));
  if (!p) {
    flash(s, "error", std::string(t(lang, "cart.unknown")));
    return res.redirect(303, "/");
  }
  auto cart = cart_of(s);
  cart.set(p->sku, cart.quantity(p->sku) + 1);
  s.set("cart", cart);
  flash(s, "ok", t(lang, "cart.added", p->name));
  res.redirect(303, "/");
}

void update_cart(Request& req, Response& res) {
  auto& s = req.session();
  auto lang = lang_of(s);
  const Product* p = find_product(form_field(req, "sku"));
  auto text = form_field(req, "quantity");
  std::int64_t quantity = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), quantity);
  if (!p || error != std::errc() || end != text.data() + text.size() || quantity < 0) {
    flash(s, "error", std::string(t(lang, "cart.unknown")));
    return res.redirect(303, "/cart");
  }
  auto cart = cart_of(s);
  cart.set(p->sku, quantity);  // 0 removes it
  s.set("cart", cart);
  flash(s, "ok", std::string(t(lang, "cart.updated")));
  res.redirect(303, "/cart");
}

void remove_from_cart(Request& req, Response& res) {
  auto& s = req.session();
  if (const Product* p = find_product(form_field(req, "sku"))) {
    auto cart = cart_of(s);
    cart.set(p->sku, 0);
    s.set("cart", cart);
    flash(s, "ok", t(lang_of(s), "cart.removed", p->name));
  }
  res.redirect(303, "/cart");
}

}  // namespace

void add_shop_routes(cortado::App& app, Site&) {
  app.get("/", home);
  app.get("/cart", show_cart);
  app.post("/cart/add", add_to_cart);
  app.post("/cart/update", update_cart);
  app.post("/cart/remove", remove_from_cart);
}

}  // namespace demo
