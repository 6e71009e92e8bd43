#pragma once
/// MemoryStore: sessions in this process's memory, sharded, pruned, optionally bounded.

#include "cortado/core/metrics.hpp"
#include "cortado/session/session_cookie.hpp"
#include "cortado/session/session_snapshot.hpp"
#include "cortado/session/store.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cortado {

class MemoryShard;
namespace detail {
class Pruner;
class OwnerIndex;
}

/// The bound of the MemoryStore that session() makes when given no store. Requests without a
/// cookie (with save_uninitialized) each add a session, which without maxAge never expires;
/// 100 000 small sessions take about 20 MiB (196 bytes each in bench/run's W3m), more than a
/// development server or a single small process holds at once.
inline constexpr std::size_t default_session_store_entries = 100'000;

/// How a MemoryStore is sized and kept clean.
struct MemoryStoreOptions {
  /// Most sessions kept; past it the least recently used one goes. 0 means unbounded.
  /// The bound is kept per shard (max_entries / shards, rounded up), so it is approximate.
  std::size_t max_entries = 0;
  /// How often a background thread removes expired sessions; zero turns the thread off.
  std::chrono::milliseconds prune_interval{60000};
  /// Independent locks; more shards, less contention between threads. A small max_entries
  /// lowers it so that each shard still holds 64 sessions or more and the bound stays meaningful.
  std::size_t shards = 16;
};

/// express-session's MemoryStore (JSON text kept, a copy parsed on get, expired sessions
/// reported absent and deleted), made safe to share between threads, with a size bound and
/// background pruning. Every call completes without suspending.
class MemoryStore final : public Store {
 public:
  /// Starts the pruning thread unless options.prune_interval is zero.
  explicit MemoryStore(MemoryStoreOptions options = {});
  /// Stops the pruning thread promptly and frees every session.
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  /// A parsed copy of the stored text; an expired session is deleted and reported absent.
  Task<std::optional<json::object>> get(std::string sid) override;
  Task<std::optional<json::object>> get_into(std::string sid, json::storage_ptr storage) override;
  /// Keeps JSON.stringify(session) and its cookie.expires; may evict the least recently used.
  Task<> set(std::string sid, json::object session) override;
  /// Forgets the session.
  Task<> destroy(std::string sid) override;
  /// Replaces the stored session's "cookie" with `session`'s, as express-session's MemoryStore does.
  Task<> touch(std::string sid, json::object session) override;
  bool touch_reads_cookie_only() const override { return true; }
  /// Every live session, in no particular order; expired ones met on the way are deleted.
  Task<std::vector<std::pair<std::string, json::object>>> all() override;
  /// Counts live sessions (express-session counts what all() returns), deleting expired ones met.
  Task<std::size_t> length() override;
  /// Forgets every session.
  Task<> clear() override;
  /// Binds a live session to `owner` in a map kept beside the shards; a session already gone is not bound.
  Task<> set_owner(std::string sid, std::string owner, json::object session) override;
  Task<std::optional<std::string>> owner_of(std::string sid) override;
  /// The owner's live sessions; ids whose session has gone (expired, evicted) leave the map.
  Task<std::vector<std::pair<std::string, json::object>>> sessions_of(std::string owner) override;
  Task<std::size_t> destroy_all(std::string owner, std::optional<std::string> except_sid) override;
  /// "memory (N shards)", plus the bound when there is one.
  std::string describe() const override;

  /// get(), set() and touch() as plain calls, the same work without a coroutine frame: the
  /// session middleware makes these when its store is a MemoryStore, whose calls never wait.
  /// get_now's session takes its memory from `storage` (the default heap when none is given).
  std::optional<json::object> get_now(std::string_view sid, json::storage_ptr storage = {});
  void set_now(std::string_view sid, json::object session);
  void touch_now(std::string_view sid, json::object session);
  /// set_now and touch_now given the text already: the session's JSON as stringify writes it,
  /// or its cookie's, and the expiry that text's cookie.expires reads as (nullopt for none).
  /// A snapshot given with it is the data of that text (a session saved unchanged keeps its own).
  void set_text_now(std::string_view sid, std::string_view text,
                    std::optional<std::chrono::system_clock::time_point> expiry, detail::SnapshotPtr snapshot = {});
  void touch_cookie_now(std::string_view sid, std::string_view cookie_text,
                        std::optional<std::chrono::system_clock::time_point> expiry);

  /// What load_now() found. When the text starts with its cookie (every text the session
  /// middleware writes), the cookie is read without a parser, and the data is the snapshot's,
  /// shared, or else `object`, parsed alone. Otherwise `object` is the whole stored object.
  struct Loaded {
    bool cookie_read = false;
    SessionCookie cookie;
    detail::SnapshotPtr snapshot;
    std::optional<json::object> object;
    /// With the cookie read apart and `object` parsed: the data's text as stored, which is
    /// stringify(*object), since only stringify writes this store's texts (no stringify again).
    std::string data_text;
  };
  /// get_now() for the session middleware: the data of a session read before without being
  /// changed is not parsed again (the entry keeps it parsed, see keep_snapshot_now()).
  /// `storage` gives the memory for what is parsed; it is asked only when something is.
  std::optional<Loaded> load_now(std::string_view sid, const std::function<json::storage_ptr()>& storage);
  /// Keeps a copy of `data` with the entry: the data of a session load_now() parsed, left
  /// unchanged, and `data_text` its stringify; only if the entry's data is still that text.
  /// The later loads share it instead of parsing: the copy is made once, the parse saved on
  /// every read until the data changes.
  void keep_snapshot_now(std::string_view sid, const json::object& data, std::string data_text);

  /// Removes every expired session now (and its owner binding) and says how many went; the pruning thread calls it.
  std::size_t prune_expired();

 private:
  MemoryShard& shard_for(std::size_t hash);

  MemoryStoreOptions options_;
  std::size_t shard_bound_ = 0;  // sessions per shard before eviction; 0 = unbounded
  std::unique_ptr<MemoryShard[]> shards_;
  /// session_store_sessions{store="memory"}: read at scrape time from the shards' counts.
  MetricsRegistry::CallbackHandle sessions_gauge_;
  std::unique_ptr<detail::OwnerIndex> owners_;
  std::unique_ptr<detail::Pruner> pruner_;  // last: stopped and joined before the shards go
};

namespace stores {

/// A MemoryStore, made the way stores::sqlite(), redis() and postgres() make theirs.
std::shared_ptr<Store> memory(MemoryStoreOptions options = {});

}  // namespace stores
}  // namespace cortado
