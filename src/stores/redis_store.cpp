// RedisStore: connect-redis's semantics (keys, values, TTLs, SCAN) over RedisConnection.
#include "cortado/stores/redis.hpp"

#include "redis_cluster.hpp"
#include "redis_connection.hpp"
#include "redis_key.hpp"
#include "redis_router.hpp"
#include "redis_subscriber.hpp"
#include "redis_url.hpp"

#include "cortado/core/clock.hpp"
#include "cortado/core/dates.hpp"
#include "cortado/session/session_id.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <unordered_set>

namespace cortado::stores {
namespace {

namespace asio = boost::asio;
using RedisOutcome = Outcome<RedisReplyPtr>;

// Runs the router's `task` on its own and resumes `caller` with how it ended.
void resume_with(const asio::any_io_executor& executor, Task<RedisReplyPtr> task, RedisConnection::Caller caller) {
  asio::co_spawn(executor, std::move(task),
                 [caller = std::move(caller)](std::exception_ptr error, RedisReplyPtr reply) mutable {
                   std::move(caller)(RedisOutcome{error, std::move(reply)});
                 });
}

// The operation that sends the request `make_request()` gives to the server that holds its keys,
// for a Task to co_await at once (it refers to `router` and `executor`, and `through_router` to the
// keys): it yields the reply's Outcome. Through the router's direct connection when it has one
// (one server: no redirects, no failover), where the caller waits in the connection itself, with
// no coroutine frame on the way; else through `through_router(request)`, the router's coroutine,
// run on its own. The request is made when the operation starts rather than held by it: the
// operation lives in the awaiting coroutine's frame, and a RedisRequest there made the frames of
// a load and a touch too large for Asio's recycling and for malloc's per-thread cache.
template <class MakeRequest, class ThroughRouter>
auto route(RedisRouter& router, const asio::any_io_executor& executor, MakeRequest make_request,
           ThroughRouter through_router) {
  return await_outcome<RedisReplyPtr>([&router, &executor, make_request = std::move(make_request),
                                       through_router](RedisConnection::Caller caller) mutable {
    if (const std::shared_ptr<RedisConnection> direct = router.direct(executor)) {
      return direct->begin(std::move(make_request)(), std::move(caller));
    }
    resume_with(executor, through_router(std::move(make_request)()), std::move(caller));
  });
}

// One command about `key`.
auto send(RedisRouter& router, const asio::any_io_executor& executor, std::string_view key, std::string command) {
  return route(
      router, executor,
      [command = std::move(command)]() mutable {
        return RedisRequest{std::move(command), std::string(), RedisReplies::one};
      },
      [&router, key](RedisRequest request) { return router.execute(key, std::move(request.text)); });
}

// One command given by its arguments, which the direct connection encodes straight into what it
// sends (see RedisArgs: they must outlive the wait, as the caller's locals do).
auto send(RedisRouter& router, const asio::any_io_executor& executor, std::string_view key, RedisArgs command) {
  return route(
      router, executor,
      [command] {
        RedisRequest request;
        request.first_args = command;
        return request;
      },
      [&router, key](RedisRequest request) { return router.execute(key, redis_format(request.first_args)); });
}

// Two commands, resumed with both replies (redis_reply_pair).
auto send_both(RedisRouter& router, const asio::any_io_executor& executor, std::string_view first_key,
               std::string first, std::string_view second_key, std::string second) {
  return route(
      router, executor,
      [first = std::move(first), second = std::move(second)]() mutable {
        return RedisRequest{std::move(first), std::move(second), RedisReplies::both};
      },
      [&router, first_key, second_key](RedisRequest request) {
        return router.execute_both(first_key, std::move(request.text), second_key, std::move(request.second));
      });
}

// Two commands given by their arguments (see RedisArgs), resumed with both replies.
auto send_both(RedisRouter& router, const asio::any_io_executor& executor, std::string_view first_key,
               RedisArgs first, std::string_view second_key, RedisArgs second) {
  return route(
      router, executor,
      [first, second] {
        RedisRequest request;
        request.replies = RedisReplies::both;
        request.first_args = first;
        request.second_args = second;
        return request;
      },
      [&router, first_key, second_key](RedisRequest request) {
        return router.execute_both(first_key, redis_format(request.first_args), second_key,
                                   redis_format(request.second_args));
      });
}

// A number's decimal text, held in the object: for a command's arguments (RedisArgs views it).
class Decimal {
 public:
  explicit Decimal(std::int64_t n)
      : size_(static_cast<std::size_t>(std::to_chars(digits_.data(), digits_.data() + digits_.size(), n).ptr -
                                       digits_.data())) {}
  operator std::string_view() const { return {digits_.data(), size_}; }

