// Inputs fuzz/session_load_fuzz.cpp found (fuzz/regressions/session_load/ holds them as found).
#include "cortado/core/json.hpp"
#include "cortado/app/request.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/session_cookie.hpp"
#include "session/session_context.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <stdexcept>

namespace cortado {
namespace {

constexpr auto int64_max = std::numeric_limits<std::int64_t>::max();
constexpr auto int64_min = std::numeric_limits<std::int64_t>::min();

SessionCookie cookie_from(std::string_view text) { return SessionCookie::from_json(parse_json(text).as_object()); }

// A stored originalMaxAge of 1e300 was cast to int64 (undefined behaviour); it now saturates, and
// touching the session refuses it as Node's Date refuses such a maxAge.
TEST(SessionFuzzRegressions, HugeDoubleMaxAgeSaturates) {
  auto c = cookie_from(R"({"originalMaxAge":1e300,"expires":"2099-01-01T00:00:00.000Z"})");
  EXPECT_EQ(c.original_max_age(), int64_max);
  EXPECT_THROW(c.reset_max_age(), std::out_of_range);
  EXPECT_EQ(cookie_from(R"({"originalMaxAge":-1e300})").original_max_age(), int64_min);
  EXPECT_EQ(cookie_from(R"({"originalMaxAge":1.9})").original_max_age(), 1);
}

// A uint64 past int64 wrapped to a negative age (an expired session); it saturates too.
TEST(SessionFuzzRegressions, HugeUnsignedMaxAgeSaturates) {
  EXPECT_EQ(cookie_from(R"({"originalMaxAge":18446744073709551615})").original_max_age(), int64_max);
}

// expires - originalMaxAge (when the session was last touched) overflowed for an originalMaxAge of
// INT64_MIN; such a value is now ignored there.
TEST(SessionFuzzRegressions, ExtremeMaxAgeDoesNotOverflowTheLastTouch) {
  SessionOptions options;
  options.secret = {"secret"};
  options.store = std::make_shared<MemoryStore>(MemoryStoreOptions{.prune_interval = std::chrono::milliseconds::zero()});
  auto config = std::make_shared<detail::SessionConfig>(std::move(options));
  http::RawRequest raw;
  http::Exchange exchange;
  Settings settings;
  Request req(raw, exchange, settings);
  auto ctx = std::make_shared<detail::SessionContext>(config, req);
  ctx->cookie_id = "id";
  auto stored =
      parse_json(R"({"cookie":{"originalMaxAge":-9223372036854775808,"expires":"+275760-09-13T00:00:00.000Z"}})");
  ctx->inflate(stored.as_object());
  EXPECT_FALSE(ctx->last_touch);
  EXPECT_EQ(req.session().cookie().original_max_age(), int64_min);
}

}  // namespace
}  // namespace cortado
