// express_app.js written with cortado, route for route: compare.mjs sends both the same requests
// and diffs the answers.
//
//   express_twin --port 0 [--static DIR]
//
// Prints "listening on 127.0.0.1:PORT" once it listens, exits 0 on SIGTERM. Run it with
// NODE_ENV=production so that the default error pages show only the status text.
#include <cortado/cortado.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <string>

using namespace cortado;
using namespace std::chrono_literals;

namespace {

std::string option(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

json::array& trail(Response& res) { return res.locals()["trail"].as_array(); }

json::object params_json(const Request& req) {
  json::object o;
  for (const auto& [name, value] : req.params()) o[name] = value;
  return o;
}

json::object where(const Request& req) {
  return {{"baseUrl", req.base_url()}, {"path", req.path()}, {"originalUrl", req.original_url()}, {"url", req.url()}};
}

// What an Express error handler reads of `err`: its message and its status (0 when none).
std::pair<std::string, unsigned> describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    return {e.what(), e.status()};
  } catch (const std::exception& e) {
    return {e.what(), 0};
  } catch (...) {
    return {"unknown", 0};
  }
}

Timestamp utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace

int main(int argc, char** argv) {
  auto port = static_cast<std::uint16_t>(std::atoi(option(argc, argv, "--port", "0").c_str()));
  std::string static_dir = option(argc, argv, "--static", "tests/compat/fixtures/static");

  App app;
  // Above express.json()'s 100kb, so that the parsers' own limits are compared too, and small
  // enough that a body over it is refused by the HTTP layer (the /limit cases).
  app.server_options().body_limit = 200 * 1024;

  // Every request records the middleware it walked through, in order.
  app.use([](Request&, Response& res, Next next) {
    res.locals()["trail"] = json::array{"app"};
    next();
  });
  // cookie-parser: cortado parses the Cookie header itself (req.cookies()).
  app.use(body_parser::json());
  app.use(body_parser::urlencoded());
  app.use(body_parser::text());

  // --- plain answers ----------------------------------------------------------------------------
  app.get("/", [](Request&, Response& res) { res.send("hello"); });
  app.get("/json", [](Request&, Response& res) {
    res.json({{"a", 1}, {"b", json::array{true, nullptr, "x"}}, {"c", 1.5}, {"d", "é\"\n"}});
  });
  app.get("/json-null", [](Request&, Response& res) { res.json(nullptr); });
  app.get("/json-numbers", [](Request&, Response& res) {
    res.json({{"big", 1e21},
              {"small", 1e-7},
              {"neg0", -0.0},
              {"sum", 0.1 + 0.2},
              {"int", 9007199254740992.0},
              {"max", std::numeric_limits<double>::max()},
              {"min", std::numeric_limits<double>::denorm_min()},
              {"text", "\x01\x1f\u2028</script>\u00e9\U0001F600"}});
  });
  app.get("/bytes", [](Request&, Response& res) { res.send_bytes(std::string_view("\x00\x01\x02\xff", 4)); });
  app.get("/ip", [](Request& req, Response& res) {
    res.json({{"ip", req.ip()}, {"protocol", req.protocol()}, {"secure", req.secure()}, {"hostname", req.hostname()}});
  });
  app.get("/req-header/:name", [](Request& req, Response& res) { res.send(std::string(req.get(req.params()["name"]))); });
  app.get("/status", [](Request&, Response& res) { res.status(201).send("created"); });
  app.get("/empty", [](Request&, Response& res) { res.end(); });
  app.get("/send-status/:code", [](Request& req, Response& res) {
    res.send_status(static_cast<unsigned>(std::stoul(std::string(req.params()["code"]))));
  });
  app.get("/type", [](Request& req, Response& res) { res.type(req.query("t")).send("typed"); });
  app.get("/headers", [](Request&, Response& res) {
    res.set("X-One", "1");
    res.set("X-One", "one");
    res.append("X-Multi", "a");
    res.append("X-Multi", "b");
    res.set("Content-Type", "text/plain");
    res.send("with headers");
  });
  app.get("/set-type", [](Request&, Response& res) {
    res.set("Content-Type", "application/custom");
    res.send("custom");
  });
  auto echo_method = [](Request& req, Response& res) { res.send(std::string(req.method())); };
  app.post("/echo-method", echo_method);
  app.put("/echo-method", echo_method);
  app.del("/echo-method", echo_method);
  app.patch("/echo-method", echo_method);
  app.all("/any", [](Request& req, Response& res) { res.send("any " + std::string(req.method())); });
  app.options("/custom-options", [](Request&, Response& res) { res.set("Allow", "GET, X-CUSTOM").send("custom"); });
  app.get("/custom-options", [](Request&, Response& res) { res.send("get"); });

  // --- route parameters -------------------------------------------------------------------------
  app.get("/users/:id", [](Request& req, Response& res) { res.json(params_json(req)); });
  // cortado joins a splat's segments with '/' (Express gives an array, joined on the Node side).
  app.get("/files/*splat", [](Request& req, Response& res) { res.send(std::string(req.params()["splat"])); });
  app.get("/opt{/:x}", [](Request& req, Response& res) { res.json(params_json(req)); });
  app.get("/range/:from-:to", [](Request& req, Response& res) { res.json(params_json(req)); });

  // --- query ------------------------------------------------------------------------------------
  app.get("/query", [](Request& req, Response& res) { res.json(req.query()); });

  // --- a mounted router -------------------------------------------------------------------------
  Router api;
  api.use([](Request&, Response& res, Next next) {
    trail(res).emplace_back("api");
    next();
  });
  api.get("/", [](Request& req, Response& res) { res.json(where(req)); });
  api.get("/info", [](Request& req, Response& res) {
    auto o = where(req);
    o["trail"] = trail(res);
    res.json(o);
  });
  api.get("/items/:id", [](Request& req, Response& res) {
    auto o = where(req);
    o["params"] = params_json(req);
    res.json(o);
  });
  api.post("/items", [](Request& req, Response& res) { res.status(201).json({{"created", req.body()}}); });
  Router v1;
  v1.get("/deep", [](Request& req, Response& res) { res.json(where(req)); });
  api.use("/v1", v1);
  app.use("/api", api);

  // --- middleware order -------------------------------------------------------------------------
  app.use(
      "/chain",
      [](Request&, Response& res, Next next) {
        trail(res).emplace_back("c1");
        next();
      },
      [](Request&, Response& res, Next next) {
        trail(res).emplace_back("c2");
        next();
      });
  app.get(
      "/chain",
      [](Request&, Response& res, Next next) {
        trail(res).emplace_back("r1");
        next();
      },
      [](Request&, Response& res) {
        trail(res).emplace_back("handler");
        res.json(trail(res));
      });
  // A middleware that answers stops the chain.
  app.use("/short", [](Request&, Response& res) { res.send("short-circuit"); });
  app.get("/short", [](Request&, Response& res) { res.send("never"); });

  // --- errors -----------------------------------------------------------------------------------
  app.get("/err/next", [](Request&, Response&, Next next) { next(std::runtime_error("passed to next")); });
  app.get("/err/throw", [](Request&, Response&) { throw std::runtime_error("thrown"); });
  app.get("/err/async", [](Request&, Response&) -> Task<> {
    co_await sleep_for(1ms);
    throw std::runtime_error("async thrown");
  });
  app.get("/err/status", [](Request&, Response&, Next next) { next(HttpError(418, "teapot error")); });
  app.get("/err/pass", [](Request&, Response&, Next next) { next(std::runtime_error("pass")); });
  app.use("/err", [](std::exception_ptr error, Request&, Response& res, Next next) {
    auto [message, status] = describe(error);
    if (message == "pass") {
      next(error);  // on to the default handler: 500 page
      return;
    }
    res.status(status ? status : 500).json({{"handled", message}, {"trail", trail(res)}});
  });
  // A JSON API's error handler gets a body over the limit: Express from express.json() (limit 100kb,
  // refused from Content-Length before the body is read), cortado from the HTTP layer (body_limit).
  app.post("/limit/json", [](Request& req, Response& res) { res.json(req.body()); });
  app.use("/limit", [](std::exception_ptr error, Request&, Response& res, Next) {
    auto [message, status] = describe(error);
    res.status(status ? status : 500).json({{"error", message}, {"status", status}});
  });
  // Errors that reach the default handler (production: status text only).
  app.get("/boom", [](Request&, Response&) { throw std::runtime_error("boom"); });
  app.get("/forbidden", [](Request&, Response&, Next next) { next(HttpError(403, "nope")); });
  app.get("/unavailable", [](Request&, Response& res) {
    res.status(503);
    throw std::runtime_error("status set before throwing");
  });
  app.get("/error-keeps-headers", [](Request&, Response& res) {
    res.set("X-Before", "kept");
    throw std::runtime_error("after a header");
  });
  // An error handler that recovers with next() resumes normal handling.
  app.get("/recover", [](Request&, Response&, Next next) { next(std::runtime_error("recover me")); });
  app.use("/recover", [](std::exception_ptr, Request&, Response& res, Next next) {
    trail(res).emplace_back("recovered");
    next();
  });
  app.use("/recover", [](Request&, Response& res) { res.json(trail(res)); });

  // An error handler that throws hands the new error on.
  app.get("/double-error", [](Request&, Response&) { throw std::runtime_error("first"); });
  app.use("/double-error", [](std::exception_ptr error, Request&, Response&, Next) {
    throw std::runtime_error("second after " + describe(error).first);
  });

  // --- redirects --------------------------------------------------------------------------------
  app.get("/redirect", [](Request&, Response& res) { res.redirect("/target"); });
  app.get("/redirect-301", [](Request&, Response& res) { res.redirect(301, "/moved"); });
  app.get("/redirect-back", [](Request&, Response& res) { res.redirect("back"); });
  app.get("/redirect-encode", [](Request&, Response& res) { res.redirect("/a b/ü?x=<y>&z=%41"); });
  app.get("/redirect-absolute", [](Request&, Response& res) { res.redirect("http://example.com/x?y=1"); });

  // --- cookies ----------------------------------------------------------------------------------
  app.get("/cookie/set", [](Request&, Response& res) {
    res.cookie("plain", "value");
    res.cookie("spaced", "a b;c");
    res.cookie("full", "v",
               {.max_age = 60000ms,
                .domain = "example.com",
                .path = "/p",
                .http_only = true,
                .secure = true,
                .partitioned = true,
                .priority = "high",
                .same_site = "lax"});
    res.cookie("strict", "1", {.priority = "low", .same_site = "strict"});
    res.cookie("none", "1", {.secure = true, .priority = "Medium", .same_site = "none"});
    res.cookie("samesite-true", "1", {.same_site = "true"});
    res.cookie("dated", "1", {.expires = utc(2030, 1, 2, 3, 4, 5)});
    res.cookie("frac", "1", {.max_age = 1500ms});
    res.cookie("negative", "1", {.max_age = -1500ms});
    res.send("cookies set");
  });
  app.get("/cookie/clear", [](Request&, Response& res) {
    res.clear_cookie("plain");
    res.clear_cookie("full", {.max_age = 1000ms, .domain = "example.com", .path = "/p"});
    res.send("cookies cleared");
  });
  app.get("/cookie/append", [](Request&, Response& res) {
    res.append("Set-Cookie", "raw=1; Path=/");
    res.cookie("after", "2");
    res.send("appended");
  });
  app.get("/cookies", [](Request& req, Response& res) {
    json::object o;
    for (const auto& [name, value] : req.cookies()) o[name] = value;
    res.json(o);
  });

  // --- bodies (json, urlencoded and text parsers are global, above) -----------------------------
  app.post("/body", [](Request& req, Response& res) { res.json({{"body", req.body()}}); });

  // --- static files -----------------------------------------------------------------------------
  StaticOptions static_options;  // serve-static's defaults; named, as GCC 12 misreads a defaulted `= {}` here
  app.use("/static", serve_static(static_dir, static_options));

  app.listen(port, "127.0.0.1", [](std::uint16_t bound) {
    std::cout << "listening on 127.0.0.1:" << bound << std::endl;
  });
  return 0;
}
