#include "cortado/session/middleware.hpp"

#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"
#include "cortado/app/websocket.hpp"
#include "app/access.hpp"
#include "cortado/core/clock.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/session_id.hpp"
#include "core/decode_in_place.hpp"
#include "core/header_text.hpp"
#include "core/kept_blocks.hpp"
#include "core/raw_cookie.hpp"
#include "session/scratch_storage.hpp"
#include "session/session_context.hpp"
#include "session/session_slot.hpp"
#include "session/session_text.hpp"
#include "session/socket_events.hpp"
#include "session/socket_expiry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/string.hpp>

#include <iostream>
#include <stdexcept>
#include <utility>

namespace cortado {
namespace detail {

std::string SessionContext::new_id() const {
  return config->options.genid ? config->options.genid(req) : generate_session_id();
}

SessionCookie SessionContext::new_cookie() const {
  const CookieAttributes& o = config->options.cookie;
  // new Cookie(options): the options' attributes, then their maxAge or expires as the setters take them.
  SessionCookie c{.attributes = o};
  c.attributes.http_only = o.http_only.value_or(true);
  c.attributes.max_age.reset();
  if (o.expires) c.set_expires(*o.expires);
  if (o.max_age) c.set_max_age(o.max_age->count());
  if (config->options.secure_auto) c.attributes.secure = is_secure();
  return c;
}

bool SessionContext::is_secure() const {
  const auto& proxy = config->options.proxy;
  if (proxy && !*proxy) return false;
  if (!proxy) return req.secure();  // no explicit trust: the app's own trust proxy decides
  auto header = req.get("x-forwarded-proto");
  return boost::beast::iequals(text::trim(header.substr(0, header.find(',')), " "), "https");
}

bool SessionContext::past_absolute_lifetime(const json::object& stored) const {
  const auto& lifetime = config->options.absolute_lifetime;
  if (!lifetime) return false;
  const json::value* created = stored.if_contains("createdAt");
  auto ms = created ? json::try_value_to<std::int64_t>(*created) : boost::system::result<std::int64_t>();
  return !ms || *ms + lifetime->count() <= date_now();  // no creation time: it predates the option
}

std::optional<std::int64_t> SessionContext::creation_time() const {
  if (!config->options.absolute_lifetime) return std::nullopt;
  return date_now();
}

void SessionContext::stamp_creation(Session& s) const {
  if (auto now = creation_time()) s["createdAt"] = *now;
}

void SessionContext::begin_new(bool id_on_first_use) {
  loaded_by_cookie_id = false;
  track_saves = true;
  auto& slot = req.slot<detail::SessionSlot>();
  if (!id_on_first_use) {
    made_id = new_id();
    slot.id = made_id;
    return;
  }
  // Plain pointers here and in generate_on_first_use(): the slot that holds these functions
  // holds the context too.
  slot.make_id = [this] {
    made_id = generate_session_id();
    req.slot<detail::SessionSlot>().id = made_id;
  };
}

std::shared_ptr<Session> SessionContext::make_new(SessionCookie cookie, std::optional<std::int64_t> created_at) {
  auto session = detail::make_shared_kept<Session>(shared_from_this(), made_id, std::move(cookie));
  if (created_at) (*session)["createdAt"] = *created_at;  // before original_hash: not a modification
  original_hash = session->data_text();
  session->data_may_change_ = false;
  return session;
}

void SessionContext::generate() {
  begin_new(false);
  SessionCookie cookie = new_cookie();
  req.slot<detail::SessionSlot>().session = make_new(std::move(cookie), creation_time());
}

void SessionContext::generate_on_first_use() {
  begin_new(!config->options.genid);  // an app's genid is called now, as express-session calls it
  unmade_cookie = new_cookie();
  unmade_created_at = creation_time();
  req.slot<detail::SessionSlot>().load = [this] {
    req.session_id();  // the id first, if not yet made
    SessionCookie cookie = std::move(*unmade_cookie);
    unmade_cookie.reset();
    return make_new(std::move(cookie), unmade_created_at);
  };
}

void SessionContext::inflate(json::object stored) {
  auto session = detail::make_shared_kept<Session>(shared_from_this(), std::string(*cookie_id), SessionCookie{});
  session->load(std::move(stored));
  loaded(std::move(session));
}

// The session is made with the stored cookie rather than given it after: each move of a cookie
// (its optional strings) cost some 90 instructions.
void SessionContext::inflate(SessionCookie&& cookie, SnapshotPtr data) {
  auto session = detail::make_shared_kept<Session>(shared_from_this(), std::string(*cookie_id), std::move(cookie));
  session->adopt(0, std::move(data));
  loaded(std::move(session));
}

void SessionContext::inflate(SessionCookie&& cookie, json::object&& data, std::string&& data_text,
                             std::size_t cookie_position) {
  auto session = detail::make_shared_kept<Session>(shared_from_this(), std::string(*cookie_id), std::move(cookie));
  const std::size_t keys = data.size();
  session->load_data(std::move(data), cookie_position);
  if (std::as_const(*session).data().size() != keys) data_text.clear();  // a reserved key left out
  loaded(std::move(session), std::move(data_text));
}

SessionContext::Found SessionContext::load_from_memory(MemoryStore& memory) {
  // The request's session lives in a bump allocator: one allocation for its keys and values
  // instead of one each (a socket's session moves out of it, see open_socket).
  auto loaded = memory.load_now(*cookie_id, [this] { return request_storage(); });
  if (!loaded) return Found::absent;
  // createdAt is a data key: a snapshot's data holds it as the stored object does.
  if (past_absolute_lifetime(loaded->snapshot ? loaded->snapshot->data : *loaded->object)) return Found::past_lifetime;
  if (loaded->cookie_read) cookie_as_stored = loaded->cookie.attributes;
  if (loaded->snapshot) {
    inflate(std::move(loaded->cookie), std::move(loaded->snapshot));
    return Found::loaded;
  }
  if (loaded->cookie_read) inflate(std::move(loaded->cookie), std::move(*loaded->object), std::move(loaded->data_text));
  else inflate(std::move(*loaded->object));
  parsed_from_memory = true;
  return Found::loaded;
}

void SessionContext::loaded(std::shared_ptr<Session> session, std::string data_text) {
  session->is_new_ = false;
  loaded_by_cookie_id = true;
  original_hash = data_text.empty() ? session->data_text() : std::move(data_text);
  session->data_may_change_ = false;
  if (!config->resave) saved_hash = original_hash;
  const auto& c = session->cookie();
  if (config->options.merge_changes) loaded_data = std::as_const(*session).data();
  // The last write or touch was originalMaxAge before expires. A stored originalMaxAge can be any
  // number; one beyond twice a JavaScript Date's range was never written by a touch, and would
  // overflow the subtraction (found by fuzz/session_load_fuzz.cpp).
  constexpr std::int64_t date_span = 2 * 8'640'000'000'000'000;
  const auto& original_max_age = c.attributes.max_age;
  const auto& expires = c.attributes.expires;
  if (expires && original_max_age && original_max_age->count() >= -date_span && original_max_age->count() <= date_span)
    last_touch = *expires - *original_max_age;
  track_saves = true;
  req.slot<detail::SessionSlot>().session = std::move(session);
}

std::string SessionContext::data_text(const Session& s) const {
  return s.data_may_have_changed() ? s.data_text() : original_hash;
}

bool SessionContext::is_modified(const Session& s, std::string_view text) const {
  return original_id() != s.id() || original_hash != text;
}

bool SessionContext::is_saved(const Session& s, std::string_view text) const {
  return original_id() == s.id() && saved_hash && *saved_hash == text;
}

bool SessionContext::should_save(const Session& s, std::string_view text) const {
  if (!config->save_uninitialized && !saved_hash && cookie_id != req.session_id()) return is_modified(s, text);
  return !is_saved(s, text);
}

bool SessionContext::should_touch(const Session& s, std::string_view text) const {
  if (cookie_id != req.session_id() || should_save(s, text)) return false;
  const auto& after = config->options.touch_after;
  // touch_after: skip the store write while the last one is recent enough.
  return !(after && last_touch && now_ms() - *last_touch < *after);
}

bool SessionContext::should_set_cookie(const Session& s) const {
  if (cookie_id != req.session_id()) return config->save_uninitialized || is_modified(s, data_text(s));
  return config->options.rolling || (s.cookie().attributes.expires && is_modified(s, data_text(s)));
}

bool SessionContext::should_destroy() const {
  // The id last: asking for it makes an id not yet drawn (generate_on_first_use).
  return config->unset_destroy && !req.has_session() && !req.session_id().empty();
}

void SessionContext::read_cookie() {
  // Only its own cookie is looked for (as req.cookies() would read it): no map of them all.
  auto raw = find_raw_cookie(req.get(boost::beast::http::field::cookie), config->options.name);
  if (!raw) return;
  // cookie.parse's tryDecode: the value as sent where it cannot be decoded.
  sent_value.assign(raw->begin(), raw->end());
  if (auto size = decode_uri_component_in_place(sent_value.data(), sent_value.size()))
    sent_value.resize(*size);
  else
    sent_value.assign(raw->begin(), raw->end());
  auto verified = config->signer.verify_cookie(std::string_view(sent_value.data(), sent_value.size()));
  if (!verified || verified->id.empty()) return;
  cookie_id = verified->id;
  sent_by_signing_secret = verified->by_signing_secret;
}

void SessionContext::set_cookie(Response& res) {
  // An unmade new session is one nothing used: unsaved, it gets no cookie (should_set_cookie).
  if (!req.has_session() || new_session_unmade()) return;
  auto& s = req.session();
  if (gone_from_store && s.id() == original_id()) return;  // a cookie for a session that no longer exists
  if (!should_set_cookie(s)) return;
  if (s.cookie().attributes.secure.value_or(false) && !is_secure()) return;  // a secure cookie only over HTTPS
  if (!touched) {
    s.touch();
    touched = true;
  }
  const auto& o = config->options;
  // The same id signed by the same secret: the value the client sent, without a second HMAC.
  if (sent_by_signing_secret && cookie_id == req.session_id())
    res.append("Set-Cookie", s.cookie().serialize(o.name, std::string_view(sent_value.data(), sent_value.size())));
  else
    res.append("Set-Cookie", s.cookie().serialize(o.name, config->signer.sign_cookie(req.session_id())));
}

namespace {
// What no store would read back is not written: the request fails instead of every later one.
void check_depth(const Session& s) {
  for (const auto& [key, value] : s.data())
    if (nests_deeper_than(value, max_session_depth - 1))
      throw std::runtime_error("session value \"" + std::string(key) + "\" is nested too deeply to be stored (more than " +
                               std::to_string(max_session_depth) + " levels)");
}
}  // namespace

bool SessionContext::merge_changes(Session& s, std::optional<json::object> current) {
  if (!current) {
    // Destroyed (a logout in another request) or expired since this request loaded it:
    // writing it back would undo the logout.
    gone_from_store = true;
    return false;
  }
  // Apply this request's changes (set, changed and deleted keys) to the stored copy, so that a
  // concurrent request's changes to other keys survive.
  json::object merged;
  for (const auto& [key, value] : *current)
    if (key != "cookie") merged.emplace(key, value);
  for (const auto& [key, value] : *loaded_data)
    if (!s.data().contains(key)) merged.stable_erase(key);
  for (const auto& [key, value] : s.data()) {
    const json::value* before = loaded_data->if_contains(key);
    if (!before || *before != value) merged[key] = value;
  }
  s.data() = std::move(merged);
  loaded_data = s.data();
  return true;
}

void SessionContext::write_to_memory(MemoryStore& memory, Session& s, const std::string* text) {
  check_depth(std::as_const(s));
  if (loaded_data && s.id() == original_id()) {
    if (!merge_changes(s, memory.get_now(s.id(), request_storage()))) return;
    text = nullptr;  // the data changed since
  }
  // Written straight from the data's text when it can be, without the object stringify would walk.
  std::string made;
  if (!text) {
    made = data_text(s);
    text = &made;
  }
  // Saved unchanged (resave, rolling): the entry keeps the data the session still shares. The
  // entry copies the text: one buffer per thread serves every write (this function never waits).
  thread_local std::string stored;
  if (stored_text_into(s, *text, stored))
    memory.set_text_now(s.id(), stored, cookie_expiry(s.cookie()), s.shared_);
  else
    memory.set_now(s.id(), s.to_json(request_storage()));
}

Task<> SessionContext::write(Session& s, const std::string* text) {
  if (MemoryStore* memory = store().at_once()) {
    write_to_memory(*memory, s, text);
    co_return;
  }
  check_depth(std::as_const(s));
  if (loaded_data && s.id() == original_id()) {
    std::optional<json::object> current = co_await store().get(s.id());
    if (!merge_changes(s, std::move(current))) co_return;
    text = nullptr;  // the data changed since
  }
  co_await store_write(s, text);
}

Task<> SessionContext::store_write(Session& s, const std::string* text) {
  if (!store().takes_text()) return store().set(s.id(), s.to_json(request_storage()));
  // The stores of text: written straight from the data's text when it can be.
  std::string made;
  if (!text) {
    made = data_text(s);
    text = &made;
  }
  std::optional<std::string> stored = stored_text(s, *text);
  const auto expiry = cookie_expiry(s.cookie());
  if (stored && expiry_read_back(s.cookie(), expiry)) return store().set_text(s.id(), std::move(*stored), expiry);
  return store().set(s.id(), s.to_json(request_storage()));
}

Task<> SessionContext::store_touch(const Session& s) {
  // A store that reads only the expiry gets it as a date, without the cookie's JSON.
  const SessionCookie& cookie = s.cookie();
  const bool by_expiry = store().touches_by_expiry();
  const auto expiry = by_expiry ? cookie_expiry(cookie) : std::nullopt;
  if (by_expiry && expiry_read_back(cookie, expiry)) return store().touch_until(req.session_id(), expiry);
  return store().touch(req.session_id(), touch_json(s));
}

namespace {

// end_session_sockets with the store kept alive for as long as it runs.
Task<> end_sockets_of(std::shared_ptr<Store> store, std::string id) {
  co_await end_session_sockets(*store, std::move(id));
}

}  // namespace

Task<> SessionContext::destroy_in_store(std::string id) {
  std::exception_ptr failed;
  try {
    co_await store().destroy(id);
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    close_sockets_of(id);  // the session is left all the same
    std::rethrow_exception(failed);
  }
  if (socket || !res) {  // a socket's own call: no response to wait for
    co_await end_session_sockets(*config->options.store, std::move(id));  // here and in the other processes
    co_return;
  }
  // The sockets end once this request's response is written. A page that reloads on their close
  // (4401) then sends the cookie this response sets; closed before, a tab of the same browser
  // could reload with the ended session's cookie, be given a new session, and have its cookie
  // replace the one this response sets (a log-out in one tab losing what it kept, as the
  // theme in the demo's log-out, while another tab reloaded).
  auto executor = co_await boost::asio::this_coro::executor;
  AppAccess::exchange(*res).on_finished.emplace_back(
      [store = config->options.store, id = std::move(id), executor](const http::RawResponse&) {
        boost::asio::co_spawn(executor, end_sockets_of(store, id), [](std::exception_ptr error) {
          if (!error) return;
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            std::cerr << "cortado: the other processes were not told that a session ended (its sockets there stay "
                         "open): "
                      << e.what() << '\n';
          } catch (...) {
          }
        });
      });
}

namespace {
// Only the cookie counts in a touch: its text alone, no object of the whole session. A plain
// function, so that the per-thread buffer is never held across a suspension.
void touch_in_memory(MemoryStore& memory, std::string_view sid, const SessionCookie& cookie) {
  thread_local std::string text;
  text.clear();
  append_cookie_json(text, cookie);
  memory.touch_cookie_now(sid, text, cookie_expiry(cookie));
}
}  // namespace

void SessionContext::keep_snapshot(const Session& s) {
  // Only data nothing could have changed (no access but const since it was parsed): a change
  // that leaves the text as it was can still change a value's kind (3 for 3.0), which a parse
  // of the text would not give back.
  if (!parsed_from_memory || s.data_may_have_changed() || s.id() != original_id()) return;
  parsed_from_memory = false;
  if (MemoryStore* memory = store().at_once()) memory->keep_snapshot_now(s.id(), s.data(), original_hash);
}

SessionContext::Outcome SessionContext::decide(Session& s, std::string& text) {
  if (!touched) {
    s.touch();
    touched = true;
  }
  text = data_text(s);
  // A session bound to an owner in this request is saved even unchanged: the index names saved sessions only.
  if (should_save(s, text) || s.owner_changed_) {
    if (track_saves) saved_hash = text;
    return Outcome::write;
  }
  return should_touch(s, text) ? Outcome::touch : Outcome::none;
}

void SessionContext::touch_memory(MemoryStore& memory, const Session& s) {
  // A cookie as it was loaded would be written back as the same text, which the store then
  // leaves alone: a read-only request's touch of a browser-session cookie (no maxAge) costs
  // nothing. Were the entry changed since the load, this touch is as if it ran first.
  const bool as_stored =
      cookie_as_stored && s.cookie().attributes == *cookie_as_stored && s.id() == original_id();
  if (!as_stored) touch_in_memory(memory, req.session_id(), s.cookie());
}

bool SessionContext::commit_now(std::optional<Task<>>& call) {
  if (should_destroy()) return false;
  // An unmade new session is one nothing used: unchanged and unsaved, there is nothing to do.
  if (!req.has_session() || new_session_unmade()) return true;
  Session& session = req.session();
  if (session.owner_changed_) return false;  // the owner is indexed after the save
  MemoryStore* memory = store().at_once();
  if (!memory && loaded_data) return false;  // merge_changes reads the store before the write
  std::string text;
  switch (decide(session, text)) {
    case Outcome::write:
      if (memory) {
        write_to_memory(*memory, session, &text);
      } else {
        check_depth(std::as_const(session));
        call = store_write(session, &text);
      }
      break;
    case Outcome::touch:
      if (memory) touch_memory(*memory, std::as_const(session));
      else call = store_touch(std::as_const(session));
      break;
    case Outcome::none:
      break;
  }
  keep_snapshot(session);  // only a session parsed from the memory store, whose calls never wait
  return true;
}

Task<> SessionContext::commit() {
  if (should_destroy()) {
    co_await destroy_in_store(req.session_id());
    co_return;
  }
  if (!req.has_session() || new_session_unmade()) co_return;
  auto session = req.slot<detail::SessionSlot>().session;  // keep it alive across the store call
  std::string text;
  const Outcome outcome = decide(*session, text);
  if (outcome == Outcome::write) {
    co_await write(*session, &text);
  } else if (outcome == Outcome::touch) {
    if (MemoryStore* memory = store().at_once())
      touch_memory(*memory, std::as_const(*session));
    else
      co_await store_touch(std::as_const(*session));
  }
  keep_snapshot(*session);
  if (session->owner_changed_) co_await bind_owner(*session);
}

json::object SessionContext::touch_json(const Session& s) {
  const json::storage_ptr storage = request_storage();
  if (!config->options.store->touch_reads_cookie_only()) return s.to_json(storage);
  json::object out(storage);
  out.emplace("cookie", s.cookie().to_json(storage));
  return out;
}

json::storage_ptr SessionContext::request_storage() {
  if (socket) return scratch_storage();
  if (!scratch) scratch = scratch_storage();
  return *scratch;
}

void SessionContext::keep_for_socket() {
  socket = true;
  scratch.reset();  // its inline bytes are not kept for the socket's life
  if (req.has_session()) req.session().move_to_heap();
  if (loaded_data) {
    json::object heap(*loaded_data, json::storage_ptr());
    loaded_data.emplace(std::move(heap));  // emplace, not assignment, so that heap's storage is kept
  }
}

Task<> SessionContext::bind_owner(Session& s) {
  if (!s.owner_changed_ || !s.owner_ || gone_from_store) co_return;
  co_await config->options.store->set_owner(s.id(), *s.owner_, s.to_json());
  s.owner_changed_ = false;
}

}  // namespace detail

