// negotiation_app.js written with cortado, route for route: negotiation_compare.mjs sends both
// the same requests and diffs the answers.
//
//   negotiation_twin --port 0 [--static DIR]
//
// Prints "listening on 127.0.0.1:PORT" once it listens, exits 0 on SIGTERM.
#include <cortado/cortado.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

using namespace cortado;
using namespace std::chrono_literals;

namespace {

std::string option(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

// The offers come in the query, comma-separated ("o=json,html"); without o, the no-argument form.
std::vector<std::string> offers(const Request& req) {
  std::vector<std::string> out;
  if (!req.query().contains("o")) return out;
  std::string_view list = req.query("o");
  for (;;) {
    auto comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

json::value answer(const std::optional<std::string>& best) { return best ? json::value(*best) : json::value(false); }
json::value answer(const std::vector<std::string>& list) { return json::value_from(list); }

template <class One, class All>
void negotiate(const Request& req, Response& res, One one, All all) {
  auto list = offers(req);
  res.json({{"best", list.empty() ? answer(all()) : answer(one(list))}});
}

void compressed_routes(Router& r, const std::string& static_dir) {
  static const json::value big = [] {
    json::array items;
    for (int i = 0; i < 200; ++i)
      items.push_back(json::object{{"id", i}, {"name", "item " + std::to_string(i)}, {"tags", json::array{"a", "b"}}});
    return json::value(json::object{{"items", items}});
  }();
  static const std::string text = [] {
    std::string t;
    for (int i = 0; i < 400; ++i) t += "cortado ";
    return t;
  }();
  r.get("/json", [](Request&, Response& res) { res.json(big); });
  r.get("/text", [](Request&, Response& res) { res.type("txt").send(text); });
  r.get("/small", [](Request&, Response& res) { res.send("small"); });
  r.get("/png", [](Request&, Response& res) { res.type("png").send_bytes(std::string(4000, '\7')); });
  r.get("/no-transform", [](Request&, Response& res) { res.set("Cache-Control", "public, no-transform").send(text); });
  r.get("/encoded", [](Request&, Response& res) { res.set("Content-Encoding", "x-custom").type("txt").send(text); });
  r.get("/strong-etag", [](Request&, Response& res) { res.set("ETag", "\"v1\"").type("txt").send(text); });
  r.get("/status", [](Request&, Response& res) { res.status(201).type("txt").send(text); });
  r.get("/empty", [](Request&, Response& res) { res.status(204).end(); });
  StaticOptions static_options;
  r.use("/static", serve_static(static_dir, static_options));
}

}  // namespace

int main(int argc, char** argv) {
  auto port = static_cast<std::uint16_t>(std::atoi(option(argc, argv, "--port", "0").c_str()));
  std::string static_dir = option(argc, argv, "--static", "tests/compat/fixtures/static");

  App app;

  // --- negotiation ------------------------------------------------------------------------------
  app.get("/accepts", [](Request& req, Response& res) {
    negotiate(req, res, [&](const auto& o) { return req.accepts(o); }, [&] { return req.accepts(); });
  });
  app.get("/charsets", [](Request& req, Response& res) {
    negotiate(req, res, [&](const auto& o) { return req.accepts_charsets(o); }, [&] { return req.accepts_charsets(); });
  });
  app.get("/encodings", [](Request& req, Response& res) {
    negotiate(req, res, [&](const auto& o) { return req.accepts_encodings(o); }, [&] { return req.accepts_encodings(); });
  });
  app.get("/languages", [](Request& req, Response& res) {
    negotiate(req, res, [&](const auto& o) { return req.accepts_languages(o); }, [&] { return req.accepts_languages(); });
  });
  app.get("/format", [](Request&, Response& res) {
    res.format({{"text/plain", [&] { res.send("plain"); }},
                {"text/html", [&] { res.send("<p>html</p>"); }},
                {"json", [&] { res.json({{"format", "json"}}); }}});
  });
  app.get("/format-default", [](Request&, Response& res) {
    res.format({{"application/xml", [&] { res.send("<xml/>"); }}, {"default", [&] { res.status(200).send("fallback"); }}});
  });
  app.get("/vary", [](Request& req, Response& res) {
    if (req.query().contains("pre")) res.set("Vary", req.query("pre"));
    res.vary(req.query("f"));
    res.send("vary");
  });

  // --- compression ------------------------------------------------------------------------------
  Router z, z0, zf;
  compressed_routes(z, static_dir);
  compressed_routes(z0, static_dir);
  compressed_routes(zf, static_dir);
  app.use("/z", compression());
  app.use("/z", z);
  app.use("/z0", compression({.threshold = 0, .level = 1}));
  app.use("/z0", z0);
  app.use("/zf", compression({.filter = [](const Request& req, const Response&) { return req.get("x-compress") == "yes"; }}));
  app.use("/zf", zf);

  // --- cors -------------------------------------------------------------------------------------
  std::vector<std::pair<std::string, CorsOptions>> cors_sets = {
      {"c1", {}},
      {"c2", {.origin = std::string("http://a.example")}},
      {"c3", {.origin = std::vector<OriginPattern>{std::string("http://a.example"), std::regex(R"(\.b\.example$)")},
              .exposed_headers = {"X-One", "X-Two"},
              .credentials = true,
              .max_age = 600s}},
      {"c4", {.origin = true, .methods = {"GET", "POST"}, .allowed_headers = std::vector<std::string>{"X-A", "X-B"},
              .options_success_status = 200}},
      {"c5", {.origin = std::regex("example$"), .max_age = 0s, .preflight_continue = true}},
      {"c6", {.origin = false}},
      {"c7", {.origin = [](std::string_view origin) { return origin.ends_with(".ok"); },
              .allowed_headers = std::vector<std::string>{}}},
  };
  for (auto& [name, options] : cors_sets) {
    app.use("/" + name, cors(options));
    app.options("/" + name + "/x", [](Request&, Response& res) { res.send("continued"); });
    app.all("/" + name + "/x", [name = name](Request&, Response& res) { res.send(name); });
  }

  // --- helmet -----------------------------------------------------------------------------------
  SecurityHeadersOptions h2;
  h2.content_security_policy = ContentSecurityPolicyOptions{
      .directives = {{"scriptSrc", std::vector<std::string>{"'self'", "cdn.example"}},
                     {"objectSrc", std::nullopt},
                     {"upgradeInsecureRequests", std::nullopt},
                     {"report-uri", std::vector<std::string>{"/csp"}}}};
  h2.strict_transport_security = StrictTransportSecurityOptions{.max_age = 100s, .include_sub_domains = false, .preload = true};
  h2.x_frame_options = "deny";
  h2.referrer_policy = std::vector<std::string>{"origin", "unsafe-url"};
  h2.cross_origin_embedder_policy = "require-corp";
  h2.cross_origin_resource_policy = "cross-origin";
  h2.x_dns_prefetch_control_allow = true;
  SecurityHeadersOptions h3;
  h3.content_security_policy = ContentSecurityPolicyOptions{
      .directives = {{"defaultSrc", std::vector<std::string>{"'none'"}}, {"imgSrc", std::vector<std::string>{}}},
      .use_defaults = false,
      .report_only = true};
  h3.strict_transport_security.reset();
  h3.x_xss_protection = false;
  h3.origin_agent_cluster = false;
  h3.cross_origin_opener_policy.reset();
  h3.x_permitted_cross_domain_policies = "by-content-type";
  std::vector<std::pair<std::string, SecurityHeadersOptions>> helmet_sets = {{"h1", {}}, {"h2", h2}, {"h3", h3}};
  for (auto& [name, options] : helmet_sets) {
    app.use("/" + name, security_headers(options));
    app.get("/" + name + "/x", [name = name](Request&, Response& res) { res.send(name); });
  }

  // A nonce per response, from res.locals (here from a request header, to send bad ones too).
  app.use("/h4", [](Request& req, Response& res, Next next) {
    res.locals()["nonce"] = req.has_header("x-nonce") ? std::string(req.get("x-nonce")) : std::string("none");
    next();
  });
  SecurityHeadersOptions h4;
  auto nonce = [](Response& res) { return std::string(res.locals().at("nonce").as_string()); };
  h4.content_security_policy = ContentSecurityPolicyOptions{
      .directives = {{"scriptSrc", std::vector<std::string>{"'self'"}}},
      .dynamic_sources = {{"scriptSrc", [nonce](const Request&, Response& res) { return "'nonce-" + nonce(res) + "'"; }},
                          {"scriptSrc", [nonce](const Request&, Response& res) { return nonce(res); }}}};
  app.use("/h4", security_headers(h4));
  app.get("/h4/x", [](Request&, Response& res) { res.send("h4"); });

  // Errors: their status and message, as JSON.
  app.use([](std::exception_ptr error, Request&, Response& res, Next) {
    unsigned status = 500;
    std::string message = "unknown";
    try {
      std::rethrow_exception(error);
    } catch (const HttpError& e) {
      status = e.status();
      message = e.what();
    } catch (const std::exception& e) {
      message = e.what();
    }
    res.status(status).json({{"error", message}});
  });

  app.listen(port, "127.0.0.1", [](std::uint16_t bound) { std::cout << "listening on 127.0.0.1:" << bound << std::endl; });
  return 0;
}
