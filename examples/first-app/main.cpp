// The README's first app, kept here so the build proves it compiles.
#include <cortado/cortado.hpp>

#include <iostream>
using namespace cortado;

int main() {
  App app;
  app.use(body_parser::json());
  app.use(session({.secret = {"keyboard cat"}, .resave = false, .save_uninitialized = false,
                   .cookie = {.max_age = std::chrono::hours(24)}}));

  app.get("/", [](Request& req, Response& res) {
    auto& s = req.session();
    s["views"] = s.value("views", 0) + 1;
    res.json(s["views"]);
  });
  app.get("/users/:id", [](Request& req, Response& res) {
    res.json({{"id", req.params()["id"]}, {"q", req.query("q")}});
  });
  app.post("/login", [](Request& req, Response& res) -> Task<> {
    co_await req.session().regenerate();          // store I/O is awaited, never blocks
    req.session()["user"] = req.body().at("user");
    res.redirect("/");
  });
  app.use([](std::exception_ptr, Request&, Response& res, Next) {
    res.status(500).json({{"error", "something broke"}});
  });
  app.listen(3000, [](std::uint16_t port) { std::cout << "http://127.0.0.1:" << port << std::endl; });
}
