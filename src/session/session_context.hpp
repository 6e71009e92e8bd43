#pragma once
// What the session middleware knows of one request: express-session's per-request closure.

#include "cortado/session/session.hpp"
#include "cortado/session/session_options.hpp"
#include "session/measured_store.hpp"
#include "session/session_host.hpp"
#include "session/signer.hpp"

#include <boost/container/small_vector.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cortado {

class Request;
class Response;

namespace detail {

/// The options as one middleware instance uses them, shared by all its requests.
struct SessionConfig {
  /// Takes the options as given (session() has checked them): needs at least one secret.
  explicit SessionConfig(SessionOptions o)
      : options(std::move(o)),
        signer(options.secret),
        store_metrics(*options.store),
        memory_store(dynamic_cast<MemoryStore*>(options.store.get())) {}

  SessionOptions options;
  Signer signer;  // options.secret, keyed once
  StoreMetrics store_metrics;  // needs options.store: session() sets a default one first
  MemoryStore* memory_store;   // options.store when it is one (its calls need no coroutine)
  bool resave = true;
  bool save_uninitialized = true;
  bool unset_destroy = false;
};

/// express-session's variables of one request (originalId, originalHash, savedHash, touched)
/// and the decisions made from them. Lives until the response's headers are written.
struct SessionContext : SessionHost, std::enable_shared_from_this<SessionContext> {
  SessionContext(std::shared_ptr<const SessionConfig> c, Request& r) : config(std::move(c)), req(r) {}

  std::shared_ptr<const SessionConfig> config;
  Request& req;
  /// The request's response while the middleware runs: a session destroyed meanwhile ends its
  /// sockets once the response is written (destroy_in_store). Null before and after.
  Response* res = nullptr;
  /// The session cookie's value as the client sent it, %-decoded. Inline for the usual length ("s:",
  /// an id of 32 characters, '.', a signature of 43), so that reading it takes no allocation.
  boost::container::small_vector<char, 96> sent_value;
  /// The verified id the client sent: a view into sent_value.
  std::optional<std::string_view> cookie_id;
  /// The signing secret made sent_value: it is what sign_cookie(cookie_id) would compute again
  /// for the Set-Cookie of a touched or rolling session.
  bool sent_by_signing_secret = false;
  /// Reads the session cookie of the request: sets sent_value, and cookie_id when it verifies.
  void read_cookie();
  /// The id the session had when loaded or made: for a loaded one the cookie's id itself (a load
  /// made a copy of it per request), for a made one its new id.
  std::string_view original_id() const { return loaded_by_cookie_id ? *cookie_id : std::string_view(made_id); }
  std::string made_id;
  bool loaded_by_cookie_id = false;
  /// The data's text when loaded or made (express-session keeps a hash of it; the text itself
  /// is as short, and comparing it needs no hashing).
  std::string original_hash;
  std::optional<std::string> saved_hash;
  bool touched = false;
  /// express-session tracks explicit saves only on the sessions it wrapped (not after regenerate).
  bool track_saves = true;
  /// The data as loaded, for merge_changes.
  std::optional<json::object> loaded_data;
  /// merge_changes found the loaded session no longer in the store: it is neither written nor sent.
  bool gone_from_store = false;
  /// The cookie of a session loaded from the memory store, when its stored text was exactly
  /// append_cookie_json's of it: a touch that finds the cookie still so would rewrite the same text.
  std::optional<CookieAttributes> cookie_as_stored;
  /// When the loaded session was last written or touched (for touch_after).
  std::optional<Timestamp> last_touch;
  /// The session was parsed from the memory store's text (it kept no snapshot of it): left
  /// unchanged, it goes back to the store at the end of the request, to be kept parsed.
  bool parsed_from_memory = false;

  /// The store, its calls counted and timed.
  MeasuredStore store() const { return {*config->options.store, config->store_metrics, config->memory_store}; }
  /// A new session with a new id, as express-session's generate().
  void generate();
  /// generate(), with the Session object made on the request's first req.session(): its id,
  /// cookie and creation time are taken now, as generate() takes them, so only when the object
  /// is built differs; an id of the default generator is drawn on the first req.session_id().
  /// A request that never uses its new session (a health check, a file, an API call without a
  /// cookie) then builds no object, no text, and has nothing to commit.
  /// Only where the end of the request would leave such a session alone (saveUninitialized
  /// false) and nothing but the handlers looks at it (no WebSocket upgrade).
  void generate_on_first_use();
  /// generate_on_first_use()'s session not yet made.
  bool new_session_unmade() const { return unmade_cookie.has_value(); }
  std::optional<SessionCookie> unmade_cookie;
  std::optional<std::int64_t> unmade_created_at;
  /// generate()'s two halves: the new session's identity (genid is called here, or with
  /// `id_on_first_use` the default generator on the first req.session_id()), then the object,
  /// given the cookie and creation time taken with the identity.
  void begin_new(bool id_on_first_use);
  std::shared_ptr<Session> make_new(SessionCookie cookie, std::optional<std::int64_t> created_at);
  /// The stored session becomes req.session (express-session's inflate()).
  void inflate(json::object stored);
  /// The same for a session the memory store keeps parsed: its data shared until changed.
  void inflate(SessionCookie&& cookie, SnapshotPtr data);
  /// The same given the cookie read apart and the rest of the stored object, with its text when
  /// the store has it (empty: stringified here).
  void inflate(SessionCookie&& cookie, json::object&& data, std::string&& data_text = {},
               std::size_t cookie_position = 0);
  /// The same for what Store::load() gives.
  void inflate(StoredSession&& stored) {
    inflate(std::move(stored.cookie), std::move(stored.data), std::move(stored.data_text), stored.cookie_position);
  }
  enum class Found { absent, loaded, past_lifetime };
  /// Loads the session from the memory store (a plain call: it never waits) and inflates it;
  /// past_lifetime: found, but to be destroyed (absolute_lifetime).
  Found load_from_memory(MemoryStore& memory);
  /// inflate()'s part after the data is in the session; `data_text` is its stringify when known.
  void loaded(std::shared_ptr<Session> session, std::string data_text = {});
  /// Session::load, for the fuzz target that loads stored JSON into a session of its own.
  static void load(Session& session, const json::object& stored) { session.load(stored); }
  /// Session::load_data, for the fuzz target that compares Store::load's reading with load's.
  static void load_data(Session& session, json::object&& data, std::size_t cookie_position) {
    session.load_data(std::move(data), cookie_position);
  }
  /// Session::adopt, for the tests of a shared snapshot.
  static void adopt(Session& session, SnapshotPtr data) { session.adopt(0, std::move(data)); }
  /// A new cookie from the options (secure "auto" decided for this request).
  SessionCookie new_cookie() const;
  /// A new id from genid or the default generator.
  std::string new_id() const;
  /// With absolute_lifetime: records now as the session's creation time.
  void stamp_creation(Session& s) const;
  /// What stamp_creation() records now: the time, or nothing without absolute_lifetime.
  std::optional<std::int64_t> creation_time() const;
  /// The stored session was created longer ago than absolute_lifetime allows.
  bool past_absolute_lifetime(const json::object& stored) const;
  /// Whether this request came over HTTPS, by express-session's `proxy` rules.
  bool is_secure() const;

