#pragma once
// One lock's worth of MemoryStore: an intrusive hash table plus an LRU list over entries
// that each hold key, JSON text and expiry in a single allocation (memory per session is
// what limits a memory store, so no std::string or map node is spent per entry).

#include "cortado/session/session_snapshot.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cortado {

/// One stored session: this header, then the key's bytes, then the JSON text's bytes.
struct MemoryEntry {
  MemoryEntry* chain;       // next entry in the same bucket
  MemoryEntry* newer;       // toward the most recently used
  MemoryEntry* older;       // toward the least recently used
  std::int64_t expires_ms;  // ms since the epoch; INT64_MAX when it never expires
  std::uint32_t key_size;
  std::uint32_t text_size;
  /// The data parsed, once a request has read it without changing it (null until then, and
  /// again after each set); a touch, which changes the cookie only, keeps it.
  detail::SnapshotPtr snapshot;

  /// The session id.
  std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_size}; }
  /// The session's JSON text.
  std::string_view text() const { return {reinterpret_cast<const char*>(this + 1) + key_size, text_size}; }
};

/// Frees an entry made by make_memory_entry.
struct MemoryEntryDeleter {
  void operator()(MemoryEntry* entry) const noexcept;
};

/// An entry not yet in a shard.
using MemoryEntryPtr = std::unique_ptr<MemoryEntry, MemoryEntryDeleter>;

/// Allocates an entry holding copies of `key` and `text`; throws std::length_error past 4 GiB.
MemoryEntryPtr make_memory_entry(std::string_view key, std::string_view text, std::int64_t expires_ms);

/// The hash that picks both the shard (high bits) and the bucket (low bits).
std::size_t hash_sid(std::string_view sid);

/// A part of a MemoryStore under one mutex. Every method takes the lock itself; `hash` is hash_sid(key).
class MemoryShard {
 public:
  MemoryShard();
  ~MemoryShard();
  MemoryShard(const MemoryShard&) = delete;
  MemoryShard& operator=(const MemoryShard&) = delete;

  /// Copies the live entry's text into `text` (whose memory may be reused), and its snapshot into
  /// `snapshot` when given, and marks it as just used; false when absent, or expired (then it is removed).
  bool get(std::string_view key, std::size_t hash, std::int64_t now_ms, std::string& text,
           detail::SnapshotPtr* snapshot = nullptr);

  /// Gives the entry its snapshot if its text is still `expected` (the text the snapshot was made from).
  void attach(std::string_view key, std::size_t hash, std::string_view expected, detail::SnapshotPtr snapshot);

  /// Inserts or replaces; past `bound` entries (0 = unbounded) the least recently used goes.
  void set(MemoryEntryPtr entry, std::size_t hash, std::size_t bound);

  /// Replaces the entry only if its text is still `expected` (a touch lost to a concurrent set is
  /// fine). A touch changes the cookie only: the old entry's snapshot goes to the new one.
  void replace_if_unchanged(MemoryEntryPtr entry, std::size_t hash, std::string_view expected);

  /// Removes the entry if present.
  void destroy(std::string_view key, std::size_t hash);

  /// Appends (key, text) of every live entry to `out` and removes the expired ones.
  void collect_live(std::int64_t now_ms, std::vector<std::pair<std::string, std::string>>& out);

  /// Counts live entries, removing the expired ones.
  std::size_t count_live(std::int64_t now_ms);

  /// How many entries it holds, expired ones not pruned yet included (no sweep: for metrics).
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return size_;
  }

  /// Removes expired entries a slice of buckets at a time, letting other threads in between.
  std::size_t prune(std::int64_t now_ms);

  /// Removes everything (the freeing happens after the lock is released).
  void clear();

 private:
  MemoryEntry** find_slot(std::string_view key, std::size_t hash);
  void push_newest(MemoryEntry* entry);
  void unlink_lru(MemoryEntry* entry);
  void erase(MemoryEntry** slot);
  void replace(MemoryEntry** slot, MemoryEntry* fresh);
  void grow();
  template <class OnLive>
  std::size_t sweep(std::size_t begin, std::size_t end, std::int64_t now_ms, OnLive&& on_live);

  std::mutex mutex_;
  std::vector<MemoryEntry*> buckets_;  // size is a power of two
  std::size_t size_ = 0;
  MemoryEntry* newest_ = nullptr;
  MemoryEntry* oldest_ = nullptr;
};

}  // namespace cortado
