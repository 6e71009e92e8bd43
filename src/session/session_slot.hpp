#pragma once
// What the session middleware keeps on each request, in the request's slot<SessionSlot>():
// the app layer knows nothing of sessions beyond the declarations of req.session() and friends.

#include "cortado/session/session.hpp"
#include "cortado/session/store.hpp"

#include <functional>
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
  /// The session middleware's, for a new session whose id comes from the default generator:
  /// sets `id` on the first req.session_id() or req.session(). Random bytes drawn later are as
  /// random, so only a request that never asks saves the work; a genid of the app's is called
  /// at the start, as express-session calls it.
  std::function<void()> make_id;
  /// req.session_store().
  std::shared_ptr<Store> store;
  /// cookie_session(): makes `session` on the first req.session(), as cookie-session reads its
  /// cookie only when req.session is first read. Dropped by unset_session().
  std::function<std::shared_ptr<Session>()> load;
  /// The session middleware's state for this request (SessionContext), kept until the request
  /// ends: its Set-Cookie hook holds a plain pointer to it, which std::function stores without
  /// an allocation (a shared_ptr in the capture took one per request).
  std::shared_ptr<const void> context;
};

}  // namespace cortado::detail
