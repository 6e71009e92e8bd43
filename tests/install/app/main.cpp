// The README's first steps, as a user outside cortado's tree writes them: a counter in a session.
#include <cortado/cortado.hpp>
#ifdef WITH_REDIS
#include <cortado/stores/redis.hpp>
#endif

#include <iostream>
#include <string_view>

using namespace cortado;

int main(int argc, char** argv) {
  SessionOptions options{.secret = {"install probe"}, .resave = false, .save_uninitialized = false};
#ifdef WITH_REDIS
  if (argc > 1) options.store = stores::redis(argv[1]);
#else
  (void)argc;
  (void)argv;
#endif
  App app;
  app.use(session(options));
  app.get("/", [](Request& req, Response& res) {
    auto& s = req.session();
    s["views"] = s.value("views", 0) + 1;
    res.json(s["views"]);
  });
  app.listen(0, "127.0.0.1", [](std::uint16_t port) { std::cout << port << std::endl; });
}
