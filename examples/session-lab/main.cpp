// session-lab: every option of the session middleware as a flag, every session operation as a
// route (docs/SESSION_LAB.md), so that it can be driven side by side with Node's express-session.
#include "options.hpp"
#include "stores.hpp"

#include <cortado/cortado.hpp>
#include <cortado/session/cookie_session.hpp>

#include <boost/json/parse.hpp>

#include <cmath>
#include <iostream>
#include <optional>
#include <utility>

using namespace cortado;

namespace {

// JavaScript's `(value || 0) + 1`, which is what the Node lab computes for a views counter.
json::value js_increment(const json::value& v) {
  if (v.is_null() || (v.is_bool() && !v.get_bool())) return 1;
  if (v.is_bool()) return 2;
  if (v.is_int64()) return v.get_int64() == 0 ? 1 : v.get_int64() + 1;
  if (v.is_uint64()) return v.get_uint64() + 1;
  if (v.is_double()) return v.get_double() == 0 || std::isnan(v.get_double()) ? 1.0 : v.get_double() + 1;
  if (v.is_string()) return v.get_string().empty() ? json::value(1) : json::value(std::string(v.get_string()) + "1");
  if (v.is_object()) return "[object Object]1";
  std::string joined;  // an array: String(array) is its items joined by ','
  for (const auto& item : v.get_array()) {
    if (&item != &v.get_array().front()) joined += ',';
    if (item.is_string()) joined += item.get_string();
    else if (!item.is_null()) joined += stringify(item);
  }
  return json::value(joined + "1");
}

// Keys that a Node Session object owns itself: assigning them changes nothing. express-session's
// own id and req; cookie-session's _ctx and its getters.
bool own_property(std::string_view key, bool cookie_store) {
  if (cookie_store) return key == "_ctx" || key == "isNew" || key == "isChanged" || key == "isPopulated";
  return key == "id" || key == "req";
}

// res.json(req.sessionID): nothing at all when there is none (a cookie session has no id).
void send_id(Request& req, Response& res) {
  if (req.session_id().empty()) return res.type("json").end();  // res.json(undefined)
  res.json(json::string(req.session_id()));
}

// The session's data as the lab shows it: every key but "cookie" (express-session's own; the
// Node lab leaves it out for cookie-session too).
json::object data_of(Session& s) {
  json::object out = std::as_const(s).data();
  out.erase("cookie");
  return out;
}

void add_routes(App& app, std::shared_ptr<Store> store, bool cookie_store) {
  app.get("/", [](Request&, Response& res) { res.json("ok"); });
  app.get("/views", [](Request& req, Response& res) {
    auto& s = req.session();
    s["views"] = js_increment(s.get("views"));
    res.json(s["views"]);
  });
  app.get("/get/:key", [cookie_store](Request& req, Response& res) {
    auto key = req.params()["key"];
    auto& s = req.session();
    if (cookie_store) {
      // cookie-session's getters; its other keys are the data's.
      if (key == "isNew") return res.json(s.is_new());
      if (key == "isChanged") return res.json(s.is_changed());
      if (key == "isPopulated") return res.json(s.is_populated());
      return res.json(s.get(key));
    }
    if (key == "id") return res.json(json::string(s.id()));
    if (key == "cookie") return res.json(s.cookie().to_json());
    res.json(s.get(key));
  });
  app.post("/set/:key", [cookie_store](Request& req, Response& res) {
    auto key = req.params()["key"];
    if (!own_property(key, cookie_store)) {
      // Without a parsed body Node assigns undefined, which JSON leaves out: as if deleted.
      if (req.has_body())
        req.session()[key] = req.body();
      else
        req.session().erase(key);
    }
    res.json("ok");
  });
  app.post("/unset/:key", [](Request& req, Response& res) {
    req.session().erase(req.params()["key"]);
    res.json("ok");
  });
  app.get("/data", [](Request& req, Response& res) { res.json(data_of(req.session())); });
  app.get("/id", send_id);
  app.get("/cookie", [cookie_store](Request& req, Response& res) {
    if (!cookie_store) return res.json(req.session().cookie().to_json());
    // cookie-session has no req.session.cookie: only a data key of that name.
    auto& s = req.session();
    if (!s.contains("cookie")) return res.type("json").end();
    res.json(s.get("cookie"));
  });
  app.post("/regenerate", [](Request& req, Response& res) -> Task<> {
    co_await req.session().regenerate();
    send_id(req, res);
  });
  app.post("/destroy", [](Request& req, Response& res) -> Task<> {
    co_await req.session().destroy();
    res.json("ok");
  });
  app.post("/null-session", [](Request& req, Response& res) {
    req.unset_session();
    res.json("ok");
  });
  app.post("/reload", [](Request& req, Response& res) -> Task<> {
    co_await req.session().reload();
    res.json(data_of(req.session()));
  });
  app.post("/save", [](Request& req, Response& res) -> Task<> {
    co_await req.session().save();
    res.json("ok");
  });
  app.post("/touch", [](Request& req, Response& res) {
    req.session().touch();
    res.json("ok");
  });
  app.post("/max-age/:ms", [cookie_store](Request& req, Response& res) {
    auto ms = std::stoll(std::string(req.params()["ms"]));
    if (cookie_store)
      req.session().cookie().attributes.max_age = std::chrono::milliseconds(ms);  // req.sessionOptions.maxAge
    else
      req.session().cookie().set_max_age(ms);
    res.json("ok");
  });
  app.post("/login", [](Request& req, Response& res) -> Task<> {
    const json::value* user = req.body().is_object() ? req.body().get_object().if_contains("user") : nullptr;
    std::optional<json::value> kept = user ? std::optional(*user) : std::nullopt;
    co_await req.session().regenerate();
    if (kept) req.session()["user"] = *kept;
    co_await req.session().save();
    send_id(req, res);
  });
  app.post("/logout", [](Request& req, Response& res) -> Task<> {
    req.session()["user"] = nullptr;
    co_await req.session().save();
    co_await req.session().regenerate();
    res.json("ok");
  });
  // A user's sessions (cortado only; Node's lab has no such routes): bind, list, log out everywhere else.
  app.post("/owner/:owner", [](Request& req, Response& res) -> Task<> {
    req.session().set_owner(std::string(req.params()["owner"]));
    co_await req.session().save();
    res.json("ok");
  });
  app.get("/owner/:owner/sessions", [](Request& req, Response& res) -> Task<> {
    auto sessions = co_await sessions_of(req, std::string(req.params()["owner"]));
    std::vector<std::string> ids;
    for (const auto& entry : sessions) ids.push_back(entry.first);
    std::sort(ids.begin(), ids.end());
    json::array listed;
    for (auto& id : ids) listed.emplace_back(id);
    res.json(listed);
  });
  app.post("/owner/:owner/destroy-all", [](Request& req, Response& res) -> Task<> {
    const std::size_t ended = co_await destroy_all(req, std::string(req.params()["owner"]));
    res.json(ended);
  });
  // Broadcasting to WebSockets (cortado only): the JSON body, as text, to the sockets of the
  // session id, of the owner, or of the room named; with a shared store (Redis), in every process.
  app.post("/ws/send/:audience/:name", [](Request& req, Response& res) -> Task<> {
    const std::string audience(req.params()["audience"]);
    std::string name(req.params()["name"]);
    std::string message = stringify(req.body());
    if (audience == "session") co_await send_to_session(req, std::move(name), std::move(message));
    else if (audience == "owner") co_await send_to_owner(req, std::move(name), std::move(message));
    else if (audience == "room") co_await send_to_room(req, std::move(name), std::move(message));
    else throw HttpError(404, "audience must be session, owner or room");
    res.json("ok");
  });
  app.get("/throw", [](Request&, Response&) { throw std::runtime_error("boom"); });
  app.get("/slow/:ms", [](Request& req, Response& res) -> Task<> {
    co_await sleep_for(std::chrono::milliseconds(std::stoll(std::string(req.params()["ms"]))));
    auto& s = req.session();
    s["views"] = js_increment(s.get("views"));
    res.json(s["views"]);
  });
  if (cookie_store) {
    // No store: the session lives in the cookie.
    auto no_store = [](Request&, Response&) { throw HttpError(501, "the cookie store keeps no sessions on the server"); };
    app.get("/store/length", no_store);
    app.post("/store/clear", no_store);
  } else {
    app.get("/store/length", [store](Request&, Response& res) -> Task<> {
      res.json(co_await store->length());
    });
    app.post("/store/clear", [store](Request&, Response& res) -> Task<> {
      co_await store->clear();
      res.json("ok");
    });
  }
  // Every failure answers JSON with a one-line reason; the server keeps running.
  app.use([](std::exception_ptr error, Request&, Response& res, Next) {
    unsigned status = 500;
    std::string reason = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const HttpError& e) {
      status = e.status();
      reason = e.what();
    } catch (const std::exception& e) {
      reason = e.what();
    }
    res.status(status).json({{"error", reason}});
  });
}