namespace {

// express-session's default store grows with every cookieless request; this one is bounded.
std::shared_ptr<Store> default_store() {
  const char* env = std::getenv("CORTADO_ENV");
  if (!env) env = std::getenv("NODE_ENV");
  if (env && std::string_view(env) == "production")
    std::cerr << "Warning: the session MemoryStore is not designed for a production environment: it keeps\n"
              << "at most " << default_session_store_entries
              << " sessions (then drops the least recently used), and will not scale past a single process.\n";
  return std::make_shared<MemoryStore>(MemoryStoreOptions{.max_entries = default_session_store_entries});
}

std::shared_ptr<detail::SessionConfig> make_config(SessionOptions options) {
  if (options.secret.empty()) throw std::invalid_argument("secret option required for sessions");
  for (const auto& s : options.secret)
    if (s.empty()) throw std::invalid_argument("secret option array must contain one or more strings");
  if (options.unset != "keep" && options.unset != "destroy")
    throw std::invalid_argument("unset option must be \"destroy\" or \"keep\"");
  if (!options.resave) std::cerr << "cortado: session: undefined resave option; provide resave option\n";
  if (!options.save_uninitialized)
    std::cerr << "cortado: session: undefined saveUninitialized option; provide saveUninitialized option\n";
  if (!options.store) options.store = default_store();
  // Refuse now a cookie attribute that could never be written, instead of on every request.
  (void)SessionCookie{.attributes = options.cookie}.serialize(options.name, "probe");
  const bool resave = options.resave.value_or(true);
  const bool save_uninitialized = options.save_uninitialized.value_or(true);
  const bool unset_destroy = options.unset == "destroy";
  auto config = std::make_shared<detail::SessionConfig>(std::move(options));
  config->resave = resave;
  config->save_uninitialized = save_uninitialized;
  config->unset_destroy = unset_destroy;
  return config;
}

}  // namespace