 private:
  std::array<char, 20> digits_;  // the longest int64, "-9223372036854775808"
  std::size_t size_;
};

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
    return date_value(*when);
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

// Where the events subscriber connects: the server; a cluster's seed nodes (a cluster delivers
// PUBLISH to the subscribers of every node); the master the sentinels name now.
std::function<std::vector<RedisEndpoint>()> events_endpoints(RedisTarget target, const RedisOptions& options) {
  const auto timed = [&options](RedisEndpoint endpoint) {
    endpoint.connect_timeout = options.connect_timeout;
    endpoint.command_timeout = options.command_timeout;
    return endpoint;
  };
  std::vector<RedisEndpoint> nodes;
  for (const RedisEndpoint& node : target.nodes) {
    // A cluster's seeds log in as its data nodes do; a single server's URL and the sentinels
    // carry their own login.
    RedisEndpoint endpoint = node;
    if (target.topology == RedisTopology::cluster) {
      endpoint = target.login;
      endpoint.host = node.host;
      endpoint.port = node.port;
    }
    nodes.push_back(timed(std::move(endpoint)));
  }
  if (target.topology != RedisTopology::sentinel) return [nodes] { return nodes; };
  RedisEndpoint login = timed(target.login);
  return [sentinels = std::move(nodes), login, name = target.master_name] {
    std::vector<RedisEndpoint> masters;
    for (const RedisEndpoint& sentinel : sentinels) {
      try {
        const RedisReplyPtr reply = blocking_redis_command(sentinel, {"SENTINEL", "get-master-addr-by-name", name});
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || reply->element[0]->type != REDIS_REPLY_STRING ||
            reply->element[1]->type != REDIS_REPLY_STRING)
          continue;
        RedisEndpoint master = login;
        master.host = reply_text(*reply->element[0]);
        const int port = std::stoi(reply_text(*reply->element[1]));
        if (port <= 0 || port > 65535) continue;
        master.port = static_cast<std::uint16_t>(port);
        masters.push_back(std::move(master));
        break;
      } catch (const std::exception&) {
        // This sentinel is down (or answered nonsense): the next one may answer.
      }
    }
    return masters;
  };
}

class RedisStore final : public Store {
 public:
  RedisStore(std::unique_ptr<RedisRouter> router, RedisOptions options,
             std::function<std::vector<RedisEndpoint>()> events_where)
      : events_where_(std::move(events_where)),
        events_channel_(options.prefix + "events"),
        router_(std::move(router)),
        alive_(std::make_shared<const bool>(true)),
        options_(std::move(options)),
        id_(next_store_id.fetch_add(1)),
        match_(glob_escape(options_.prefix) + "*"),
        scan_count_(std::to_string(options_.scan_count)) {
    router_->id = id_;
    router_->owner = alive_;
  }

  Task<std::optional<json::object>> get(std::string sid) override { return get_into(std::move(sid), {}); }

  Task<std::optional<json::object>> get_into(std::string sid, json::storage_ptr storage) override {
    const RedisKey key(options_.prefix, sid);
    // call()'s work written out: a frame less is an allocation less while 64 requests wait on Redis.
    const auto executor = co_await asio::this_coro::executor;
    RedisOutcome sent = co_await send(*router_, executor, key, redis_args("GET", key));
    const RedisReplyPtr reply = std::move(sent).take();
    if (!holds_session(*reply)) co_return std::nullopt;
    co_return parse_session(sid, *reply, std::move(storage));
  }

