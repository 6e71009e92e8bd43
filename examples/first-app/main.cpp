// The README's first app, kept here so the build proves it compiles.
#include <cortado/cortado.hpp>
#include <iostream>
using namespace cortado;

struct Cart {                      // kept in the session as {"items":[...]}, the JSON Node would keep
  std::vector<std::string> items;
};
// How Boost.JSON converts a Cart, both ways (found by argument-dependent lookup).
void tag_invoke(json::value_from_tag, json::value& v, const Cart& c) { v = {{"items", json::value_from(c.items)}}; }
Cart tag_invoke(json::value_to_tag<Cart>, const json::value& v) {
  return {json::value_to<std::vector<std::string>>(v.at("items"))};
}

int main() {
  App app;
  app.use(body_parser::json());
  app.use(session({.secret = {"keyboard cat"}, .resave = false, .save_uninitialized = false,
                   .cookie = {.max_age = std::chrono::hours(24)}}));

  app.get("/", [](Request& req, Response& res) {
    auto& s = req.session();
    int views = s.get<std::optional<int>>("views").value_or(0) + 1;  // nullopt when absent
    s.set("views", views);
    res.json(views);
  });
  app.get("/users/:id", [](Request& req, Response& res) {
    res.json({{"id", req.params()["id"]}, {"q", req.query("q")}});
  });
  app.post("/cart", [](Request& req, Response& res) {
    auto cart = req.session().get<std::optional<Cart>>("cart").value_or(Cart{});
    cart.items.push_back(json::value_to<std::string>(req.body().at("item")));
    req.session().set("cart", cart);              // any type Boost.JSON converts
    res.json(json::value_from(cart));
  });
  app.post("/login", [](Request& req, Response& res) -> Task<> {
    co_await req.session().regenerate(true);      // store I/O is awaited, never blocks; the cart stays
    req.session()["user"] = req.body().at("user");
    res.redirect("/");
  });
  app.use([](std::exception_ptr, Request&, Response& res, Next) {
    res.status(500).json({{"error", "something broke"}});
  });
  app.listen(3000, [](std::uint16_t port) { std::cout << "http://127.0.0.1:" << port << std::endl; });
}
