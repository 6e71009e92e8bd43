// MemoryStore: express-session's MemoryStore semantics over sharded, bounded, pruned storage.
#include "cortado/session/memory_store.hpp"

#include "cortado/core/clock.hpp"
#include "memory_shard.hpp"
#include "session/session_text.hpp"
#include "owner_index.hpp"
#include "pruner.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace cortado {
namespace {

constexpr std::size_t min_entries_per_shard = 64;

std::int64_t expiry_ms(std::optional<std::chrono::system_clock::time_point> expiry) {
  if (!expiry) return std::numeric_limits<std::int64_t>::max();
  return date_value(*expiry);
}

std::int64_t expiry_ms(const json::object& session) { return expiry_ms(session_expiry(session)); }

// The stored text is always an object we wrote, but a copy is parsed defensively all the same.
std::optional<json::object> parse_object(std::string_view text, json::storage_ptr storage = {}) {
  json::value v = parse_stored_session(text, std::move(storage));
  if (!v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// Stored texts are compacted: the phrases every session cookie repeats become one control byte
// each, which JSON text never holds raw (stringify escapes them in strings), so the swap is
// exactly reversible. A default cookie goes from 67 bytes to 1: a large part of what a session
// costs in memory (docs in memory_store.hpp). A compacted text starts with `compacted`; one
// that is not (nothing matched) is kept as it was, starting with '{'.
constexpr char compacted = '\x1f';
constexpr std::array<std::string_view, 6> phrases{
    "{\"cookie\":{\"originalMaxAge\":null,\"expires\":null,\"httpOnly\":true,\"path\":\"/\"}",
    "{\"cookie\":{\"originalMaxAge\":",
    ",\"expires\":\"",
    "\",\"httpOnly\":true,\"path\":\"/\"}",
    ",\"httpOnly\":true,\"path\":\"/\"}",
    ",\"expires\":null",
};

// How compact() writes the default cookie (phrases[0]): the mark, then its code.
constexpr char default_cookie_stored[] = {compacted, '\x01'};

// Only the leading cookie is searched (the middleware's texts start with it), up to its first
// '}': a search of the whole text for each phrase cost more than the rest of a save, and the
// phrases are what every session's cookie repeats. Whatever follows stays as it is; expanding
// reverses the swap wherever it was made.
void compact_in_place(std::string& text) {
  // The default cookie, whole: nothing else is looked for, and what follows it stays as it was
  // (read_stored_cookie() relies on that).
  if (text.starts_with(phrases[0])) {
    text.erase(sizeof default_cookie_stored, phrases[0].size() - sizeof default_cookie_stored);
    std::copy_n(default_cookie_stored, sizeof default_cookie_stored, text.begin());
    return;
  }
  constexpr std::string_view cookie_start = "{\"cookie\":{";
  if (!text.starts_with(cookie_start)) return;
  std::size_t end = text.find('}', cookie_start.size());
  if (end == std::string::npos) return;
  ++end;
  bool changed = false;
  for (std::size_t i = 0; i < phrases.size(); ++i) {
    const std::string_view phrase = phrases[i];
    for (auto at = std::string_view(text.data(), end).find(phrase); at != std::string_view::npos;
         at = std::string_view(text.data(), end).find(phrase, at + 1)) {
      text.replace(at, phrase.size(), 1, static_cast<char>(i + 1));
      end -= phrase.size() - 1;
      changed = true;
    }
  }
  if (changed) text.insert(text.begin(), compacted);
}

std::string compact(std::string text) {
  compact_in_place(text);
  return text;
}

void expand_into(std::string_view stored, std::string& text) {
  text.clear();
  if (!stored.starts_with(compacted)) {
    text.assign(stored);
    return;
  }
  text.reserve(stored.size() + 96);
  auto is_phrase = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 1 && byte <= phrases.size();
  };
  // The text between phrases is copied a run at a time, not a byte at a time.
  for (std::size_t i = 1; i < stored.size();) {
    std::size_t run_end = i;
    while (run_end < stored.size() && !is_phrase(stored[run_end])) ++run_end;
    text.append(stored, i, run_end - i);
    if (run_end == stored.size()) break;
    text += phrases[static_cast<unsigned char>(stored[run_end]) - 1];
    i = run_end + 1;
  }
}

// Reads the cookie a stored text starts with into `cookie`, and leaves in `text` what follows it
// from `text[end]` on (',' and the data's members, or '}'); nullopt when the cookie is not first
// or not in append_cookie_json's form. The default cookie (most sessions') is not expanded nor
// read: it is a copy of the one read once, and `text` is only what follows it, which compact()
// leaves as it was (`end` is then 0). Otherwise `text` is the whole expanded text.
std::optional<std::size_t> read_stored_cookie(std::string_view stored, std::string& text, SessionCookie& cookie) {
  if (stored.starts_with(std::string_view(default_cookie_stored, sizeof default_cookie_stored))) {
    static const SessionCookie the_default = [] {
      SessionCookie read;
      detail::read_leading_cookie(std::string(phrases[0]) + "}", read);
      return read;
    }();
    cookie = the_default;
    text.assign(stored, sizeof default_cookie_stored);
    return 0;
  }
  expand_into(stored, text);
  const std::size_t end = detail::read_leading_cookie(text, cookie);
  if (end == 0) return std::nullopt;
  return end;
}

std::string expand(std::string_view stored) {
  std::string text;
  expand_into(stored, text);
  return text;
}

// Whether `stored` (compacted or not) expands to a text that starts with `prefix`, without
// expanding it: a touch compares the stored cookie with the new one this way, without a copy.
bool expands_with_prefix(std::string_view stored, std::string_view prefix) {
  if (!stored.starts_with(compacted)) return stored.starts_with(prefix);
  for (std::size_t i = 1; i < stored.size() && !prefix.empty(); ++i) {
    const auto c = static_cast<unsigned char>(stored[i]);
    std::string_view piece = c >= 1 && c <= phrases.size() ? phrases[c - 1] : stored.substr(i, 1);
    const std::size_t n = std::min(piece.size(), prefix.size());
    if (piece.substr(0, n) != prefix.substr(0, n)) return false;
    prefix.remove_prefix(n);
  }
  return prefix.empty();
}

// Where the JSON object starting at text[pos] ('{') ends (one past its '}'). The text is one this
// store wrote, hence valid JSON: only strings (with their escapes) need care.
std::size_t object_end(std::string_view text, std::size_t pos) {
  int depth = 0;
  for (std::size_t i = pos; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The stored text with its cookie replaced by `cookie`, without parsing the rest, when the
// cookie comes first (as in every session the middleware makes); nullopt otherwise.
// `cookie_text` is the new cookie's JSON (an object).
std::optional<std::string> with_leading_cookie(std::string_view text, std::string_view cookie_text) {
  constexpr std::string_view lead = "{\"cookie\":";
  if (!text.starts_with(lead) || text.size() <= lead.size() || text[lead.size()] != '{') return std::nullopt;
  const std::size_t end = object_end(text, lead.size());
  if (end == std::string_view::npos) return std::nullopt;
  std::string out(lead);
  out += cookie_text;
  out.append(text.substr(end));
  return out;
}

}  // namespace

std::shared_ptr<Store> stores::memory(MemoryStoreOptions options) { return std::make_shared<MemoryStore>(options); }

MemoryStore::MemoryStore(MemoryStoreOptions options)
    : options_(options), owners_(std::make_unique<detail::OwnerIndex>()) {
  options_.shards = std::max<std::size_t>(options_.shards, 1);
  if (options_.max_entries > 0) {
    options_.shards = std::clamp<std::size_t>(options_.max_entries / min_entries_per_shard, 1, options_.shards);
    shard_bound_ = (options_.max_entries + options_.shards - 1) / options_.shards;
  }
  shards_ = std::make_unique<MemoryShard[]>(options_.shards);
  auto& sessions = metrics_registry().gauge_family(
      "session_store_sessions", "Sessions the store holds, where it can count them cheaply (expired ones not pruned yet included).",
      {"store"});
  sessions_gauge_ = metrics_registry().gauge_callback(sessions, {"memory"}, [this] {
    std::size_t total = 0;
    for (std::size_t i = 0; i < options_.shards; ++i) total += shards_[i].size();
    return static_cast<double>(total);
  });
  // Made last, once the shards its rounds sweep exist; a zero interval starts no thread.
  pruner_ = std::make_unique<detail::Pruner>(options_.prune_interval, [this](std::stop_token) { prune_expired(); });
}

// The pruner goes first, so no round is left running over the shards: it is declared last.
MemoryStore::~MemoryStore() = default;

MemoryShard& MemoryStore::shard_for(std::size_t hash) {
  // The high half picks the shard so that the low half, which picks the bucket, stays uniform inside it.
  return shards_[(hash >> 32) % options_.shards];
}

Task<std::optional<json::object>> MemoryStore::get(std::string sid) { co_return get_now(sid); }

Task<std::optional<json::object>> MemoryStore::get_into(std::string sid, json::storage_ptr storage) {
  co_return get_now(sid, std::move(storage));
}

std::optional<json::object> MemoryStore::get_now(std::string_view sid, json::storage_ptr storage) {
  const std::size_t hash = hash_sid(sid);
  // Per-thread buffers: a get copies and parses without allocating for the text.
  thread_local std::string stored, text;
  if (!shard_for(hash).get(sid, hash, date_now(), stored)) return std::nullopt;
  expand_into(stored, text);
  return parse_object(text, std::move(storage));
}

std::optional<MemoryStore::Loaded> MemoryStore::load_now(std::string_view sid,
                                                        const std::function<json::storage_ptr()>& storage) {
  const std::size_t hash = hash_sid(sid);
  thread_local std::string stored, text;  // as in get_now()
  // Filled in place and returned by name: a Loaded moved into an optional cost some 130 instructions.
  std::optional<Loaded> result(std::in_place);
  Loaded& loaded = *result;
  if (!shard_for(hash).get(sid, hash, date_now(), stored, &loaded.snapshot)) {
    result.reset();
    return result;
  }
  const std::optional<std::size_t> cookie_end = read_stored_cookie(stored, text, loaded.cookie);
  if (cookie_end) {
    const std::size_t end = *cookie_end;
    loaded.cookie_read = true;
    if (loaded.snapshot) return result;
    const json::storage_ptr memory = storage();
    // The data alone: `{"cookie":{…},"a":1}` is read from its ',' made a '{'; `{"cookie":{…}}` has none.
    if (text[end] == '}') {
      loaded.object.emplace(memory);
      loaded.data_text = "{}";
      return result;
    }
    text[end] = '{';
    loaded.object = parse_object(std::string_view(text).substr(end), memory);
    // A data key "cookie" as well (a text not written by the middleware): read the whole.
    if (loaded.object && !loaded.object->contains("cookie")) {
      loaded.data_text.assign(text, end);
      return result;
    }
    loaded.cookie_read = false;
    loaded.cookie = SessionCookie{};
  }
  // The whole text again: read_stored_cookie may have left only a part of it, or it was changed
  // above (a text whose cookie is not first is copied twice; no session the middleware writes).
  expand_into(stored, text);
  loaded.snapshot.reset();  // kept with a text whose cookie is not first: read the whole, as get does
  loaded.object = parse_object(text, storage());
  if (!loaded.object) result.reset();
  return result;
}

void MemoryStore::keep_snapshot_now(std::string_view sid, const json::object& data, std::string data_text) {
  const std::size_t hash = hash_sid(sid);
  MemoryShard& shard = shard_for(hash);
  thread_local std::string stored, text;  // as in get_now()
  if (!shard.get(sid, hash, date_now(), stored)) return;
  // The entry's data must still be `data_text`, right after its cookie: `{"cookie":{…}` then
  // `}` for no data, or `,` and the data's members.
  SessionCookie cookie;
  const std::optional<std::size_t> end = read_stored_cookie(stored, text, cookie);
  if (!end || data_text.size() < 2) return;
  const std::string_view rest = std::string_view(text).substr(*end);
  const std::string_view members = std::string_view(data_text).substr(1);
  const bool same = members == "}" ? rest == "}" : rest.size() == members.size() + 1 && rest.front() == ',' && rest.substr(1) == members;
  if (!same) return;
  boost::intrusive_ptr<detail::SessionSnapshot> snapshot(new detail::SessionSnapshot);
  snapshot->data = json::object(data, json::storage_ptr());  // the heap: it outlives the request
  snapshot->text = std::move(data_text);
  shard.attach(sid, hash, stored, std::move(snapshot));
}

Task<> MemoryStore::set(std::string sid, json::object session) {
  set_now(sid, std::move(session));
  co_return;
}

void MemoryStore::set_now(std::string_view sid, json::object session) {
  const std::int64_t expires = expiry_ms(session);
  const json::value whole(std::move(session));
  // Serialised before the lock is taken: the lock only guards a pointer swap.
  MemoryEntryPtr entry = make_memory_entry(sid, compact(stringify(whole)), expires);
  const std::size_t hash = hash_sid(sid);
  shard_for(hash).set(std::move(entry), hash, shard_bound_);
}

Task<> MemoryStore::destroy(std::string sid) {
  const std::size_t hash = hash_sid(sid);
  shard_for(hash).destroy(sid, hash);
  owners_->unbind(sid);
  co_return;
}

Task<> MemoryStore::touch(std::string sid, json::object session) {
  touch_now(sid, std::move(session));
  co_return;
}

void MemoryStore::touch_now(std::string_view sid, json::object session) {
  const std::size_t hash = hash_sid(sid);
  MemoryShard& shard = shard_for(hash);
  thread_local std::string stored, lead;  // as in get_now()
  detail::SnapshotPtr snapshot;  // a touch leaves the data as it is: the new entry keeps it
  if (!shard.get(sid, hash, date_now(), stored, &snapshot)) return;  // absent or expired: express-session's touch does nothing either
  // The usual case, on every request that reads a session without changing it: only the cookie
  // changes (often not even that, when it has no expiry), and the data need not be parsed.
  const json::value* new_cookie = session.if_contains("cookie");
  if (new_cookie && new_cookie->is_object()) {
    // The stored text already starts with this very cookie (a JSON object is never a strict
    // prefix of another, so the stored one is equal): the text and its expiry stay as they are.
    lead.assign("{\"cookie\":");
    stringify_to(lead, *new_cookie);
    if (expands_with_prefix(stored, lead)) return;
  }
  const std::string old_text = expand(stored);
  if (const json::value* cookie = new_cookie; cookie && cookie->is_object()) {
    if (auto text = with_leading_cookie(old_text, std::string_view(lead).substr(10))) {
      if (*text != old_text)
        shard.replace_if_unchanged(make_memory_entry(sid, compact(std::move(*text)), expiry_ms(session), snapshot), hash, stored);
      return;
    }
  }
  std::optional<json::object> current = parse_object(old_text);
  if (!current) return;
  // `currentSession.cookie = session.cookie`: the key keeps its place, the rest of the data is untouched.
  if (json::value* cookie = session.if_contains("cookie")) {
    (*current)["cookie"] = std::move(*cookie);
  } else {
    current->stable_erase("cookie");
  }
  const std::int64_t expires = expiry_ms(*current);
  const json::value whole(std::move(*current));
  shard.replace_if_unchanged(make_memory_entry(sid, compact(stringify(whole)), expires, snapshot), hash, stored);
}

void MemoryStore::set_text_now(std::string_view sid, std::string_view text,
                               std::optional<std::chrono::system_clock::time_point> expiry, detail::SnapshotPtr snapshot) {
  thread_local std::string compacted;  // the entry copies it: one buffer per thread serves every write
  compacted.assign(text);
  compact_in_place(compacted);
  MemoryEntryPtr entry = make_memory_entry(sid, compacted, expiry_ms(expiry), std::move(snapshot));
  const std::size_t hash = hash_sid(sid);
  shard_for(hash).set(std::move(entry), hash, shard_bound_);
}

void MemoryStore::touch_cookie_now(std::string_view sid, std::string_view cookie_text,
                                   std::optional<std::chrono::system_clock::time_point> expiry) {
  const std::size_t hash = hash_sid(sid);
  MemoryShard& shard = shard_for(hash);
  thread_local std::string stored, lead;  // as in touch_now()
  detail::SnapshotPtr snapshot;  // as in touch_now()
  if (!shard.get(sid, hash, date_now(), stored, &snapshot)) return;
  lead.assign("{\"cookie\":");
  lead += cookie_text;
  if (expands_with_prefix(stored, lead)) return;
  const std::string old_text = expand(stored);
  if (auto text = with_leading_cookie(old_text, cookie_text)) {
    if (*text != old_text) shard.replace_if_unchanged(make_memory_entry(sid, compact(std::move(*text)), expiry_ms(expiry), snapshot), hash, stored);
    return;
  }
  // A stored text whose cookie does not come first (written by other means): touch_now's way.
  json::object session;
  session["cookie"] = parse_json(cookie_text);
  touch_now(sid, std::move(session));
}

Task<std::vector<std::pair<std::string, json::object>>> MemoryStore::all() {
  const std::int64_t now = date_now();
  std::vector<std::pair<std::string, std::string>> texts;
  for (std::size_t i = 0; i < options_.shards; ++i) shards_[i].collect_live(now, texts);
  // Parsing happens after every lock is released.
  std::vector<std::pair<std::string, json::object>> sessions;
  sessions.reserve(texts.size());
  for (auto& [sid, text] : texts) {
    if (auto session = parse_object(expand(text))) sessions.emplace_back(std::move(sid), std::move(*session));
  }
  co_return sessions;
}

Task<std::size_t> MemoryStore::length() {
  const std::int64_t now = date_now();
  std::size_t count = 0;
  for (std::size_t i = 0; i < options_.shards; ++i) count += shards_[i].count_live(now);
  co_return count;
}

Task<> MemoryStore::clear() {
  for (std::size_t i = 0; i < options_.shards; ++i) shards_[i].clear();
  owners_->clear();
  co_return;
}

Task<> MemoryStore::set_owner(std::string sid, std::string owner, json::object) {
  auto live = co_await get(sid);
  if (!live) co_return;
  owners_->bind(sid, owner);
}

Task<std::optional<std::string>> MemoryStore::owner_of(std::string sid) {
  auto owner = owners_->owner_of(sid);
  if (!owner) co_return std::nullopt;
  auto live = co_await get(sid);
  if (!live) {
    owners_->unbind(sid);
    co_return std::nullopt;
  }
  co_return owner;
}

Task<std::vector<std::pair<std::string, json::object>>> MemoryStore::sessions_of(std::string owner) {
  std::vector<std::pair<std::string, json::object>> sessions;
  for (auto& sid : owners_->ids_of(owner)) {
    auto session = co_await get(sid);
    if (!session) {
      owners_->unbind(sid);  // expired or evicted since it was bound
      continue;
    }
    sessions.emplace_back(std::move(sid), std::move(*session));
  }
  co_return sessions;
}

Task<std::size_t> MemoryStore::destroy_all(std::string owner, std::optional<std::string> except_sid) {
  std::size_t destroyed = 0;
  for (auto& sid : owners_->ids_of(owner)) {
    if (except_sid && sid == *except_sid) continue;
    auto live = co_await get(sid);
    if (live) ++destroyed;
    co_await destroy(std::move(sid));
  }
  co_return destroyed;
}

std::string MemoryStore::describe() const {
  std::string out = "memory (" + std::to_string(options_.shards) + " shards";
  if (options_.max_entries > 0) out += ", max " + std::to_string(options_.max_entries) + " sessions";
  return out + ")";
}

std::size_t MemoryStore::prune_expired() {
  const std::int64_t now = date_now();
  std::size_t removed = 0;
  for (std::size_t i = 0; i < options_.shards; ++i) removed += shards_[i].prune(now);
  // Bindings of sessions gone by expiry or by eviction go too.
  std::string text;
  owners_->retain([&](const std::string& sid) {
    const std::size_t hash = hash_sid(sid);
    return shard_for(hash).get(sid, hash, now, text);
  });
  return removed;
}

}  // namespace cortado
