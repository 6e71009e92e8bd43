// W0, W0t and W0z of BENCHMARKS.md, no session middleware:
//   GET /        → "ok"                                     (W0; W0t over HTTPS)
//   GET /json10k → 10 352 bytes of JSON through compression() (W0z, with Accept-Encoding: gzip)
//   GET /ws      → a WebSocket echoing each message               (bench/run WS)
// Usage: bench_hello PORT THREADS [CERT KEY]   (with CERT and KEY: HTTPS)
#include <cortado/cortado.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

using namespace cortado;

int main(int argc, char** argv) {
  App app;
  app.server_options().threads = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
  app.get("/", [](Request&, Response& res) { res.send("ok"); });
  // The same document as bench/node/hello.js builds: 150 items, written anew for every request.
  static const json::value document = [] {
    json::array items;
    for (int i = 0; i < 150; ++i)
      items.push_back(json::object{{"id", i}, {"name", "item " + std::to_string(i)}, {"price", 1.25 * i},
                                   {"tags", json::array{"coffee", "cortado"}}});
    return json::value(json::object{{"items", std::move(items)}});
  }();
  app.use("/json10k", compression());
  app.get("/json10k", [](Request&, Response& res) { res.json(document); });

  // WS: every message sent back as it came (the load generator, bench_ws_load, sends no Origin).
  app.ws("/ws", [](WebSocket& sock) -> Task<> {
    while (auto message = co_await sock.receive()) {
      if (sock.binary()) co_await sock.send_binary(std::move(*message));
      else co_await sock.send(std::move(*message));
    }
  });

  const auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 3000);
  auto announce = [](std::uint16_t p) { std::cout << "listening on 127.0.0.1:" << p << std::endl; };
  if (argc > 4) app.listen_tls(port, {.cert_chain_file = argv[3], .key_file = argv[4]}, "127.0.0.1", announce);
  else app.listen(port, "127.0.0.1", announce);
}
