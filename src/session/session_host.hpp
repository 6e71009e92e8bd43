#pragma once
// What a Session asks of the middleware that made it: express-session's (SessionContext, over a
// store) or cookie-session's (CookieSessionContext, the data in the cookie). Session's awaitable
// methods and is_changed() are theirs.

#include "cortado/core/task.hpp"

#include <optional>
#include <string>

namespace cortado {

class Session;

namespace detail {

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual Task<> regenerate(Session& s, bool keep_data) = 0;
  virtual Task<> destroy(Session& s) = 0;
  virtual Task<> reload(Session& s) = 0;
  virtual Task<> save(Session& s) = 0;
  virtual bool is_changed(const Session& s) const = 0;
  /// The owner the store has bound the session to; a host without a store has none.
  virtual Task<std::optional<std::string>> owner_of(const Session&) { co_return std::nullopt; }
};

}  // namespace detail
}  // namespace cortado