namespace {
// The session as loaded for the upgrade is saved (as at the end of a request) and the socket
// bound to it, so that its destroy or regenerate elsewhere closes the socket.
Task<> open_socket(std::shared_ptr<detail::SessionContext> ctx, Request& req, WebSocket& sock) {
  ctx->keep_for_socket();
  co_await ctx->commit();
  if (!req.has_session()) co_return;
  detail::bind_socket(req.session_id(), sock.connection());
  // Indexed under its user too, for send_to_owner() and destroy_all(); a store without an owner
  // index has no owners to index.
  std::optional<std::string> owner;
  try {
    owner = co_await req.session().owner();
  } catch (const std::logic_error&) {
  }
  if (owner) detail::bind_socket_owner(*owner, req.session_id(), sock.connection());
  // Expiry in the store closes it too (4401); the watch ends with the socket.
  auto stop = co_await detail::watch_socket_expiry(sock.connection(), ctx->config->options.store, req.session_id(),
                                                   req.session().to_json());
  on_websocket_close(req, std::move(stop));
}

// Gives the context its request's response while the middleware runs (SessionContext::res): a
// session an app's own coroutine keeps past the request ends its sockets at once.
class ResponseBinding {
 public:
  ResponseBinding(detail::SessionContext& ctx, Response& res) : ctx_(ctx) { ctx_.res = &res; }
  ~ResponseBinding() { ctx_.res = nullptr; }
  ResponseBinding(const ResponseBinding&) = delete;
  ResponseBinding& operator=(const ResponseBinding&) = delete;

