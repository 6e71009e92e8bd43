// A store's stored text turned into req.session() and written back: what the session middleware
// does with every session a store returns (the object parse_json made of its text, or what
// read_stored_session read of it, which must come to the same). The stored text may come from Node, from an older
// cortado, or from anyone who can write to the store, so nothing in it may crash, hang, or throw
// anything but the documented errors: std::invalid_argument from parse_json and from a cookie
// attribute serialize() refuses, std::out_of_range from a maxAge beyond a JavaScript Date.
#include "fuzz_support.hpp"

#include "cortado/core/json.hpp"
#include "cortado/app/request.hpp"
#include "cortado/session/memory_store.hpp"
#include "cortado/session/signature.hpp"
#include "cortado/session/store.hpp"
#include "session/session_context.hpp"
#include "session/session_slot.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

using namespace cortado;
using namespace std::chrono_literals;

const std::string session_id = "fuzz-session-id";

std::shared_ptr<MemoryStore> make_store() {
  return std::make_shared<MemoryStore>(MemoryStoreOptions{.prune_interval = std::chrono::milliseconds::zero()});
}

// Two configurations, so that both sides of each option the load path reads are taken.
std::shared_ptr<const detail::SessionConfig> make_config(bool beyond_express) {
  SessionOptions options;
  options.secret = {"fuzz secret"};
  options.store = make_store();
  auto config = std::make_shared<detail::SessionConfig>(std::move(options));
  config->options.rolling = beyond_express;
  if (beyond_express) {
    config->options.merge_changes = true;
    config->options.absolute_lifetime = 12h;
    config->options.touch_after = 10min;
    config->resave = false;
    config->save_uninitialized = false;
  }
  return config;
}

// The text a session makes when written: loading that text again must write the same text.
std::string written_text(const json::object& stored) {
  Session session(nullptr, session_id, SessionCookie{});
  detail::SessionContext::load(session, stored);
  return stringify(session.to_json());
}

// Known and left open: a stored "path" that is not a string (Node keeps "path":null and writes it
// back) is left out when written, and the next load takes the default "/" (SessionCookie::path
// cannot hold null apart from absent). Such a session is not checked for a stable text.
bool odd_path(const json::object& stored) {
  const auto* cookie = stored.if_contains("cookie");
  if (!cookie || !cookie->is_object()) return false;
  const auto* path = cookie->get_object().if_contains("path");
  return path && !path->is_string();
}

void check_idempotent(const std::string& text) {
  auto again = parse_stored_session(text);
  if (!again.is_object()) fuzz::finding("a written session is not an object");
  if (written_text(again.get_object()) != text) fuzz::finding("a written session reads back differently");
}

// The Set-Cookie the middleware would send for it.
void serialize_cookie(const Session& session) {
  try {
    (void)session.cookie().serialize("connect.sid", sign_cookie(session.id(), "fuzz secret"));
  } catch (const std::invalid_argument&) {  // a stored domain, path, priority or sameSite cookie@0.7 refuses
  }
}

// read_stored_session, which reads the stores' texts for the session middleware (Store::load),
// against the whole parse that load_and_commit starts from: it refuses exactly what the parse
// refuses, and the session made from what it read writes the same text; a data text it keeps is
// the data's stringify.
void compare_reading(std::string_view text, const std::optional<json::value>& parsed) {
  std::optional<StoredSession> read;
  try {
    read = read_stored_session(text);
  } catch (const std::invalid_argument&) {
    if (parsed) fuzz::finding("read_stored_session refuses a text the parse reads");
    return;
  }
  if (!parsed) fuzz::finding("read_stored_session reads a text the parse refuses");
  if (!parsed->is_object()) {
    if (read) fuzz::finding("read_stored_session makes a session of JSON that is no object");
    return;
  }
  if (!read) fuzz::finding("read_stored_session makes no session of an object");
  Session whole(nullptr, session_id, SessionCookie{});
  detail::SessionContext::load(whole, parsed->get_object());
  Session apart(nullptr, session_id, std::move(read->cookie));
  const std::size_t keys = read->data.size();
  detail::SessionContext::load_data(apart, std::move(read->data), read->cookie_position);
  if (stringify(apart.to_json()) != stringify(whole.to_json()))
    fuzz::finding("read_stored_session's session writes another text than the parse's");
  if (!read->data_text.empty() && apart.data().size() == keys && read->data_text != stringify(apart.data()))
    fuzz::finding("read_stored_session keeps a data text that is not the data's stringify");
}

// The middleware's steps on a loaded session: inflate, the save rules, commit (touch + save).
void load_and_commit(boost::asio::io_context& ioc, const std::shared_ptr<const detail::SessionConfig>& config,
                     const json::object& stored) {
  http::RawRequest raw;
  http::Exchange exchange;
  Settings settings;
  Request req(raw, exchange, settings);
  auto ctx = std::make_shared<detail::SessionContext>(config, req);
  ctx->cookie_id = session_id;
  req.slot<detail::SessionSlot>().id = session_id;
  (void)ctx->past_absolute_lifetime(stored);
  ctx->inflate(stored);
  auto& session = req.session();
  if (!odd_path(stored)) check_idempotent(stringify(session.to_json()));
  (void)session.cookie().max_age();
  (void)ctx->should_set_cookie(session);
  serialize_cookie(session);
  fuzz::run_task(ioc, config->options.store->set(session_id, stored));  // what merge_changes reads back
  try {
    fuzz::run_task(ioc, ctx->commit());
  } catch (const std::out_of_range&) {  // touch(): originalMaxAge beyond a JavaScript Date
  }
  fuzz::run_task(ioc, config->options.store->destroy(session_id));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static boost::asio::io_context ioc;
  static const auto express = make_config(false);
  static const auto beyond = make_config(true);
  const std::string_view text = fuzz::as_text(data, size);
  std::optional<json::value> parsed;
  try {
    parsed = parse_stored_session(text);
  } catch (const std::invalid_argument&) {
  }
  compare_reading(text, parsed);
  if (!parsed || !parsed->is_object()) return 0;  // every store reports such a value as no session
  const auto& stored = parsed->get_object();
  (void)session_expiry(stored);  // what the stores compute their TTL from
  load_and_commit(ioc, express, stored);
  load_and_commit(ioc, beyond, stored);
  return 0;
}
