// W0 of BENCHMARKS.md: GET / → "ok", no session middleware. Usage: bench_hello PORT THREADS
#include <cortado/cortado.hpp>

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  cortado::App app;
  app.server_options().threads = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
  app.get("/", [](cortado::Request&, cortado::Response& res) { res.send("ok"); });
  app.listen(argc > 1 ? std::atoi(argv[1]) : 3000, "127.0.0.1",
             [](std::uint16_t port) { std::cout << "listening on 127.0.0.1:" << port << std::endl; });
}
