// RedisStore: connect-redis's semantics (keys, values, TTLs, SCAN) over RedisConnection.
#include "cortado/stores/redis.hpp"

#include "connection_registry.hpp"
#include "redis_connection.hpp"
#include "redis_url.hpp"

#include "cortado/core/clock.hpp"
#include "cortado/core/dates.hpp"
#include "cortado/session/session_id.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include <hiredis/hiredis.h>

#include <atomic>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

namespace cortado::stores {
namespace {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

// MGET and DEL take this many keys at a time, so that no single command or reply grows unbounded.
constexpr std::size_t keys_per_command = 1000;
constexpr std::int64_t default_ttl_seconds = 86400;

std::atomic<std::uint64_t> next_store_id{1};

// SCAN's MATCH is a glob: a prefix holding * ? [ ] or \ must match itself only.
std::string glob_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// `new Date(expires)` as JavaScript reads cookie.expires; nullopt where it would give NaN.
std::optional<std::int64_t> expires_ms(const json::value& expires) {
  if (expires.is_string()) {
    const auto when = parse_iso_date(expires.get_string());
    if (!when) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(when->time_since_epoch()).count();
  }
  if (expires.is_number()) {
    const double ms = expires.to_number<double>();
    if (!std::isfinite(ms) || std::abs(ms) > 8.64e15) return std::nullopt;
    return static_cast<std::int64_t>(std::trunc(ms));
  }
  return std::nullopt;
}

bool truthy(const json::value& v) {
  if (v.is_null()) return false;
  if (v.is_bool()) return v.get_bool();
  if (v.is_string()) return !v.get_string().empty();
  if (v.is_number()) return v.to_number<double>() != 0;  // NaN cannot occur in JSON
  return true;
}

std::string reply_text(const redisReply& reply) { return std::string(reply.str, reply.len); }

class RedisStore final : public Store {
 public:
  RedisStore(RedisEndpoint endpoint, RedisOptions options)
      : endpoint_(std::make_shared<const RedisEndpoint>(std::move(endpoint))),
        options_(std::move(options)),
        id_(next_store_id.fetch_add(1)),
        match_(glob_escape(options_.prefix) + "*"),
        scan_count_(std::to_string(options_.scan_count)) {}

  Task<std::optional<json::object>> get(std::string sid) override {
    const std::string key = options_.prefix + sid;
    const RedisReplyPtr reply = co_await call(redis_command("GET", key), "GET");
    if (reply->type == REDIS_REPLY_NIL) co_return std::nullopt;
    expect(*reply, REDIS_REPLY_STRING, "GET");
    if (reply->len == 0) co_return std::nullopt;  // connect-redis: `if (!data) return cb()`
    // Redis's TTL alone says what has expired: touch() moves only the TTL, so the stored
    // cookie.expires may lie in the past of a session that is still live (connect-redis too).
    co_return parse_session(sid, *reply);
  }

  Task<> set(std::string sid, json::object session) override {
    const std::optional<std::int64_t> ttl = ttl_seconds(session);
    std::string key = options_.prefix + sid;
    // connect-redis: `if (ttl > 0) set ... else destroy`; an unreadable expires (NaN) also lands here.
    if (!ttl || *ttl <= 0) {
      co_await destroy(std::move(sid));
      co_return;
    }
    const std::string value = stringify(json::value(std::move(session)));
    if (options_.disable_ttl) {
      co_await call(redis_command("SET", key, value), "SET");
    } else if (options_.owners) {
      const std::string seconds = std::to_string(*ttl);
      auto replies = co_await (call(redis_command("SET", key, value, "EX", seconds), "SET") &&
                               call(redis_command("GETEX", owner_of_key(sid), "EX", seconds), "GETEX"));
      co_await extend_owner_set(*std::get<1>(replies), seconds);
    } else {
      co_await call(redis_command("SET", key, value, "EX", std::to_string(*ttl)), "SET");
    }
  }

