// body_reader.hpp compiles alone; BodyError carries the status a client gets. The reader itself
// runs over real sockets in tests/integration/streamed_body_test.cpp.
#include "cortado/http/body_reader.hpp"

#include <gtest/gtest.h>

namespace cortado::http {
namespace {

TEST(BodyError, CarriesItsStatusAndMessage) {
  BodyError error(413, "request entity too large");
  EXPECT_EQ(error.status(), 413u);
  EXPECT_STREQ(error.what(), "request entity too large");
  const std::runtime_error& base = error;  // caught as any std::exception by handlers that do not know it
  EXPECT_STREQ(base.what(), "request entity too large");
}

}  // namespace
}  // namespace cortado::http