  // get_into()'s GET, read with read_stored_session(): every load of the session middleware.
  Task<std::optional<StoredSession>> load(std::string sid, json::storage_ptr storage) override {
    const RedisKey key(options_.prefix, sid);
    const auto executor = co_await asio::this_coro::executor;
    RedisOutcome sent = co_await send(*router_, executor, key, redis_args("GET", key));
    const RedisReplyPtr reply = std::move(sent).take();
    if (!holds_session(*reply)) co_return std::nullopt;
    try {
      co_return read_stored_session(std::string_view(reply->str, reply->len), std::move(storage));
    } catch (const std::exception& e) {
      throw not_json(sid, e);
    }
  }

  // connect-redis: `if (ttl > 0) set ... else destroy`; an unreadable expires (NaN) also destroys.
  // Plain functions: the write's coroutine is the one frame.
  Task<> set(std::string sid, json::object session) override {
    const std::optional<std::int64_t> ttl = ttl_seconds(session);
    if (!ttl || *ttl <= 0) return destroy(std::move(sid));
    return write(std::move(sid), stringify(json::value(std::move(session))), *ttl);
  }

  bool takes_text() const override { return true; }

  Task<> set_text(std::string sid, std::string text, std::optional<std::chrono::system_clock::time_point> expires) override {
    const std::int64_t ttl = expires ? ttl_until(date_value(*expires)) : fallback_ttl();
    if (ttl <= 0) return destroy(std::move(sid));
    return write(std::move(sid), std::move(text), ttl);
  }

  Task<> destroy(std::string sid) override {
    const RedisKey key(options_.prefix, sid);
    if (!options_.owners) {
      co_await call(key, redis_command("DEL", key), "DEL");
      co_return;
    }
    // The binding goes with the session, in the same round trip.
    const RedisKey binding = owner_of_key(sid);
    const RedisReplyPtr replies =
        co_await call_both(key, redis_command("DEL", key), "DEL", binding, redis_command("GETDEL", binding), "GETDEL");
    const redisReply& owner = *replies->element[1];
    if (owner.type == REDIS_REPLY_STRING) {
      const std::string set_key = owner_set_key(reply_text(owner));
      co_await call(set_key, redis_command("SREM", set_key, sid), "SREM");
    }
  }

  bool touch_reads_cookie_only() const override { return true; }  // its expiry

  Task<> touch(std::string sid, json::object session) override {
    if (options_.disable_touch || options_.disable_ttl) co_return;
    const std::optional<std::int64_t> ttl = ttl_seconds(session);
    // connect-redis would send EXPIRE key NaN, which Redis refuses: the same failure, said plainly.
    if (!ttl) {
      throw std::runtime_error("redis store: cannot touch session " + session_id_digest(sid) +
                               ": cookie.expires is not a date");
    }
    co_await expire(std::move(sid), *ttl);
  }

  bool touches_by_expiry() const override { return true; }

  // A plain function, not a coroutine: expire()'s frame is the one frame of a touch.
  Task<> touch_until(std::string sid, std::optional<std::chrono::system_clock::time_point> expires) override {
    if (options_.disable_touch || options_.disable_ttl) return nothing();
    return expire(std::move(sid), expires ? ttl_until(date_value(*expires)) : fallback_ttl());
  }

  // touch()'s EXPIRE, and the owner binding's with it. A TTL of zero or less makes Redis delete
  // the key, as it does for connect-redis.
  Task<> expire(std::string sid, std::int64_t ttl) {
    if (!options_.owners) return expire_session(std::move(sid), ttl);
    return expire_bound(std::move(sid), ttl);
  }

  // The EXPIRE of a store without owners (connect-redis's only kind). A coroutine of its own,
  // apart from expire_bound(), and sent as load() sends its GET: a frame that holds one key and no
  // command text.
  Task<> expire_session(std::string sid, std::int64_t ttl) {
    const RedisKey key(options_.prefix, sid);
    const Decimal seconds(ttl);
    const auto executor = co_await asio::this_coro::executor;
    RedisOutcome sent = co_await send(*router_, executor, key, redis_args("EXPIRE", key, seconds));
    fail_on_error(*std::move(sent).take(), "EXPIRE");
  }