  Task<> destroy(std::string sid) override {
    if (!options_.owners) {
      co_await call(redis_command("DEL", options_.prefix + sid), "DEL");
      co_return;
    }
    // The binding goes with the session, in the same round trip.
    auto replies = co_await (call(redis_command("DEL", options_.prefix + sid), "DEL") &&
                             call(redis_command("GETDEL", owner_of_key(sid)), "GETDEL"));
    const redisReply& owner = *std::get<1>(replies);
    if (owner.type == REDIS_REPLY_STRING) co_await call(redis_command("SREM", owner_set_key(reply_text(owner)), sid), "SREM");
  }

  Task<> touch(std::string sid, json::object session) override {
    if (options_.disable_touch || options_.disable_ttl) co_return;
    const std::optional<std::int64_t> ttl = ttl_seconds(session);
    // connect-redis would send EXPIRE key NaN, which Redis refuses: the same failure, said plainly.
    if (!ttl) {
      throw std::runtime_error("redis store: cannot touch session " + session_id_digest(sid) +
                               ": cookie.expires is not a date");
    }
    // A TTL of zero or less makes Redis delete the key, as it does for connect-redis.
    const std::string seconds = std::to_string(*ttl);
    if (!options_.owners) {
      co_await call(redis_command("EXPIRE", options_.prefix + sid, seconds), "EXPIRE");
      co_return;
    }
    // The binding's key keeps the session's TTL (GETEX does nothing to an absent key).
    auto replies = co_await (call(redis_command("EXPIRE", options_.prefix + sid, seconds), "EXPIRE") &&
                             call(redis_command("GETEX", owner_of_key(sid), "EX", seconds), "GETEX"));
    co_await extend_owner_set(*std::get<1>(replies), seconds);
  }

  Task<> set_owner(std::string sid, std::string owner, json::object session) override {
    require_owners("set_owner");
    const std::optional<std::int64_t> ttl = ttl_seconds(session);
    if (!options_.disable_ttl && (!ttl || *ttl <= 0)) co_return;  // set() did not keep it either
    const RedisReplyPtr exists = co_await call(redis_command("EXISTS", options_.prefix + sid), "EXISTS");
    if (exists->type != REDIS_REPLY_INTEGER || exists->integer == 0) co_return;  // gone meanwhile: nothing to index
    const std::string set_key = owner_set_key(owner);
    RedisReplyPtr previous;
    if (options_.disable_ttl) {
      previous = co_await call(redis_command("SET", owner_of_key(sid), owner, "GET"), "SET");
      co_await call(redis_command("SADD", set_key, sid), "SADD");
    } else {
      const std::string seconds = std::to_string(*ttl);
      previous = co_await call(redis_command("SET", owner_of_key(sid), owner, "EX", seconds, "GET"), "SET");
      co_await call(redis_command("SADD", set_key, sid), "SADD");
      // The set lives as long as its longest-lived member: NX gives a new set its first TTL
      // (GT alone would not, a key without TTL counting as eternal), GT only ever lengthens it.
      co_await call(redis_command("EXPIRE", set_key, seconds, "NX"), "EXPIRE");
      co_await call(redis_command("EXPIRE", set_key, seconds, "GT"), "EXPIRE");
    }
    if (previous->type == REDIS_REPLY_STRING && reply_text(*previous) != owner)
      co_await call(redis_command("SREM", owner_set_key(reply_text(*previous)), sid), "SREM");
  }

  Task<std::optional<std::string>> owner_of(std::string sid) override {
    require_owners("owner_of");
    auto replies = co_await (call(redis_command("GET", owner_of_key(sid)), "GET") &&
                             call(redis_command("EXISTS", options_.prefix + sid), "EXISTS"));
    const redisReply& owner = *std::get<0>(replies);
    if (owner.type != REDIS_REPLY_STRING) co_return std::nullopt;
    std::string name = reply_text(owner);
    if (std::get<1>(replies)->integer == 0) {
      // Destroyed by a process that does not keep the index (Node): the binding goes now.
      co_await forget_bindings(name, std::vector<std::string>(1, sid));
      co_return std::nullopt;
    }
    co_return name;
  }

