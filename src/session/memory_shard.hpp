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

/// One stored session: this header, then its snapshot's pointer if it has one, then the key's
/// bytes, then the JSON text's bytes. The snapshot (its data parsed, once a request has read it
/// without changing it) takes its place only in the entries that have one: most sessions are
/// never read again, and eight bytes more on each took a million of them 16 bytes per session
/// further in malloc's steps (bench/run mem).
struct MemoryEntry {
  MemoryEntry* chain;       // next entry in the same bucket
  MemoryEntry* newer;       // toward the most recently used
  MemoryEntry* older;       // toward the least recently used
  std::int64_t expires_ms;  // ms since the epoch; INT64_MAX when it never expires
  std::uint32_t key_size;
  std::uint32_t text_size : 31;
  std::uint32_t has_snapshot : 1;

  /// The session id.
  std::string_view key() const { return {bytes(), key_size}; }
  /// The session's JSON text.
  std::string_view text() const { return {bytes() + key_size, text_size}; }
  /// The parsed data kept with the text, or null.
  detail::SnapshotPtr snapshot() const { return has_snapshot ? *snapshot_slot() : detail::SnapshotPtr(); }
  /// Where the snapshot's pointer lies (has_snapshot only).
  detail::SnapshotPtr* snapshot_slot() const {
    return reinterpret_cast<detail::SnapshotPtr*>(const_cast<MemoryEntry*>(this + 1));
  }

 private:
  const char* bytes() const {
    return reinterpret_cast<const char*>(this + 1) + (has_snapshot ? sizeof(detail::SnapshotPtr) : 0);
  }
};

/// Frees an entry made by make_memory_entry.
struct MemoryEntryDeleter {
  void operator()(MemoryEntry* entry) const noexcept;
};

/// An entry not yet in a shard.
using MemoryEntryPtr = std::unique_ptr<MemoryEntry, MemoryEntryDeleter>;

/// Allocates an entry holding copies of `key` and `text`, and `snapshot` when there is one;
/// throws std::length_error past 2 GiB.
MemoryEntryPtr make_memory_entry(std::string_view key, std::string_view text, std::int64_t expires_ms,
                                 detail::SnapshotPtr snapshot = {});

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

  /// Gives the entry its snapshot if its text is still `expected` (the text the snapshot was made
  /// from); an entry without one is made anew with room for it.
  void attach(std::string_view key, std::size_t hash, std::string_view expected, detail::SnapshotPtr snapshot);

  /// Inserts or replaces; past `bound` entries (0 = unbounded) the least recently used goes.
  void set(MemoryEntryPtr entry, std::size_t hash, std::size_t bound);

  /// Replaces the entry only if its text is still `expected` (a touch lost to a concurrent set is
  /// fine). A touch changes the cookie only: make the new entry with the snapshot get() gave
  /// with `expected`.
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
