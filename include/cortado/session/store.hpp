#pragma once
/// Store: where sessions live between requests (memory, SQLite, Redis, PostgreSQL).

#include "cortado/core/json.hpp"
#include "cortado/core/task.hpp"
#include "cortado/session/session_cookie.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cortado {

/// A stored session as the session middleware takes it: the cookie read apart from the data.
struct StoredSession {
  SessionCookie cookie;
  /// How many of the data's keys stood before "cookie" in the stored object (a save writes it back there).
  std::size_t cookie_position = 0;
  /// The stored object without "cookie" (the keys express-session reserves may still be in it:
  /// the middleware leaves them out).
  json::object data;
  /// stringify(data), when the text held it exactly so; empty otherwise (the middleware writes it then).
  std::string data_text;
};

/// The asynchronous store interface the session middleware talks to. As in express-session, a
/// store must implement only get, set and destroy; the rest have defaults that a store overrides
/// where it can do better. Arguments are taken by value on purpose: a coroutine's reference
/// parameters could dangle.
class Store {
 public:
  virtual ~Store() = default;

  /// The stored session (the whole JSON object, "cookie" included), or nullopt when absent or expired.
  virtual Task<std::optional<json::object>> get(std::string sid) = 0;

  /// get(), with the session's keys and values in memory from `storage`: the session middleware
  /// passes the request's bump allocator, so that a store that parses text makes one allocation
  /// for the whole session instead of one per key. By default the store's get(), on the heap.
  virtual Task<std::optional<json::object>> get_into(std::string sid, json::storage_ptr storage) {
    (void)storage;
    return get(std::move(sid));
  }

  /// get_into(), the cookie read apart: what the session middleware calls to load a session. By
  /// default get_into()'s object, split. A store that holds sessions as text overrides it with
  /// read_stored_session(), which reads the cookie and a flat data object without a JSON parser.
  virtual Task<std::optional<StoredSession>> load(std::string sid, json::storage_ptr storage);
  /// Stores `session` under `sid`, replacing what was there.
  virtual Task<> set(std::string sid, json::object session) = 0;

  /// Whether set_text() keeps a session as set() keeps it, so that the session middleware may hand
  /// over the text it writes itself instead of an object to stringify. False by default; true for
  /// cortado's stores of text (Redis, SQLite, PostgreSQL).
  virtual bool takes_text() const { return false; }
  /// set() given stringify(session) and its cookie.expires read as a date (nullopt: it has none),
  /// all that a store of text needs. The middleware calls it only when takes_text(). By default:
  /// set() of the text parsed.
  virtual Task<> set_text(std::string sid, std::string text,
                          std::optional<std::chrono::system_clock::time_point> expires);
  /// Removes the session; removing an absent one is not an error.
  virtual Task<> destroy(std::string sid) = 0;

  /// Extends the lifetime (cookie.expires inside `session`) without rewriting the data where the
  /// store can. By default: set() again, if the store still holds the session (a touch never
  /// brings back a session destroyed meanwhile).
  virtual Task<> touch(std::string sid, json::object session);
  /// Whether touch() reads nothing of `session` but its "cookie": the session middleware then
  /// passes `{"cookie":…}` alone, not a copy of the whole session. False by default (a store of
  /// yours may read anything: express-session passes the whole session); cortado's stores say true.
  virtual bool touch_reads_cookie_only() const { return false; }
  /// Whether touch() reads nothing of `session` but its cookie.expires, and touch_until() does the
  /// same from that date: the session middleware then calls touch_until() and makes no JSON of the
  /// cookie. False by default; true for cortado's stores of text (Redis, SQLite, PostgreSQL).
  virtual bool touches_by_expiry() const { return false; }
  /// touch() given only the session's cookie.expires read as a date (nullopt: it has none). The
  /// middleware calls it only when touches_by_expiry(). By default: throws std::logic_error.
  virtual Task<> touch_until(std::string sid, std::optional<std::chrono::system_clock::time_point> expires);

  /// Every live (unexpired) session with its id. By default: throws std::logic_error (as calling
  /// a store's missing all() fails in Node).
  virtual Task<std::vector<std::pair<std::string, json::object>>> all();

  /// How many live sessions the store holds. By default: throws std::logic_error.
  virtual Task<std::size_t> length();

  /// Removes every session. By default: throws std::logic_error.
  virtual Task<> clear();

  // A user's sessions. A session can be bound to an owner (a user id); stores that keep an index
  // of owners answer these without scanning every session. The owner is kept beside the session,
  // never inside its JSON, so that Node reads the same session. By default each throws
  // std::logic_error naming the store: the owner is not in the JSON, so all() cannot find it.

  /// Binds the saved session `sid` to `owner` (replacing an earlier owner); `session` is what was
  /// saved, for its expiry. The binding ends with the session (destroy, expiry, clear).
  virtual Task<> set_owner(std::string sid, std::string owner, json::object session);
  /// The owner of a live session, or nullopt when it has none or is gone.
  virtual Task<std::optional<std::string>> owner_of(std::string sid);
  /// Every live session bound to `owner`, with its id, in no particular order.
  virtual Task<std::vector<std::pair<std::string, json::object>>> sessions_of(std::string owner);
  /// Destroys every session bound to `owner` except `except_sid`; says how many went.
  virtual Task<std::size_t> destroy_all(std::string owner, std::optional<std::string> except_sid = std::nullopt);

  // Events between the processes that share the store (a session ended, a WebSocket broadcast),
  // so that they reach the sockets open in every process. A store shared over the network that
  // can carry them (Redis: pub/sub) overrides all three; the defaults carry nothing, which is
  // right for a store only one process uses (memory, cookie).

  /// Whether publish() reaches the other processes sharing the store.
  virtual bool shares_events() const { return false; }
  /// Sends `message` to every process subscribed on this store, the publisher's included.
  virtual Task<> publish(std::string message);
  /// From now on calls `on_message`, on any thread, with each message published on this store by
  /// any process. The session middleware calls it once per store.
  virtual void subscribe(std::function<void(std::string)> on_message);

  /// One line naming the store, for logs and the demo's inspector ("memory", "sqlite:path", ...).
  virtual std::string describe() const { return "custom store"; }
};

/// How deeply a stored session's JSON may nest ({"cookie":{}} is 2 deep). Every store reads
/// sessions this deep and the middleware refuses to save a deeper one, so a session cortado
/// writes can always be read back. It leaves room for a JSON body (body_parser's default depth
/// is 64) kept several levels down in the session, and Node's sessions are rarely a tenth of it.
inline constexpr std::size_t max_session_depth = 512;

/// Parses a session's text as a store holds it, up to max_session_depth; throws
/// std::invalid_argument (as parse_json) when it is malformed or nested deeper.
json::value parse_stored_session(std::string_view text, json::storage_ptr storage = {});

/// A session's text read as parse_stored_session() reads it, into its cookie and its data; nullopt
/// when it is JSON but no object. A text that starts with the cookie as stringify writes it and
/// holds flat data (plain strings, small integers, booleans, null) is read in one pass, and its data
/// text kept (StoredSession::data_text); any other is parsed whole. Throws std::invalid_argument
/// (as parse_json) when it is malformed or nested too deeply.
std::optional<StoredSession> read_stored_session(std::string_view text, json::storage_ptr storage = {});

/// When a stored session ends: its cookie.expires read as a date; nullopt when it has none
/// (a browser-session cookie, which stores keep until destroyed) or it cannot be read.
std::optional<std::chrono::system_clock::time_point> session_expiry(const json::object& session);

}  // namespace cortado