  Task<std::vector<std::pair<std::string, json::object>>> sessions_of(std::string owner) override {
    require_owners("sessions_of");
    const std::vector<std::string> ids = co_await members_of(owner);
    std::vector<std::pair<std::string, json::object>> sessions;
    std::vector<std::string> gone;
    for (std::size_t first = 0; first < ids.size(); first += keys_per_command) {
      const std::size_t count = std::min(keys_per_command, ids.size() - first);
      std::vector<std::string> keys;
      keys.reserve(count);
      for (std::size_t i = first; i < first + count; ++i) keys.push_back(options_.prefix + ids[i]);
      const RedisReplyPtr reply = co_await call(redis_keys_command("MGET", keys, 0, count), "MGET");
      expect(*reply, REDIS_REPLY_ARRAY, "MGET");
      for (std::size_t i = 0; i < count && i < reply->elements; ++i) {
        const redisReply& value = *reply->element[i];
        if (value.type != REDIS_REPLY_STRING || value.len == 0) {
          gone.push_back(ids[first + i]);  // expired or destroyed without the index: pruned below
          continue;
        }
        std::optional<json::object> session = parse_session(ids[first + i], value);
        if (session) sessions.emplace_back(ids[first + i], std::move(*session));
      }
    }
    if (!gone.empty()) co_await forget_bindings(owner, std::move(gone));
    co_return sessions;
  }

  Task<std::size_t> destroy_all(std::string owner, std::optional<std::string> except_sid) override {
    require_owners("destroy_all");
    std::vector<std::string> ids = co_await members_of(owner);
    if (except_sid) std::erase(ids, *except_sid);
    std::size_t destroyed = 0;
    for (std::size_t first = 0; first < ids.size(); first += keys_per_command) {
      const std::size_t count = std::min(keys_per_command, ids.size() - first);
      std::vector<std::string> keys;
      keys.reserve(count);
      for (std::size_t i = first; i < first + count; ++i) keys.push_back(options_.prefix + ids[i]);
      const RedisReplyPtr reply = co_await call(redis_keys_command("DEL", keys, 0, count), "DEL");
      if (reply->type == REDIS_REPLY_INTEGER) destroyed += static_cast<std::size_t>(reply->integer);
    }
    co_await forget_bindings(owner, std::move(ids));
    co_return destroyed;
  }

  Task<std::vector<std::pair<std::string, json::object>>> all() override {
    const std::vector<std::string> keys = co_await all_keys();
    std::vector<std::pair<std::string, json::object>> sessions;
    for (std::size_t first = 0; first < keys.size(); first += keys_per_command) {
      const std::size_t count = std::min(keys_per_command, keys.size() - first);
      const RedisReplyPtr reply = co_await call(redis_keys_command("MGET", keys, first, count), "MGET");
      expect(*reply, REDIS_REPLY_ARRAY, "MGET");
      if (reply->elements != count) {
        throw std::runtime_error("redis store: MGET on " + endpoint_->address() + " answered " +
                                 std::to_string(reply->elements) + " values for " + std::to_string(count) + " keys");
      }
      for (std::size_t i = 0; i < count; ++i) {
        const redisReply& value = *reply->element[i];
        // Expired or destroyed between SCAN and MGET: skipped, as connect-redis does.
        if (value.type != REDIS_REPLY_STRING || value.len == 0) continue;
        std::string sid = keys[first + i].substr(options_.prefix.size());
        std::optional<json::object> session = parse_session(sid, value);
        if (!session) continue;
        sessions.emplace_back(std::move(sid), std::move(*session));
      }
    }
    co_return sessions;
  }

  Task<std::size_t> length() override {
    // connect-redis counts the keys SCAN finds, without reading them.
    co_return (co_await all_keys()).size();
  }

  Task<> clear() override {
    std::vector<std::string> keys = co_await all_keys();
    if (options_.owners) {
      // The index goes with the sessions: its keys lie outside the prefix (see owner_set_key).
      for (auto& key : co_await all_keys("owner:" + match_)) keys.push_back(std::move(key));
      for (auto& key : co_await all_keys("owner-of:" + match_)) keys.push_back(std::move(key));
    }
    for (std::size_t first = 0; first < keys.size(); first += keys_per_command) {
      const std::size_t count = std::min(keys_per_command, keys.size() - first);
      co_await call(redis_keys_command("DEL", keys, first, count), "DEL");
    }
  }