 private:
  detail::SessionContext& ctx_;
};
}  // namespace

Middleware session(SessionOptions options) {
  std::shared_ptr<const detail::SessionConfig> config = make_config(std::move(options));
  detail::subscribe_socket_events(config->options.store);
  return make_middleware([config](Request& req, Response& res, Next next) -> Task<> {
    if (req.has_session()) {  // a second session middleware on the same request does nothing
      co_await next();
      co_return;
    }
    // express-session's path filter (`cookie.path || '/'`): no session outside the cookie's path.
    const auto& path = config->options.cookie.path;
    if (!req.original_path().starts_with(path && !path->empty() ? std::string_view(*path) : "/")) {
      co_await next();
      co_return;
    }
    auto ctx = detail::make_shared_kept<detail::SessionContext>(config, req);
    const ResponseBinding bound(*ctx, res);
    detail::SessionSlot& slot = req.slot<detail::SessionSlot>();  // found once: the lookup compares type names
    slot.store = config->options.store;
    slot.context = ctx;
    ctx->read_cookie();
    if (ctx->cookie_id)
      slot.id = *ctx->cookie_id;
    else
      slot.id.clear();
    res.on_headers([context = ctx.get(), &res] { context->set_cookie(res); });  // the slot keeps it alive
    bool loaded = false;
    if (MemoryStore* memory = ctx->store().at_once(); memory && ctx->cookie_id) {
      const auto found = ctx->load_from_memory(*memory);  // a plain call: the memory store never waits
      if (found == detail::SessionContext::Found::past_lifetime)
        co_await ctx->destroy_in_store(std::string(*ctx->cookie_id));
      loaded = found == detail::SessionContext::Found::loaded;
    } else if (ctx->cookie_id) {
      std::optional<StoredSession> stored =
          co_await ctx->store().load(std::string(*ctx->cookie_id), ctx->request_storage());
      if (stored && ctx->past_absolute_lifetime(stored->data)) {
        co_await ctx->destroy_in_store(std::string(*ctx->cookie_id));
        stored.reset();
      }
      if (stored) ctx->inflate(std::move(*stored));
      loaded = stored.has_value();
    }
    // A WebSocket upgrade: the session is committed when the socket opens (before the route's
    // handler) and the socket is bound to it; not again when the socket closes, which would
    // write back the snapshot loaded at the upgrade over what other requests did meanwhile, or
    // bring back a session logged out elsewhere. The socket saves with session().save().
    const bool upgrade = detail::AppAccess::exchange(res).upgrader != nullptr;
    if (loaded) {
      if (upgrade) req.slot<detail::UpgradeSession>().loaded = true;
    } else if (config->save_uninitialized || upgrade) {
      ctx->generate();
    } else {
      ctx->generate_on_first_use();
    }
    if (upgrade) on_websocket_open(req, [ctx, &req](WebSocket& sock) { return open_socket(ctx, req, sock); });
    co_await next();
    if (upgrade && detail::AppAccess::exchange(res).upgraded) co_return;
    // A plain call where it can be: no coroutine frame for the commit, only for the store's call.
    std::optional<Task<>> store_call;
    if (!ctx->commit_now(store_call))
      co_await ctx->commit();
    else if (store_call)
      co_await std::move(*store_call);
  });
}

}  // namespace cortado
