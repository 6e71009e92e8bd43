// cors()'s options: the header compiles alone, and an impossible status is refused when the
// middleware is made (the behaviour is compared with the cors package in tests/compat).

#include "cortado/app/cors.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cortado {
namespace {

TEST(Cors, EveryKindOfOriginMakesAMiddleware) {
  EXPECT_NO_THROW(cors());
  EXPECT_NO_THROW(cors({.origin = std::string("https://a.example")}));
  EXPECT_NO_THROW(cors({.origin = true}));
  EXPECT_NO_THROW(cors({.origin = std::regex("example$")}));
  EXPECT_NO_THROW(cors({.origin = std::vector<OriginPattern>{std::string("https://a.example"), std::regex("b")}}));
  EXPECT_NO_THROW(cors({.origin = [](std::string_view origin) { return origin.empty(); }}));
  EXPECT_THROW(cors({.options_success_status = 42}), std::invalid_argument);
}

}  // namespace
}  // namespace cortado
