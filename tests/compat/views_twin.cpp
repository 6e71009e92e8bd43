// views_app.js written with cortado, route for route: views, app.route, app.param, Router
// options, and the rest of req and res. views_cases.mjs lists the requests.
//
//   views_twin --port 0 [--static DIR] [--views DIR]
//
// Prints "listening on 127.0.0.1:PORT" once it listens, exits 0 on SIGTERM.
#include <cortado/cortado.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

using namespace cortado;

namespace {

std::string option(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

json::object params_json(const Request& req) {
  json::object o;
  for (const auto& [name, value] : req.params()) o[name] = value;
  return o;
}

/// res.locals.name = (res.locals.name ?? 0) + 1
void count(Response& res, std::string_view name) {
  auto& v = res.locals()[name];
  v = v.is_int64() ? v.get_int64() + 1 : 1;
}
json::value counted(Response& res, std::string_view name) {
  auto* v = res.locals().if_contains(name);
  return v ? *v : json::value(0);
}

// req.userName in the Express app.
struct UserName {
  std::string value;
};

json::value string_list(const std::vector<std::string>& items) { return json::value_from(items); }

}  // namespace

int main(int argc, char** argv) {
  auto port = static_cast<std::uint16_t>(std::atoi(option(argc, argv, "--port", "0").c_str()));
  namespace fs = std::filesystem;
  std::string static_dir = fs::absolute(option(argc, argv, "--static", "tests/compat/fixtures/static")).lexically_normal();
  std::string views_dir = fs::absolute(option(argc, argv, "--views", static_dir + "/../views")).lexically_normal();

  App app;
  app.set("trust proxy", true);
  app.set("subdomain offset", 1);
  app.set("jsonp callback name", "cb");

  // --- views ------------------------------------------------------------------------------------
  app.set("view engine", "mustache");  // the built-in engine: mustache-express's behaviour
  app.set("views", views_dir);
  app.set("layout", "layout");
  app.engine("txt", [](const std::string& file, const json::object& options) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    if (auto at = s.find("{name}"); at != std::string::npos) s.replace(at, 6, options.at("name").as_string());
    return s;
  });
  app.locals()["site"] = "cortado";
  app.locals()["who"] = "app";
  app.locals()["title"] = "from app.locals";

