// View lookup (Express's View), app.render with app.locals and the view cache, the built-in
// Mustache engine's files (partials, layout, errors), and an engine of the app's own.
#include "cortado/app/app.hpp"
#include "cortado/app/views.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace cortado {
namespace {

void write(const std::string& path, std::string_view text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(ViewLookup, FindsNameExtensionFolderIndexAndRootsInOrder) {
  test::TempDir a, b;
  write(a.file("page.mustache"), "a");
  write(b.file("page.mustache"), "b");
  write(b.file("only_b.mustache"), "b");
  write(a.file("blog/index.mustache"), "index");
  write(a.file("notes.txt"), "txt");
  std::vector<std::string> roots{a.path(), b.path()};
  EXPECT_EQ(lookup_view("page", roots, ".mustache"), a.file("page.mustache"));
  EXPECT_EQ(lookup_view("page.mustache", roots, ".mustache"), a.file("page.mustache"));
  EXPECT_EQ(lookup_view("only_b", roots, ".mustache"), b.file("only_b.mustache"));
  EXPECT_EQ(lookup_view("blog", roots, ".mustache"), a.file("blog/index.mustache"));
  EXPECT_EQ(lookup_view("notes.txt", roots, ".txt"), a.file("notes.txt"));
  EXPECT_EQ(lookup_view("blog/../page", roots, ".mustache"), a.file("page.mustache"));
  EXPECT_EQ(lookup_view("missing", roots, ".mustache"), "");
  EXPECT_EQ(lookup_view("page", {}, ".mustache"), "");
}

class AppRender : public testing::Test {
 protected:
  AppRender() : app(Settings{.env = "development"}) {
    app.set("views", dir.path());
    app.set("view engine", "mustache");
  }
  test::TempDir dir;
  App app;
};

TEST_F(AppRender, MergesAppLocalsUnderRenderLocals) {
  write(dir.file("hello.mustache"), "{{greeting}}, {{name}}! {{settings.view engine}}");
  app.locals()["greeting"] = "Hello";
  app.locals()["name"] = "app";
  EXPECT_EQ(app.render("hello", {{"name", "<Ana>"}}), "Hello, &lt;Ana&gt;! mustache");
}

TEST_F(AppRender, SaysWhichViewIsMissingAndWhere) {
  EXPECT_EQ(error_of([&] { app.render("nope"); }),
            "Failed to lookup view \"nope\" in views directory \"" + dir.path() + "\"");
  app.set("views", std::vector<std::string>{"a", "b", "c"});
  EXPECT_EQ(error_of([&] { app.render("nope"); }), "Failed to lookup view \"nope\" in views directories \"a\", \"b\" or \"c\"");
  App bare(Settings{});
  EXPECT_EQ(error_of([&] { bare.render("x"); }), "No default engine was specified and no extension was provided.");
  EXPECT_NE(error_of([&] { app.render("x.hbs"); }).find("No view engine for \".hbs\""), std::string::npos);
}

TEST_F(AppRender, ReadsFilesAgainWithoutTheViewCacheAndOnceWithIt) {
  write(dir.file("v.mustache"), "one");
  EXPECT_EQ(app.render("v"), "one");
  write(dir.file("v.mustache"), "two");
  EXPECT_EQ(app.render("v"), "two");  // development: an edited template shows at once
  app.set("view cache", true);
  EXPECT_EQ(app.render("v"), "two");
  write(dir.file("v.mustache"), "three");
  EXPECT_EQ(app.render("v"), "two");  // cached: read and parsed once
  EXPECT_EQ(app.render("v", {{"cache", false}}), "three");  // a render's own `cache` wins, as in Express
}

TEST(ViewSettings, TheViewCacheIsOnInProductionOnly) {
  // default_settings() reads CORTADO_ENV (then NODE_ENV); put back what the test runner had.
  const char* had = std::getenv("CORTADO_ENV");
  std::string saved = had ? had : "";
  ::setenv("CORTADO_ENV", "production", 1);
  Settings production = default_settings();
  ::setenv("CORTADO_ENV", "development", 1);
  Settings development = default_settings();
  if (had)
    ::setenv("CORTADO_ENV", saved.c_str(), 1);
  else
    ::unsetenv("CORTADO_ENV");
  EXPECT_TRUE(production.view_cache);
  EXPECT_FALSE(development.view_cache);
  // Express's default views folder: ./views, absolute.
  ASSERT_EQ(development.views.size(), 1u);
  EXPECT_EQ(development.views[0], (std::filesystem::current_path() / "views").string());
}

TEST_F(AppRender, PartialsComeFromTheViewsFolderAndTheLayoutWrapsThePage) {
  write(dir.file("layout.mustache"), "<main>{{{yield}}}</main>{{> foot}}");
  write(dir.file("foot.mustache"), "<footer>{{title}}</footer>");
  write(dir.file("shared/row.mustache"), "[{{.}}]");
  write(dir.file("list.mustache"), "{{#items}}{{> shared/row}}{{/items}}");
  EXPECT_EQ(app.render("list", {{"items", json::array{1, "a&b"}}}), "[1][a&amp;b]");
  app.set("layout", "layout");
  EXPECT_EQ(app.render("list", {{"items", json::array{2}}, {"title", "T"}}), "<main>[2]</main><footer>T</footer>");
}

TEST_F(AppRender, AMissingPartialFailsEvenInASectionThatDoesNotRender) {
  write(dir.file("p.mustache"), "{{#never}}{{> gone}}{{/never}}");
  auto message = error_of([&] { app.render("p"); });
  EXPECT_EQ(message, "An error occurred while reading " + dir.file("gone.mustache") +
                         ":\nError: ENOENT: no such file or directory, open '" + dir.file("gone.mustache") + "'");
}

TEST_F(AppRender, ABrokenTemplateNamesItsFileAndPlace) {
  write(dir.file("bad.mustache"), "ok {{#a}} {{/b}}");
  EXPECT_EQ(error_of([&] { app.render("bad"); }),
            "An error occurred while rendering " + dir.file("bad.mustache") + ":\nError: Unclosed section \"a\" at 10");
}

TEST_F(AppRender, UsesTheAppsOwnEngineForItsExtension) {
  write(dir.file("note.txt"), "unused");
  app.engine("txt", [](const std::string& path, const json::object& options) {
    return std::filesystem::path(path).filename().string() + ":" + std::string(options.at("who").as_string());
  });
  EXPECT_EQ(app.render("note.txt", {{"who", "me"}}), "note.txt:me");
  app.engine(".fail", [](const std::string&, const json::object&) -> std::string { throw std::runtime_error("engine broke"); });
  write(dir.file("x.fail"), "");
  EXPECT_EQ(error_of([&] { app.render("x.fail"); }), "engine broke");
}

}  // namespace
}  // namespace cortado