  // The EXPIRE, with the owner binding's TTL following it (GETEX does nothing to an absent key).
  // call_both() written out: a frame less while 64 requests wait on Redis.
  Task<> expire_bound(std::string sid, std::int64_t ttl) {
    const RedisKey key(options_.prefix, sid);
    const std::string seconds = std::to_string(ttl);
    const RedisKey binding = owner_of_key(sid);
    const auto executor = co_await asio::this_coro::executor;
    RedisOutcome sent = co_await send_both(*router_, executor, key, redis_args("EXPIRE", key, seconds), binding,
                                           redis_args("GETEX", binding, "EX", seconds));
    const RedisReplyPtr replies = std::move(sent).take();
    fail_on_errors(*replies, "EXPIRE", "GETEX");
    if (bound(*replies->element[1])) co_await extend_owner_set(*replies->element[1], seconds);
  }

  Task<> set_owner(std::string sid, std::string owner, json::object session) override {
    require_owners("set_owner");
    const std::optional<std::int64_t> ttl = ttl_seconds(session);
    if (!options_.disable_ttl && (!ttl || *ttl <= 0)) co_return;  // set() did not keep it either
    const RedisKey key(options_.prefix, sid);
    const RedisReplyPtr exists = co_await call(key, redis_command("EXISTS", key), "EXISTS");
    if (exists->type != REDIS_REPLY_INTEGER || exists->integer == 0) co_return;  // gone meanwhile: nothing to index
    const std::string set_key = owner_set_key(owner);
    const RedisKey binding = owner_of_key(sid);
    RedisReplyPtr previous;
    if (options_.disable_ttl) {
      previous = co_await call(binding, redis_command("SET", binding, owner, "GET"), "SET");
      co_await call(set_key, redis_command("SADD", set_key, sid), "SADD");
    } else {
      const std::string seconds = std::to_string(*ttl);
      previous = co_await call(binding, redis_command("SET", binding, owner, "EX", seconds, "GET"), "SET");
      co_await call(set_key, redis_command("SADD", set_key, sid), "SADD");
      // The set lives as long as its longest-lived member: NX gives a new set its first TTL
      // (GT alone would not, a key without TTL counting as eternal), GT only ever lengthens it.
      co_await call(set_key, redis_command("EXPIRE", set_key, seconds, "NX"), "EXPIRE");
      co_await call(set_key, redis_command("EXPIRE", set_key, seconds, "GT"), "EXPIRE");
    }
    if (previous->type == REDIS_REPLY_STRING && reply_text(*previous) != owner) {
      const std::string previous_set = owner_set_key(reply_text(*previous));
      co_await call(previous_set, redis_command("SREM", previous_set, sid), "SREM");
    }
  }

  Task<std::optional<std::string>> owner_of(std::string sid) override {
    require_owners("owner_of");
    const RedisKey key(options_.prefix, sid);
    const RedisKey binding = owner_of_key(sid);
    const RedisReplyPtr replies =
        co_await call_both(binding, redis_command("GET", binding), "GET", key, redis_command("EXISTS", key), "EXISTS");
    const redisReply& owner = *replies->element[0];
    if (owner.type != REDIS_REPLY_STRING) co_return std::nullopt;
    std::string name = reply_text(owner);
    if (replies->element[1]->integer == 0) {
      // Destroyed by a process that does not keep the index (Node): the binding goes now.
      co_await forget_bindings(name, std::vector<std::string>(1, sid));
      co_return std::nullopt;
    }
    co_return name;
  }

