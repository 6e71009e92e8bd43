#pragma once
// Routes that many session tests share.

#include "cortado/cortado.hpp"

namespace cortado::test {

/// The session options the WebSocket tests start from: a memory store of their own, no resave,
/// no save of an unchanged new session.
inline SessionOptions memory_session_options() {
  SessionOptions options;
  options.secret = {"s3cret"};
  options.store = std::make_shared<MemoryStore>();
  options.resave = false;
  options.save_uninitialized = false;
  return options;
}

/// GET /views: counts the requests of a session in "views" and answers the count (the README's first route).
inline void add_views_route(App& app) {
  app.get("/views", [](cortado::Request& req, cortado::Response& res) {
    auto& s = req.session();
    s["views"] = s.value("views", 0) + 1;
    res.json(s["views"]);
  });
}

}  // namespace cortado::test
