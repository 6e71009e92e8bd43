#pragma once
// What the session middleware keeps on each request, in the request's slot<SessionSlot>():
// the app layer knows nothing of sessions beyond the declarations of req.session() and friends.

#include "cortado/session/session.hpp"
#include "cortado/session/store.hpp"

#include <memory>
#include <string>
#include <vector>

namespace cortado::detail {

struct SessionSlot {
  /// req.session(); null outside the middleware, after unset_session() and after destroy().
  std::shared_ptr<Session> session;
  /// Sessions destroyed or unset during the request, kept alive until it ends.
  std::vector<std::shared_ptr<Session>> retired;
  /// req.session_id().
  std::string id;
  /// req.session_store().
  std::shared_ptr<Store> store;
};

}  // namespace cortado::detail
