// What cortado writes it reads back: a session holding the deepest JSON body the body parser
// accepts loads again from every embedded store, and a value too deep for any store to read back
// is refused when saved (a 500 that says so) instead of breaking every later request.
#include "support/test_client.hpp"
#include "support/test_server.hpp"
#include "support/session_cookies.hpp"

#include "cortado/cortado.hpp"
#include "cortado/stores/sqlite.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <unistd.h>

namespace cortado {
namespace {

std::string nested_array(std::size_t depth, std::string_view inside = "1") {
  return std::string(depth, '[') + std::string(inside) + std::string(depth, ']');
}

using test::cookie_pair;

struct StoreCase {
  std::string name;
  std::function<std::shared_ptr<Store>(const std::string& folder)> make;
};

void PrintTo(const StoreCase& c, std::ostream* os) { *os << c.name; }

class SessionDepth : public ::testing::TestWithParam<StoreCase> {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() / ("cortado-depth-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder_);
    auto store = GetParam().make(folder_.string());
    server_.emplace([&](App& app) {
      app.use(body_parser::json({.strict = false}));
      app.use(session({.secret = {"s3cret"}, .resave = false, .save_uninitialized = false, .store = store}));
      app.post("/keep", [](Request& req, Response& res) {
        req.session()["kept"] = req.body();
        res.json("ok");
      });
      app.get("/kept", [](Request& req, Response& res) { res.json(req.session().get("kept")); });
      app.post("/too-deep", [](Request& req, Response& res) {
        json::value deep = 1;
        for (std::size_t i = 0; i < max_session_depth; ++i) deep = json::array{std::move(deep)};
        req.session()["deep"] = std::move(deep);
        res.json("ok");
      });
      app.use([](std::exception_ptr e, Request&, Response& res, Next) {
        try {
          std::rethrow_exception(e);
        } catch (const HttpError& x) {
          res.status(x.status()).json({{"error", x.what()}});
        } catch (const std::exception& x) {
          res.status(500).json({{"error", x.what()}});
        }
      });
    });
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(folder_);
  }

  std::filesystem::path folder_;
  std::optional<test::TestServer> server_;
};

TEST_P(SessionDepth, TheDeepestBodyKeptInASessionLoadsAgain) {
  const auto body = nested_array(body_parser::Options{}.max_depth);
  auto saved = test::request(server_->port(), "POST", "/keep", {{"Content-Type", "application/json"}}, body);
  ASSERT_EQ(saved.status, 200) << saved.body;
  auto cookie = cookie_pair(saved);
  ASSERT_FALSE(cookie.empty());
  for (int i = 0; i < 2; ++i) {
    auto loaded = test::get(server_->port(), "/kept", {{"Cookie", cookie}});
    EXPECT_EQ(loaded.status, 200) << loaded.body;
    EXPECT_EQ(loaded.body, body);
  }
}

TEST_P(SessionDepth, AValueNoStoreCouldReadBackIsRefusedAtSaveAndTheSessionLivesOn) {
  auto saved = test::request(server_->port(), "POST", "/keep", {{"Content-Type", "application/json"}}, "[1]");
  ASSERT_EQ(saved.status, 200);
  auto cookie = cookie_pair(saved);
  auto refused = test::request(server_->port(), "POST", "/too-deep", {{"Cookie", cookie}});
  EXPECT_EQ(refused.status, 500);
  EXPECT_NE(refused.body.find("nested too deeply"), std::string::npos) << refused.body;
  auto loaded = test::get(server_->port(), "/kept", {{"Cookie", cookie}});
  EXPECT_EQ(loaded.status, 200) << loaded.body;
  EXPECT_EQ(loaded.body, "[1]");
}

TEST_P(SessionDepth, ABodyDeeperThanTheParserAllowsIs400) {
  const auto body = nested_array(body_parser::Options{}.max_depth + 1);
  auto res = test::request(server_->port(), "POST", "/keep", {{"Content-Type", "application/json"}}, body);
  EXPECT_EQ(res.status, 400);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, SessionDepth,
    ::testing::Values(StoreCase{"memory", [](const std::string&) { return std::make_shared<MemoryStore>(); }},
                      StoreCase{"sqlite", [](const std::string& folder) { return stores::sqlite(folder + "/s.db"); }}),
    [](const ::testing::TestParamInfo<StoreCase>& info) { return info.param.name; });

}  // namespace
}  // namespace cortado