  const json::object page_data = json::parse(R"({
    "title": "Shop & <Co>",
    "who": "render",
    "items": [
      {"name": "Cup \"large\"", "price": 3.5, "sale": true},
      {"name": "Tom's mug", "price": 12},
      {"name": "a/b=c`d", "price": 0}
    ],
    "html": "<b>bold</b> & \"q\"",
    "n": {"int": 42, "float": 0.1, "big": 1e21, "small": 1e-7, "neg": -5},
    "flag": false,
    "nothing": null,
    "list": [1, "two", null, [3, 4]],
    "links": [{"href": "/a?x=1&y=2", "label": "A"}, {"href": "/b", "label": "B"}]
  })").as_object();

  app.use("/views", [](Request&, Response& res, Next next) {
    res.locals()["user"] = json::parse(R"({"name": "Ana <admin>", "tags": ["x", "y&z"]})");
    res.locals()["who"] = "res.locals";
    next();
  });
  app.get("/views/page", [&](Request&, Response& res) { res.render("page", page_data); });
  app.get("/views/page-with-extension", [&](Request&, Response& res) {
    json::object data = page_data;
    data["links"] = json::array{};
    res.render("page.mustache", data);
  });
  app.get("/views/locals-order", [](Request&, Response& res) { res.render("page", {{"items", json::array{}}}); });
  app.get("/views/index-in-folder", [](Request&, Response& res) { res.render("blog", {{"title", "Blog"}}); });
  app.get("/views/escapes", [](Request&, Response& res) {
    res.render("escapes", {{"text", "&<>\"'/`= é 😀 \u2028 \\ {{x}}"}});
  });
  app.get("/views/missing", [](Request&, Response& res) { res.render("no_such_view"); });
  app.get("/views/broken", [](Request&, Response& res) { res.render("broken"); });
  app.get("/views/missing-partial", [](Request&, Response& res) { res.render("missing_partial"); });
  app.get("/views/callback", [](Request&, Response& res) {
    res.render("blog/index", {{"title", "cb"}}, [&](std::exception_ptr err, std::string html) {
      res.type("text").send(err ? "error" : "[" + html + "]");
    });
  });
  app.get("/views/app-render", [&](Request&, Response& res) {
    res.json({{"html", app.render("blog/index", {{"title", "app.render"}})}});
  });
  // The demo's own views through the built-in engine, with the data of fixtures/demo_views.json.
  std::string demo_views =
      fs::absolute(option(argc, argv, "--demo-views", static_dir + "/../../../../examples/demo/views")).lexically_normal();
  std::ifstream demo_file(fs::path(static_dir) / ".." / "demo_views.json");
  std::stringstream demo_text;
  demo_text << demo_file.rdbuf();
  const json::object demo_data = json::parse(demo_text.str()).as_object();
  app.get("/demo-view/:case", [&, engine = mustache_engine()](Request& req, Response& res, Next next) {
    const auto* data = demo_data.at("views").as_object().if_contains(req.params()["case"]);
    if (!data) {
      next();
      return;
    }
    json::object options = demo_data.at("common").as_object();
    for (const auto& [key, value] : data->as_object()) options[key] = value;
    options["settings"] = {{"views", demo_views}, {"view engine", "mustache"}, {"layout", "layout"}};
    const auto* view = data->as_object().if_contains("view");
    std::string name = view ? std::string(view->as_string()) : std::string(req.params()["case"]);
    res.type("html").send(engine(demo_views + "/" + name + ".mustache", options));
  });
  app.get("/views/other-engine", [](Request&, Response& res) { res.render("note.txt", {{"name", "Ada"}}); });

  // --- routing: app.route, app.param, Router options --------------------------------------------
  app.param("id", [](Request& req, Response& res, Next next, std::string_view id) {
    count(res, "paramCalls");
    if (id == "bad") return next(HttpError(400, "bad id " + std::string(id)));
    if (id == "stop") return res.status(403).send("stopped by param");
    if (id == "throw") throw HttpError(422, "thrown in param");
    req.slot<UserName>().value = "user-" + std::string(id);
    next();
  });
  app.param("other", [](Request&, Response& res, Next next, std::string_view) {
    count(res, "otherCalls");
    next();
  });
  app.get("/users/:id", [](Request&, Response&, Next next) { next(); });
  app.get("/users/:id", [](Request& req, Response& res) {
    res.json({{"user", req.slot<UserName>().value}, {"calls", counted(res, "paramCalls")}, {"params", params_json(req)}});
  });
  app.get("/users/:id/with/:other", [](Request& req, Response& res) {
    res.json({{"calls", counted(res, "paramCalls")}, {"otherCalls", counted(res, "otherCalls")}, {"params", params_json(req)}});
  });
  app.get("/no-param/:name", [](Request&, Response& res) { res.json({{"calls", counted(res, "paramCalls")}}); });

  app.route("/book")
      .get([](Request&, Response& res) { res.send("get a book"); })
      .post([](Request&, Response& res) { res.send("add a book"); })
      .put([](Request&, Response& res) { res.send("update the book"); });
  app.route("/anything/:id").all([](Request& req, Response& res) {
    res.json({{"method", req.method()}, {"calls", counted(res, "paramCalls")}});
  });

  Router merged({.merge_params = true});
  merged.get("/child/:cid", [](Request& req, Response& res) { res.json(params_json(req)); });
  merged.get("/same/:pid", [](Request& req, Response& res) { res.json(params_json(req)); });
  app.use("/merge/:pid", merged);
  Router separate;
  separate.get("/child/:cid", [](Request& req, Response& res) { res.json(params_json(req)); });
  app.use("/separate/:pid", separate);
  Router case_sensitive({.case_sensitive = true});
  case_sensitive.get("/Case", [](Request&, Response& res) { res.send("exact case"); });
  app.use("/cs", case_sensitive);
  Router caseless;
  caseless.get("/Case", [](Request&, Response& res) { res.send("any case"); });
  app.use("/ci", caseless);
  Router strict({.strict = true});
  strict.get("/dir/", [](Request&, Response& res) { res.send("with slash"); });
  strict.get("/file", [](Request&, Response& res) { res.send("without slash"); });
  app.use("/strict", strict);
  Router lenient;
  lenient.get("/dir/", [](Request&, Response& res) { res.send("lenient dir"); });
  app.use("/lenient", lenient);
  Router with_param;
  with_param.param("item", [](Request&, Response& res, Next next, std::string_view) {
    count(res, "itemCalls");
    next();
  });
  with_param.get("/:item", [](Request&, Response&, Next next) { next(); });
  with_param.get("/:item", [](Request&, Response& res) {
    res.json({{"itemCalls", counted(res, "itemCalls")}, {"appCalls", counted(res, "paramCalls")}});
  });
  app.use("/sub", with_param);

  // --- req extras -------------------------------------------------------------------------------
  app.get("/req", [](Request& req, Response& res) {
    res.json({{"xhr", req.xhr()}, {"ips", string_list(req.ips())}, {"ip", req.ip()}, {"subdomains", string_list(req.subdomains())}});
  });
  app.get("/fresh", [](Request& req, Response& res) {
    res.set("ETag", "W/\"abc\"");
    res.set("X-Fresh", req.fresh() ? "true" : "false");
    res.set("X-Stale", req.stale() ? "true" : "false");
    res.send("fresh?");
  });
  app.post("/fresh", [](Request& req, Response& res) {
    res.set("ETag", "W/\"abc\"").set("X-Fresh", req.fresh() ? "true" : "false").send("posted");
  });
  app.get("/range", [](Request& req, Response& res) {
    auto r = req.range(std::stoull(std::string(req.query("size"))), req.query("combine") == "1");
    if (!r) return res.json("none");
    if (r->result != 0) return res.json(r->result);
    json::array ranges;
    for (const auto& one : r->ranges) ranges.push_back({{"start", one.start}, {"end", one.end}});
    res.json({{"type", r->type}, {"ranges", ranges}});
  });

  // --- res extras -------------------------------------------------------------------------------
  app.get("/attachment", [](Request& req, Response& res) {
    if (req.query().contains("name"))
      res.attachment(req.query("name"));
    else
      res.attachment();
    res.send("attached");
  });
  app.get("/download", [static_dir](Request& req, Response& res) {
    std::string file = static_dir + "/" + std::string(req.query().contains("file") ? req.query("file") : "hello.txt");
    if (req.query().contains("name"))
      res.download(file, req.query("name"));
    else
      res.download(file);
  });
  app.get("/location", [](Request& req, Response& res) { res.location(req.query("to")).send("located"); });
  app.get("/links", [](Request&, Response& res) {
    res.links({{"next", "/items?page=2"}, {"last", "/items?page=9"}});
    res.links({{"alternate", json::array{"/a.json", "/a.xml"}}});
    res.send("linked");
  });
  app.get("/jsonp", [](Request&, Response& res) {
    res.jsonp({{"a", 1}, {"text", "line\u2028sep\u2029end </script>"}});
  });
  app.get("/jsonp-typed", [](Request&, Response& res) {
    res.type("text");
    res.jsonp(json::array{1, 2});
  });

  // --- errors -----------------------------------------------------------------------------------
  app.use([](std::exception_ptr err, Request& req, Response& res, Next) {
    unsigned status = 0;
    std::string message;
    try {
      std::rethrow_exception(err);
    } catch (const HttpError& e) {
      status = e.status();
      message = e.what();
    } catch (const std::exception& e) {
      message = e.what();
    }
    if (!req.path().starts_with("/views/") && !req.path().starts_with("/users/")) return res.send_status(status ? status : 500);
    res.status(status ? status : 500).json({{"status", status}, {"message", message}});
  });

  app.listen(port, "127.0.0.1", [](std::uint16_t bound) {
    std::cout << "listening on 127.0.0.1:" << bound << std::endl;
  });
  return 0;
}