  /// The data's JSON text now (what express-session hashes): serialised again only when the
  /// data may have changed since it was loaded or made.
  std::string data_text(const Session& s) const;
  /// express-session's rules, given `text`, the data's text now (data_text()).
  bool is_modified(const Session& s, std::string_view text) const;
  bool is_saved(const Session& s, std::string_view text) const;
  bool should_save(const Session& s, std::string_view text) const;
  bool should_touch(const Session& s, std::string_view text) const;
  bool should_set_cookie(const Session& s) const;
  bool should_destroy() const;

  /// The on-headers step: Set-Cookie when the rules say so.
  void set_cookie(Response& res);
  /// Writes the session to the store (with merge_changes: only what changed since it was loaded,
  /// and nothing when the store no longer holds it). `text`, when given, is data_text(s) now.
  Task<> write(Session& s, const std::string* text = nullptr);
  /// write()'s store call for a store other than memory, once any merge is done: the store's
  /// own task, made by a plain call.
  Task<> store_write(Session& s, const std::string* text);
  /// The touch of a session in a store other than memory: the store's own task.
  Task<> store_touch(const Session& s);
  /// write() to the memory store, as a plain call.
  void write_to_memory(MemoryStore& memory, Session& s, const std::string* text);
  /// merge_changes: this request's changes to the loaded data applied to `current`, what the store
  /// holds now, which becomes the session's data. False when the store no longer holds it.
  bool merge_changes(Session& s, std::optional<json::object> current);
  /// stringify(s.to_json()) made from `data_text` (data_text(s)) without building the object
  /// (session_text.cpp); nullopt when the keys call for the object's own ordering.
  static std::optional<std::string> stored_text(const Session& s, std::string_view data_text);
  /// The same into `out` (its memory reused): false where stored_text() gives nullopt.
  static bool stored_text_into(const Session& s, std::string_view data_text, std::string& out);
  /// Binds the session to the owner set_owner() gave, once it is saved.
  Task<> bind_owner(Session& s);
  /// The end-of-response step: destroy, save or touch in the store.
  Task<> commit();
  /// commit() as a plain call where it can be (no destroy, no owner to index, no merge): true
  /// when done but for `call`, the store's call left to await (none for the memory store); false
  /// having done nothing, for commit() to do it all.
  bool commit_now(std::optional<Task<>>& call);
  /// What commit() does with a session kept to the end of the request: touched (once), then
  /// written, touched in the store, or left. `text` is set to its data's text now.
  enum class Outcome { write, touch, none };
  Outcome decide(Session& s, std::string& text);
  /// The touch of a session in the memory store, skipped where it would rewrite the same text.
  void touch_memory(MemoryStore& memory, const Session& s);
  /// Hands a session parsed from the memory store and left unchanged back to it, to be kept parsed.
  void keep_snapshot(const Session& s);
  /// Destroys the session in the store, then closes its sockets (4401) in this process and the
  /// others: after, so that a page reloading on 4401 finds the session gone. When the store
  /// fails they close all the same (the session is being left), and the error goes on.
  Task<> destroy_in_store(std::string id);
  /// For a WebSocket's session, kept and edited as long as the socket lives: its data leaves
  /// the request's bump allocator (Session::move_to_heap).
  void keep_for_socket();
  /// What touch() is given: the session's JSON, or its cookie alone when the store reads no more.
  json::object touch_json(const Session& s);
  /// Memory for the JSON of this request's store calls (scratch_storage.hpp), one allocator for
  /// them all; once the request is a socket's, each call takes its own, freed when it ends.
  json::storage_ptr request_storage();
  std::optional<json::storage_ptr> scratch;
  bool socket = false;

  // Session's operations (SessionHost), as express-session's Session methods do them.
  Task<> regenerate(Session& s, bool keep_data) override;
  Task<> destroy(Session& s) override;
  Task<> reload(Session& s) override;
  Task<> save(Session& s) override;
  bool is_changed(const Session& s) const override;
  Task<std::optional<std::string>> owner_of(const Session& s) override;
};

}  // namespace detail
}  // namespace cortado
