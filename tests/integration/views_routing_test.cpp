// Views, app.param and app.route over real sockets: what the README shows, errors reaching the
// error handlers, and coroutine param callbacks. (Byte-for-byte comparisons with Express and
// mustache-express are in tests/compat/views_*.)

#include "support/temp_dir.hpp"
#include "support/test_client.hpp"
#include "support/test_server.hpp"

#include "cortado/cortado.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace cortado {
namespace {

using test::TestServer;

void write(const std::string& path, std::string_view text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// The README's Views example, with its views folder in a temporary one.
void readme_views_example(App& app, const std::string& views) {
  app.set("views", views);              // default: ./views
  app.set("view engine", "mustache");   // built in, as mustache-express
  app.set("layout", "layout");          // views/layout.mustache wraps each page as {{{yield}}}
  app.locals()["site"] = "Coffee & co";
  app.get("/users/:id", [](Request& req, Response& res) {
    res.locals()["user"] = req.params()["id"];
    res.render("profile", {{"title", "Profile"}, {"drinks", json::array{"cortado", "flat white"}}});
  });
}

TEST(Views, TheReadmeExampleRendersWithLayoutPartialsAndLocals) {
  test::TempDir dir;
  write(dir.file("layout.mustache"), "<title>{{title}} · {{site}}</title>\n{{{yield}}}");
  write(dir.file("profile.mustache"),
        "{{! views/profile.mustache: every value is HTML-escaped, unless in triple braces }}\n<h1>{{user}}</h1>\n<ul>\n  {{#drinks}}\n  <li>{{.}}</li>\n  {{/drinks}}\n</ul>\n{{> footer}}");
  write(dir.file("footer.mustache"), "<footer>{{site}}</footer>\n");
  TestServer server([&](App& app) { readme_views_example(app, dir.path()); });
  auto res = test::get(server.port(), "/users/%3Cana%3E");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(res.body,
            "<title>Profile · Coffee &amp; co</title>\n<h1>&lt;ana&gt;</h1>\n<ul>\n  <li>cortado</li>\n  <li>flat "
            "white</li>\n</ul>\n<footer>Coffee &amp; co</footer>\n");
}

TEST(Views, AMissingViewReachesTheErrorHandlers) {
  test::TempDir dir;
  TestServer server([&](App& app) {
    app.settings().env = "development";
    app.set("views", dir.path());
    app.set("view engine", "mustache");
    app.get("/handled", [](Request&, Response& res) { res.render("nope"); });
    app.get("/default", [](Request&, Response& res) { res.render("nope"); });
    app.get("/callback", [](Request&, Response& res) {
      res.render("nope", {}, [&](std::exception_ptr err, std::string) { res.status(err ? 503 : 200).send("cb"); });
    });
    app.use([](std::exception_ptr err, Request& req, Response& res, Next next) {
      if (req.path() != "/handled") return next(err);
      try {
        std::rethrow_exception(err);
      } catch (const ViewError& e) {
        res.status(500).send(std::string("view error: ") + e.what());
      }
    });
  });
  auto handled = test::get(server.port(), "/handled");
  EXPECT_EQ(handled.status, 500);
  EXPECT_EQ(handled.body, "view error: Failed to lookup view \"nope\" in views directory \"" + dir.path() + "\"");
  auto fallback = test::get(server.port(), "/default");
  EXPECT_EQ(fallback.status, 500);
  EXPECT_NE(fallback.body.find("Failed to lookup view &quot;nope&quot;"), std::string::npos) << fallback.body;
  EXPECT_EQ(test::get(server.port(), "/callback").status, 503);
  EXPECT_EQ(test::get(server.port(), "/users/x").status, 404);  // and the server runs on
}

TEST(Routing, ParamCallbacksMayBeCoroutines) {
  TestServer server([](App& app) {
    app.param("id", [](Request&, Response& res, Next next, std::string_view id) -> Task<> {
      // Really suspends: the callback resumes later from the event loop, as one that awaited I/O.
      auto executor = co_await boost::asio::this_coro::executor;
      co_await boost::asio::post(executor, boost::asio::use_awaitable);
      if (id == "0") throw HttpError(404, "no user 0");
      res.locals()["loaded"] = "user " + std::string(id);
      next();
    });
    app.route("/users/:id")
        .get([](Request&, Response& res) { res.send(res.locals()["loaded"].as_string()); })
        .del([](Request&, Response& res) { res.send_status(204); });
  });
  EXPECT_EQ(test::get(server.port(), "/users/7").body, "user 7");
  EXPECT_EQ(test::get(server.port(), "/users/0").status, 404);
  EXPECT_EQ(test::request(server.port(), "DELETE", "/users/3").status, 204);
  EXPECT_EQ(test::request(server.port(), "POST", "/users/3").status, 404);
}

TEST(Routing, ParamNamesAreCheckedWhenDeclared) {
  App app;
  auto noop = [](Request&, Response&, Next next, std::string_view) { next(); };
  EXPECT_THROW(app.param("", noop), std::invalid_argument);
  EXPECT_THROW(app.param(":id", noop), std::invalid_argument);
  EXPECT_THROW(app.route("/a{"), std::invalid_argument);
}

}  // namespace
}  // namespace cortado
