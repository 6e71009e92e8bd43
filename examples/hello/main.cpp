// The smallest cortado app: one route, one port.
#include <cortado/cortado.hpp>

#include <iostream>

using namespace cortado;

int main(int argc, char** argv) {
  App app;
  app.get("/", [](Request&, Response& res) { res.send("ok"); });
  app.get("/hello/:name", [](Request& req, Response& res) {
    res.json({{"hello", req.params()["name"]}});
  });
  int port = argc > 1 ? std::atoi(argv[1]) : 3000;
  app.listen(port, [](std::uint16_t bound) { std::cout << "listening on http://127.0.0.1:" << bound << std::endl; });
}