  std::string describe() const override {
    // The user and password stay out: this line goes to logs and the demo's pages.
    return "redis://" + endpoint_->address() + "/" + std::to_string(endpoint_->db) + " (prefix \"" + options_.prefix +
           "\")";
  }

 private:
  // Sends one command on this io_context's connection; an error reply becomes an exception.
  Task<RedisReplyPtr> call(std::string command, const char* name) {
    const auto executor = co_await asio::this_coro::executor;
    const std::shared_ptr<RedisConnection> connection =
        ConnectionRegistry<RedisConnection>::of(executor).connection(id_, endpoint_, executor, *endpoint_);
    RedisReplyPtr reply = co_await connection->execute(std::move(command));
    if (reply->type == REDIS_REPLY_ERROR) {
      throw std::runtime_error(std::string("redis store: ") + name + " failed on " + endpoint_->address() + ": " +
                               reply_text(*reply));
    }
    co_return reply;
  }

  void expect(const redisReply& reply, int type, const char* name) const {
    if (reply.type != type) {
      throw std::runtime_error(std::string("redis store: unexpected reply type ") + std::to_string(reply.type) +
                               " to " + name + " from " + endpoint_->address());
    }
  }

  // JSON.parse as connect-redis calls it: malformed text fails the call; a non-object is no session.
  std::optional<json::object> parse_session(const std::string& sid, const redisReply& reply) const {
    json::value parsed;
    try {
      parsed = parse_stored_session(std::string_view(reply.str, reply.len));
    } catch (const std::exception& e) {
      throw std::runtime_error("redis store: session " + session_id_digest(sid) + " does not hold JSON: " + e.what());
    }
    if (!parsed.is_object()) return std::nullopt;
    return std::move(parsed.get_object());
  }

  // connect-redis's _getTTL: ceil((cookie.expires - now) / 1000), else the ttl option.
  std::optional<std::int64_t> ttl_seconds(const json::object& session) const {
    const std::int64_t fallback = options_.ttl.count() > 0 ? options_.ttl.count() : default_ttl_seconds;
    const json::value* cookie = session.if_contains("cookie");
    if (cookie == nullptr || !cookie->is_object()) return fallback;
    const json::value* expires = cookie->get_object().if_contains("expires");
    if (expires == nullptr || !truthy(*expires)) return fallback;
    const std::optional<std::int64_t> when = expires_ms(*expires);
    if (!when) return std::nullopt;
    const std::int64_t ms = *when - date_now();
    return ms > 0 ? (ms + 999) / 1000 : -(-ms / 1000);  // Math.ceil, for either sign
  }

  // The index's keys start with "owner:" / "owner-of:" and then the prefix, not with the prefix:
  // connect-redis's all() and length() SCAN prefix* and would meet (and MGET a set as) them.
  std::string owner_set_key(std::string_view owner) const { return "owner:" + options_.prefix + std::string(owner); }
  std::string owner_of_key(std::string_view sid) const { return "owner-of:" + options_.prefix + std::string(sid); }

  void require_owners(const char* call) const {
    if (!options_.owners) throw std::logic_error(describe() + " was opened with owners = false: " + call + "() needs the owner index");
  }

  // After a save or touch of a session bound to an owner (`owner` is GETEX's reply): the owner's
  // set lives at least as long as this session now does.
  Task<> extend_owner_set(const redisReply& owner, const std::string& seconds) {
    if (owner.type != REDIS_REPLY_STRING) co_return;
    co_await call(redis_command("EXPIRE", owner_set_key(reply_text(owner)), seconds, "GT"), "EXPIRE");
  }

  // The session ids in `owner`'s set.
  Task<std::vector<std::string>> members_of(const std::string& owner) {
    const RedisReplyPtr reply = co_await call(redis_command("SMEMBERS", owner_set_key(owner)), "SMEMBERS");
    expect(*reply, REDIS_REPLY_ARRAY, "SMEMBERS");
    std::vector<std::string> ids;
    ids.reserve(reply->elements);
    for (std::size_t i = 0; i < reply->elements; ++i) ids.push_back(reply_text(*reply->element[i]));
    co_return ids;
  }