// One message of GET /ws, read: what it asks, copied out of the parsed JSON (nothing points into
// it across a suspension). Parsed in a plain function, so that the parse's locals are not part of
// the socket's coroutine frame, which every idle socket keeps.
struct LabAsk {
  enum class Kind { set, get, join, leave, other } kind = Kind::other;
  std::string key;
  std::optional<json::value> v;
  std::string answer;  // set when the message is answered without the session
};

LabAsk read_ask(const std::string& text) {
  LabAsk ask;
  try {
    auto message = json::parse(text);
    const auto* fields = message.if_object();
    auto text_field = [fields](const char* name) -> const json::string* {
      const auto* value = fields ? fields->if_contains(name) : nullptr;
      return value && value->is_string() ? &value->get_string() : nullptr;
    };
    using Kind = LabAsk::Kind;
    for (auto [name, kind] : {std::pair{"set", Kind::set}, {"get", Kind::get}, {"join", Kind::join}, {"leave", Kind::leave}}) {
      if (const auto* key = text_field(name)) {
        ask.kind = kind;
        ask.key = *key;
        break;
      }
    }
    if (ask.kind == Kind::set)
      if (const auto* value = fields->if_contains("v")) ask.v = *value;
  } catch (const std::exception&) {
    ask.answer = R"({"error":"not JSON"})";
    return ask;
  }
  if (ask.kind == LabAsk::Kind::other) ask.answer = R"({"error":"expected {\"set\": K, \"v\": V} or {\"get\": K}"})";
  return ask;
}