  Task<std::vector<std::pair<std::string, json::object>>> sessions_of(std::string owner) override {
    require_owners("sessions_of");
    const std::vector<std::string> ids = by_slot(co_await members_of(owner));
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (const std::string& id : ids) keys.push_back(options_.prefix + id);
    std::vector<std::pair<std::string, json::object>> sessions;
    std::vector<std::string> gone;
    for (std::size_t first = 0; first < keys.size(); first += batch_size(keys, first)) {
      const std::size_t count = batch_size(keys, first);
      const RedisReplyPtr reply = co_await call(keys[first], redis_keys_command("MGET", keys, first, count), "MGET");
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
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (const std::string& id : ids) keys.push_back(options_.prefix + id);
    keys = by_slot(std::move(keys));
    std::size_t destroyed = 0;
    for (std::size_t first = 0; first < keys.size(); first += batch_size(keys, first)) {
      const std::size_t count = batch_size(keys, first);
      const RedisReplyPtr reply = co_await call(keys[first], redis_keys_command("DEL", keys, first, count), "DEL");
      if (reply->type == REDIS_REPLY_INTEGER) destroyed += static_cast<std::size_t>(reply->integer);
    }
    co_await forget_bindings(owner, std::move(ids));
    co_return destroyed;
  }

  Task<std::vector<std::pair<std::string, json::object>>> all() override {
    const std::vector<std::string> keys = co_await all_keys();
    std::vector<std::pair<std::string, json::object>> sessions;
    for (std::size_t first = 0; first < keys.size(); first += batch_size(keys, first)) {
      const std::size_t count = batch_size(keys, first);
      const RedisReplyPtr reply = co_await call(keys[first], redis_keys_command("MGET", keys, first, count), "MGET");
      expect(*reply, REDIS_REPLY_ARRAY, "MGET");
      if (reply->elements != count) {
        throw std::runtime_error("redis store: MGET on " + router_->describe() + " answered " +
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
    for (std::size_t first = 0; first < keys.size(); first += batch_size(keys, first)) {
      const std::size_t count = batch_size(keys, first);
      co_await call(keys[first], redis_keys_command("DEL", keys, first, count), "DEL");
    }
  }

  // Events go over pub/sub on the channel <prefix>events: PUBLISH on the pipelined connections
  // (in a cluster, to the channel name's slot master, which passes it to every node), SUBSCRIBE on
  // one connection of its own per process.
  bool shares_events() const override { return true; }

  Task<> publish(std::string message) override {
    co_await call(events_channel_, redis_command("PUBLISH", events_channel_, message), "PUBLISH");
  }

  void subscribe(std::function<void(std::string)> on_message) override {
    std::lock_guard lock(subscriber_mutex_);
    if (subscriber_) throw std::logic_error(describe() + ": subscribe() called twice");
    subscriber_ = std::make_unique<RedisSubscriber>(events_where_, events_channel_, std::move(on_message));
  }

  std::string describe() const override {
    // The user and password stay out: this line goes to logs and the demo's pages.
    return router_->describe() + " (prefix \"" + options_.prefix + "\")";
  }

 private:
  // A session's text under its key for `ttl` seconds, and the owner binding's TTL with it. Each
  // way its own coroutine: one frame holding the temporaries of every way was too large for
  // Asio's recycling cache (see route()).
  Task<> write(std::string sid, std::string value, std::int64_t ttl) {
    if (options_.wait_replicas > 0) return write_and_wait(std::move(sid), std::move(value), ttl);
    if (binding_follows_ttl()) return write_bound(std::move(sid), std::move(value), ttl);
    return write_session(std::move(sid), std::move(value), ttl);
  }

  // Whether a save also gives the owner binding's key the session's TTL.
  bool binding_follows_ttl() const { return options_.owners && !options_.disable_ttl; }

  // SET, and nothing else: a store without owners (or whose keys have no TTL).
  Task<> write_session(std::string sid, std::string value, std::int64_t ttl) {
    const RedisKey key(options_.prefix, sid);
    const Decimal seconds(ttl);
    const RedisArgs command =
        options_.disable_ttl ? redis_args("SET", key, value) : redis_args("SET", key, value, "EX", seconds);
    const auto executor = co_await asio::this_coro::executor;
    RedisOutcome sent = co_await send(*router_, executor, key, command);
    fail_on_error(*std::move(sent).take(), "SET");
  }

  // SET with the binding's GETEX in the same round trip (GETEX does nothing to an absent key).
  // call_both() written out, as in expire_bound().
  Task<> write_bound(std::string sid, std::string value, std::int64_t ttl) {
    const RedisKey key(options_.prefix, sid);
    const std::string seconds = std::to_string(ttl);
    const RedisKey binding = owner_of_key(sid);
    const auto executor = co_await asio::this_coro::executor;
    RedisOutcome sent = co_await send_both(*router_, executor, key, redis_args("SET", key, value, "EX", seconds),
                                           binding, redis_args("GETEX", binding, "EX", seconds));
    const RedisReplyPtr replies = std::move(sent).take();
    fail_on_errors(*replies, "SET", "GETEX");
    if (bound(*replies->element[1])) co_await extend_owner_set(*replies->element[1], seconds);
  }

  // SET followed by WAIT for the replicas, then the binding's GETEX (wait_replicas).
  Task<> write_and_wait(std::string sid, std::string value, std::int64_t ttl) {
    const RedisKey key(options_.prefix, sid);
    const std::string seconds = std::to_string(ttl);
    std::string command = options_.disable_ttl ? redis_command("SET", key, value)
                                               : redis_command("SET", key, value, "EX", seconds);
    co_await call_and_wait(key, std::move(command));
    if (binding_follows_ttl()) {
      const RedisKey binding = owner_of_key(sid);
      const RedisReplyPtr owner = co_await call(binding, redis_command("GETEX", binding, "EX", seconds), "GETEX");
      if (bound(*owner)) co_await extend_owner_set(*owner, seconds);
    }
  }

  // Sends one command about `key` to the server that holds it (this io_context's connection to
  // it); an error reply becomes an exception.
  Task<RedisReplyPtr> call(std::string_view key, std::string command, const char* name) {
    const auto executor = co_await asio::this_coro::executor;
    RedisOutcome sent = co_await send(*router_, executor, key, std::move(command));
    RedisReplyPtr reply = std::move(sent).take();
    fail_on_error(*reply, name);
    co_return reply;
  }

  // Two commands sent together (one request when their keys share a server), each reply checked as
  // call() checks one: an array of the two replies.
  Task<RedisReplyPtr> call_both(std::string_view first_key, std::string first, const char* first_name,
                                std::string_view second_key, std::string second, const char* second_name) {
    const auto executor = co_await asio::this_coro::executor;
    RedisOutcome sent =
        co_await send_both(*router_, executor, first_key, std::move(first), second_key, std::move(second));
    RedisReplyPtr replies = std::move(sent).take();
    fail_on_errors(*replies, first_name, second_name);
    co_return replies;
  }

  // call_both()'s check of the array of two replies that send_both() resumes with.
  void fail_on_errors(const redisReply& replies, const char* first_name, const char* second_name) const {
    fail_on_error(*replies.element[0], first_name);
    fail_on_error(*replies.element[1], second_name);
  }

  // The awaitable of a call that has nothing to do.
  static Task<> nothing() { co_return; }

  void fail_on_error(const redisReply& reply, const char* name) const {
    if (reply.type == REDIS_REPLY_ERROR) {
      throw std::runtime_error(std::string("redis store: ") + name + " failed on " + router_->describe() + ": " +
                               reply_text(reply));
    }
  }

  // The write, then WAIT on the same connection: the save counts only once enough replicas have it.
  Task<> call_and_wait(std::string_view key, std::string command) {
    const RedisReplyPtr reply = co_await router_->execute_then(
        key, std::move(command),
        redis_command("WAIT", std::to_string(options_.wait_replicas), std::to_string(options_.wait_timeout.count())));
    fail_on_error(*reply, "SET");
    expect(*reply, REDIS_REPLY_INTEGER, "WAIT");
    if (reply->integer < static_cast<long long>(options_.wait_replicas)) {
      throw std::runtime_error("redis store: the save reached " + std::to_string(reply->integer) + " of the " +
                               std::to_string(options_.wait_replicas) + " replicas asked for within " +
                               milliseconds_text(options_.wait_timeout) + " (WAIT)");
    }
  }

  // How many keys from `first` one MGET or DEL takes: at most keys_per_command, all of one group
  // (a cluster refuses a multi-key command across slots).
  std::size_t batch_size(const std::vector<std::string>& keys, std::size_t first) const {
    std::size_t count = 1;
    while (first + count < keys.size() && count < keys_per_command &&
           router_->same_group(keys[first], keys[first + count])) {
      ++count;
    }
    return count;
  }

  // The index's keys start with "owner:" / "owner-of:" and then the prefix, not with the prefix:
  // connect-redis's all() and length() SCAN prefix* and would meet (and MGET a set as) them.
  std::string owner_set_key(std::string_view owner) const { return "owner:" + options_.prefix + std::string(owner); }
  RedisKey owner_of_key(std::string_view sid) const { return RedisKey("owner-of:", options_.prefix, sid); }

  void require_owners(const char* call) const {
    if (!options_.owners) throw std::logic_error(describe() + " was opened with owners = false: " + call + "() needs the owner index");
  }

  // Whether GETEX on a session's owner-of key found an owner. Most sessions have none: asked
  // before extend_owner_set is called, so that their saves make no coroutine frame for it.
  static bool bound(const redisReply& owner) { return owner.type == REDIS_REPLY_STRING; }

  // After a save or touch of a session bound to an owner (`owner` is GETEX's reply): the owner's
  // set lives at least as long as this session now does.
  Task<> extend_owner_set(const redisReply& owner, const std::string& seconds) {
    const std::string set_key = owner_set_key(reply_text(owner));
    co_await call(set_key, redis_command("EXPIRE", set_key, seconds, "GT"), "EXPIRE");
  }

  // The session ids in `owner`'s set.
  Task<std::vector<std::string>> members_of(const std::string& owner) {
    const std::string set_key = owner_set_key(owner);
    const RedisReplyPtr reply = co_await call(set_key, redis_command("SMEMBERS", set_key), "SMEMBERS");
    expect(*reply, REDIS_REPLY_ARRAY, "SMEMBERS");
    std::vector<std::string> ids;
    ids.reserve(reply->elements);
    for (std::size_t i = 0; i < reply->elements; ++i) ids.push_back(reply_text(*reply->element[i]));
    co_return ids;
  }

  // Removes `ids` from `owner`'s set and drops their owner-of keys.
  Task<> forget_bindings(const std::string& owner, std::vector<std::string> ids) {
    const std::string set_key = owner_set_key(owner);
    for (std::size_t first = 0; first < ids.size(); first += keys_per_command) {
      const std::size_t count = std::min(keys_per_command, ids.size() - first);
      std::vector<std::string> args;
      args.reserve(count + 1);
      args.push_back(set_key);
      for (std::size_t i = first; i < first + count; ++i) args.push_back(ids[i]);
      co_await call(set_key, redis_keys_command("SREM", args, 0, args.size()), "SREM");
    }
    std::vector<std::string> bindings;
    bindings.reserve(ids.size());
    for (const std::string& id : ids) bindings.push_back(owner_of_key(id).str());
    bindings = by_slot(std::move(bindings));
    for (std::size_t first = 0; first < bindings.size(); first += batch_size(bindings, first)) {
      const std::size_t count = batch_size(bindings, first);
      co_await call(bindings[first], redis_keys_command("DEL", bindings, first, count), "DEL");
    }
  }

  // Keys in hash-slot order, so that batch_size() puts as many in one command as a cluster allows.
  static std::vector<std::string> by_slot(std::vector<std::string> keys) {
    std::stable_sort(keys.begin(), keys.end(),
                     [](const std::string& a, const std::string& b) { return hash_slot(a) < hash_slot(b); });
    return keys;
  }

  void expect(const redisReply& reply, int type, const char* name) const {
    if (reply.type != type) {
      throw std::runtime_error(std::string("redis store: unexpected reply type ") + std::to_string(reply.type) +
                               " to " + name + " from " + router_->describe());
    }
  }

  // Whether a GET's reply holds a session's text; an error reply or another type throws.
  bool holds_session(const redisReply& reply) const {
    fail_on_error(reply, "GET");
    if (reply.type == REDIS_REPLY_NIL) return false;
    expect(reply, REDIS_REPLY_STRING, "GET");
    // connect-redis: `if (!data) return cb()`. Redis's TTL alone says what has expired: touch()
    // moves only the TTL, so the stored cookie.expires may lie in the past of a session that is
    // still live (connect-redis too).
    return reply.len != 0;
  }

  std::runtime_error not_json(const std::string& sid, const std::exception& e) const {
    return std::runtime_error("redis store: session " + session_id_digest(sid) + " does not hold JSON: " + e.what());
  }

  // JSON.parse as connect-redis calls it: malformed text fails the call; a non-object is no session.
  std::optional<json::object> parse_session(const std::string& sid, const redisReply& reply,
                                            json::storage_ptr storage = {}) const {
    // Emplaced, not assigned: assigning a value made on other memory would copy it.
    std::optional<json::value> parsed;
    try {
      parsed.emplace(parse_stored_session(std::string_view(reply.str, reply.len), std::move(storage)));
    } catch (const std::exception& e) {
      throw not_json(sid, e);
    }
    if (!parsed->is_object()) return std::nullopt;
    return std::move(parsed->get_object());
  }

  // connect-redis's _getTTL: ceil((cookie.expires - now) / 1000), else the ttl option.
  std::optional<std::int64_t> ttl_seconds(const json::object& session) const {
    const json::value* cookie = session.if_contains("cookie");
    if (cookie == nullptr || !cookie->is_object()) return fallback_ttl();
    const json::value* expires = cookie->get_object().if_contains("expires");
    if (expires == nullptr || !truthy(*expires)) return fallback_ttl();
    const std::optional<std::int64_t> when = expires_ms(*expires);
    if (!when) return std::nullopt;
    return ttl_until(*when);
  }
  std::int64_t fallback_ttl() const { return options_.ttl.count() > 0 ? options_.ttl.count() : default_ttl_seconds; }
  // The seconds from now until `when_ms` (ms since the epoch), rounded up.
  static std::int64_t ttl_until(std::int64_t when_ms) {
    const std::int64_t ms = when_ms - date_now();
    return ms > 0 ? (ms + 999) / 1000 : -(-ms / 1000);  // Math.ceil, for either sign
  }

  // Every key under the prefix (or matching `match`), each once (SCAN may return a key twice), from every master; in a
  // cluster the keys of one slot come out together, so that MGET and DEL batch them.
  Task<std::vector<std::string>> all_keys(std::string match = {}) {
    if (match.empty()) match = match_;
    std::vector<std::string> keys;
    std::unordered_set<std::string> seen;
    const std::vector<RedisEndpoint> masters = co_await router_->masters();
    for (const RedisEndpoint& master : masters) {
      std::string cursor = "0";
      do {
        const RedisReplyPtr reply =
            co_await router_->execute_at(master, redis_command("SCAN", cursor, "MATCH", match, "COUNT", scan_count_));
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
            reply->element[0]->type != REDIS_REPLY_STRING || reply->element[1]->type != REDIS_REPLY_ARRAY) {
          throw std::runtime_error("redis store: SCAN on " + master.address() + " did not answer [cursor, keys]" +
                                   (reply->type == REDIS_REPLY_ERROR ? ": " + reply_text(*reply) : std::string()));
        }
        cursor = reply_text(*reply->element[0]);
        const redisReply& page = *reply->element[1];
        for (std::size_t i = 0; i < page.elements; ++i) {
          std::string key = reply_text(*page.element[i]);
          if (seen.insert(key).second) keys.push_back(std::move(key));
        }
      } while (cursor != "0");
    }
    if (masters.size() > 1) {
      std::stable_sort(keys.begin(), keys.end(),
                       [](const std::string& a, const std::string& b) { return hash_slot(a) < hash_slot(b); });
    }
    co_return keys;
  }

  std::function<std::vector<RedisEndpoint>()> events_where_;
  std::string events_channel_;
  std::unique_ptr<RedisRouter> router_;
  std::shared_ptr<const bool> alive_;  // the token that tells io_contexts the store is alive
  RedisOptions options_;
  std::uint64_t id_;
  std::string match_;
  std::string scan_count_;
  std::mutex subscriber_mutex_;
  std::unique_ptr<RedisSubscriber> subscriber_;  // last: it stops first
};

}  // namespace

std::shared_ptr<Store> redis(std::string url, RedisOptions options) {
  RedisTarget target = parse_redis_target(url, options);
  if (options.scan_count == 0) options.scan_count = 100;  // connect-redis: `scanCount || 100`
  auto events_where = events_endpoints(target, options);
  std::unique_ptr<RedisRouter> router = make_redis_router(std::move(target), options);
  return std::make_shared<RedisStore>(std::move(router), std::move(options), std::move(events_where));
}

}  // namespace cortado::stores