  // Removes `ids` from `owner`'s set and drops their owner-of keys.
  Task<> forget_bindings(const std::string& owner, std::vector<std::string> ids) {
    for (std::size_t first = 0; first < ids.size(); first += keys_per_command) {
      const std::size_t count = std::min(keys_per_command, ids.size() - first);
      std::vector<std::string> args;
      args.reserve(count + 1);
      args.push_back(owner_set_key(owner));
      for (std::size_t i = first; i < first + count; ++i) args.push_back(ids[i]);
      co_await call(redis_keys_command("SREM", args, 0, args.size()), "SREM");
      args.clear();
      for (std::size_t i = first; i < first + count; ++i) args.push_back(owner_of_key(ids[i]));
      co_await call(redis_keys_command("DEL", args, 0, args.size()), "DEL");
    }
  }

  // Every key under the prefix (or matching `match`), each once (SCAN may return a key twice).
  Task<std::vector<std::string>> all_keys(std::string match = {}) {
    if (match.empty()) match = match_;
    std::vector<std::string> keys;
    std::unordered_set<std::string> seen;
    std::string cursor = "0";
    do {
      const RedisReplyPtr reply =
          co_await call(redis_command("SCAN", cursor, "MATCH", match, "COUNT", scan_count_), "SCAN");
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || reply->element[0]->type != REDIS_REPLY_STRING ||
          reply->element[1]->type != REDIS_REPLY_ARRAY) {
        throw std::runtime_error("redis store: SCAN on " + endpoint_->address() + " did not answer [cursor, keys]");
      }
      cursor = reply_text(*reply->element[0]);
      const redisReply& page = *reply->element[1];
      for (std::size_t i = 0; i < page.elements; ++i) {
        std::string key = reply_text(*page.element[i]);
        if (seen.insert(key).second) keys.push_back(std::move(key));
      }
    } while (cursor != "0");
    co_return keys;
  }

  std::shared_ptr<const RedisEndpoint> endpoint_;  // also the token that tells io_contexts the store is alive
  RedisOptions options_;
  std::uint64_t id_;
  std::string match_;
  std::string scan_count_;
};

// The blocking check stores::redis() makes once, on the thread that creates the store.
void probe(const RedisEndpoint& endpoint) {
  const auto to_timeval = [](std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
  };
  const std::unique_ptr<redisContext, void (*)(redisContext*)> context(
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(endpoint.connect_timeout)), redisFree);
  if (!context) throw std::bad_alloc();
  if (context->err != 0) {
    throw std::runtime_error("redis store: cannot reach " + endpoint.address() + ": " + context->errstr);
  }
  redisSetTimeout(context.get(), to_timeval(endpoint.command_timeout));
  const auto run = [&](std::initializer_list<std::string_view> args, const std::string& what) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const std::string_view arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    const RedisReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply) throw std::runtime_error("redis store: cannot reach " + endpoint.address() + ": " + context->errstr);
    if (reply->type == REDIS_REPLY_ERROR) {
      throw std::runtime_error("redis store: " + what + " refused by " + endpoint.address() + ": " +
                               reply_text(*reply));
    }
  };
  if (endpoint.needs_auth()) {
    if (endpoint.user.empty()) {
      run({"AUTH", endpoint.password}, "AUTH");
    } else {
      run({"AUTH", endpoint.user, endpoint.password}, "AUTH");
    }
  }
  if (endpoint.db != 0) run({"SELECT", std::to_string(endpoint.db)}, "SELECT " + std::to_string(endpoint.db));
  run({"PING"}, "PING");
}

}  // namespace

std::shared_ptr<Store> redis(std::string url, RedisOptions options) {
  RedisEndpoint endpoint = parse_redis_url(url, options);
  endpoint.connect_timeout = options.connect_timeout;
  endpoint.command_timeout = options.command_timeout;
  if (options.scan_count == 0) options.scan_count = 100;  // connect-redis: `scanCount || 100`
  probe(endpoint);
  return std::make_shared<RedisStore>(std::move(endpoint), std::move(options));
}

}  // namespace cortado::stores
