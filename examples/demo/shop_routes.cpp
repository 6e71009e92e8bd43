// The shop and its cart. The cart is a typed session value (Cart, cart.hpp, stored as
// {"sku": quantity}), so it lives wherever the sessions live: with the SQLite default it survives a restart, and it survives a login because
// the login regenerates the session with regenerate(true), which keeps the data.
#include "cart.hpp"
#include "i18n.hpp"
#include "pages.hpp"
#include "site.hpp"

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
  std::string body = "<p>" + page.tr("home.intro") + "</p>\n";
  body += "<p id=\"visits\" class=\"muted\">" + page.tr("home.visits", std::to_string(page.views)) + "</p>\n";
  body += "<div class=\"products\">\n";
  for (const auto& p : catalog) {
    body += "<section class=\"card\"><h2>" + h(p.name) + "</h2><p class=\"muted\">" + h(p.blurb) + "</p><p>" +
            h(price(p.cents)) + "</p>" + post_button(page, "/cart/add", t(page.lang, "cart.add"), {{"sku", p.sku}}) +
            "</section>\n";
  }
  body += "</div>";
  render(res, page, t(page.lang, "home.title"), body);
}

void show_cart(Request& req, Response& res) {
  auto page = page_for(req);
  const Cart cart = cart_of(req.session());
  std::string rows;
  std::int64_t total = 0;
  for (const auto& [sku, quantity] : cart.lines) {
    const Product* p = find_product(sku);
    if (!p) continue;
    total += p->cents * quantity;
    std::string qty = std::to_string(quantity);
    rows += "<tr><td>" + h(p->name) + "</td><td>" + h(price(p->cents)) + "</td><td>";
    rows += "<form class=\"inline\" method=\"post\" action=\"/cart/update\">" + csrf_field(page) +
            "<input type=\"hidden\" name=\"sku\" value=\"" + h(p->sku) + "\">" +
            "<input type=\"number\" name=\"quantity\" min=\"0\" max=\"99\" value=\"" + h(qty) + "\" aria-label=\"" +
            page.tr("cart.quantity") + "\"> <button type=\"submit\" class=\"secondary\">" + page.tr("cart.update") +
            "</button></form></td><td>";
    rows += post_button(page, "/cart/remove", t(page.lang, "cart.remove"), {{"sku", p->sku}}, "link");
    rows += "</td></tr>\n";
  }
  std::string body;
  if (rows.empty()) {
    body = "<p id=\"cart-empty\">" + page.tr("cart.empty") + "</p>";
  } else {
    body = "<table id=\"cart\"><thead><tr><th>" + page.tr("cart.item") + "</th><th>" + page.tr("cart.price") +
           "</th><th>" + page.tr("cart.quantity") + "</th><th></th></tr></thead><tbody>\n" + rows +
           "</tbody><tfoot><tr><th>" + page.tr("cart.total") + "</th><th id=\"cart-total\">" + h(price(total)) +
           "</th><th></th><th></th></tr></tfoot></table>";
  }
  render(res, page, t(page.lang, "cart.title"), body);
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
