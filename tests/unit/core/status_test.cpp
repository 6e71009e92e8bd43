#include "cortado/core/status.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <utility>

namespace cortado {
namespace {

TEST(StatusText, NodesPhrases) {
  // require('http').STATUS_CODES[code] in Node v20; 400 to 505 are also the statuses (and bodies)
  // of the responses the HTTP layer sends itself before closing a connection.
  constexpr std::pair<unsigned, std::string_view> expected[] = {
      {200, "OK"},
      {302, "Found"},
      {400, "Bad Request"},
      {404, "Not Found"},
      {408, "Request Timeout"},
      {413, "Payload Too Large"},
      {416, "Range Not Satisfiable"},
      {418, "I'm a Teapot"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {503, "Service Unavailable"},
      {505, "HTTP Version Not Supported"},
      {511, "Network Authentication Required"},
  };
  for (const auto& [code, phrase] : expected) EXPECT_EQ(status_text(code), phrase) << code;
}

TEST(StatusText, UnnamedCodesAreEmpty) {
  for (unsigned code : {0u, 299u, 306u, 599u, 1000u}) EXPECT_EQ(status_text(code), "") << code;
}

}  // namespace
}  // namespace cortado