std::string error_answer(const std::exception& e) {
  json::object error;
  error["error"] = e.what();
  return stringify(error);
}

std::string value_answer(const Session& session, const std::string& key) {
  const auto* value = session.data().if_contains(key);
  return value ? stringify(*value) : "null";
}

// GET /ws (docs/SESSION_LAB.md): the session data on open; {"set": K, "v": V} sets and saves,
// answers "ok"; {"get": K} answers the value (as stored now: reloaded) or null; {"join": R} and
// {"leave": R} (cortado only) put the socket in a room and take it out, answer "ok". A message that
// is not one of these gets {"error": ...}. Closed with 4401 when the session ends elsewhere.
Task<> lab_socket(WebSocket& sock) {
  co_await sock.send(stringify(data_of(sock.session())));
  while (auto text = co_await sock.receive()) {
    LabAsk ask = read_ask(*text);
    // A store that fails (or a reload of a session the store does not have: a new one, never
    // saved) answers {"error": ...} as the HTTP routes do, and the socket stays open.
    try {
      switch (ask.kind) {
        case LabAsk::Kind::set:
          if (!own_property(ask.key, false)) {
            if (ask.v) sock.session()[ask.key] = std::move(*ask.v);
            else sock.session().erase(ask.key);  // {"v": undefined} in Node: JSON leaves it out
          }
          co_await sock.session().save();
          ask.answer = "\"ok\"";
          break;
        case LabAsk::Kind::get:
          co_await sock.session().reload();
          ask.answer = value_answer(std::as_const(sock.session()), ask.key);
          break;
        case LabAsk::Kind::join:
        case LabAsk::Kind::leave:
          if (ask.kind == LabAsk::Kind::join) join(sock, ask.key);
          else leave(sock, ask.key);
          ask.answer = "\"ok\"";
          break;
        case LabAsk::Kind::other:
          break;
      }
    } catch (const std::exception& e) {
      ask.answer = error_answer(e);
    }
    co_await sock.send(std::move(ask.answer));
  }
}

}  // namespace

int main(int argc, char** argv) {
  LabConfig lab;
  std::shared_ptr<Store> store;
  try {
    lab = parse_lab_flags(argc, argv);
    if (!lab.cookie_session) {
      store = open_lab_store(lab.store, lab.prune_interval);
      lab.session.store = store;
    }
  } catch (const std::exception& e) {
    std::cerr << "session-lab: " << e.what() << std::endl;
    return 2;
  }
  Middleware sessions;
  Middleware request_log;
  try {
    // A format naming an unknown token is a bad flag, refused before listening.
    if (!lab.log.empty()) request_log = logger(lab.log);
  } catch (const std::exception& e) {
    std::cerr << "session-lab: --log: " << e.what() << std::endl;
    return 2;
  }
  try {
    // Both refuse the options their Node package refuses.
    sessions = lab.cookie_session ? cookie_session(*lab.cookie_session) : session(lab.session);
  } catch (const std::exception& e) {
    std::cerr << "session-lab: " << e.what() << std::endl;
    return 2;
  }
  App app;
  app.set("trust proxy", lab.trust_proxy);
  app.server_options().threads = lab.threads;
  if (lab.max_connections) app.server_options().max_connections = lab.max_connections;
  if (lab.idle_timeout.count()) app.server_options().idle_timeout = lab.idle_timeout;
  // Request logs and metrics first, as morgan and express-prom-bundle go in a Node app.
  if (!lab.log.empty()) app.use(std::move(request_log));
  if (lab.metrics) {
    app.use(metrics());
    app.get("/metrics", metrics_endpoint());
  }
  // Beyond docs/SESSION_LAB.md: a route before the session middleware, which never touches the store
  // (the reliability tests check that a slow store does not hold it up).
  app.get("/health", [](Request&, Response& res) { res.json("ok"); });
  app.use(body_parser::json({.strict = false}));
  app.use(std::move(sessions));
  add_routes(app, store, lab.cookie_session.has_value());
  if (!lab.cookie_session) {
    http::WebSocketOptions ws_options;
    ws_options.allowed_origins = lab.ws_origins;
    ws_options.require_session = lab.ws_require_session;
    app.ws("/ws", lab_socket, ws_options);
  }
  try {
    auto announce = [](std::uint16_t port) { std::cout << "listening on 127.0.0.1:" << port << std::endl; };
    // A certificate or key that cannot be used: one line on stderr and exit code 1 (listen_tls).
    if (lab.tls) app.listen_tls(lab.port, *lab.tls, "127.0.0.1", announce);
    else app.listen(lab.port, "127.0.0.1", announce);
  } catch (const std::exception& e) {
    std::cerr << "session-lab: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}
