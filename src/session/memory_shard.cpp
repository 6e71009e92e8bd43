// The memory store's storage: chained hashing with the chain and LRU links inside each entry.
#include "memory_shard.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>

namespace cortado {
namespace {

constexpr std::size_t initial_buckets = 8;
// Buckets swept per lock hold while pruning, so a big shard never stalls requests for long.
constexpr std::size_t prune_slice = 4096;

void free_lru_list(MemoryEntry* newest) {
  while (newest != nullptr) {
    MemoryEntry* next = newest->older;
    MemoryEntryDeleter{}(newest);
    newest = next;
  }
}

}  // namespace

void MemoryEntryDeleter::operator()(MemoryEntry* entry) const noexcept {
  if (entry->has_snapshot) std::destroy_at(entry->snapshot_slot());
  ::operator delete(entry);
}

MemoryEntryPtr make_memory_entry(std::string_view key, std::string_view text, std::int64_t expires_ms,
                                 detail::SnapshotPtr snapshot) {
  constexpr std::size_t max_size = std::numeric_limits<std::uint32_t>::max() >> 1;  // text_size's 31 bits
  if (key.size() > max_size || text.size() > max_size)
    throw std::length_error("session too large for the memory store");
  const std::size_t slot = snapshot ? sizeof(detail::SnapshotPtr) : 0;
  void* memory = ::operator new(sizeof(MemoryEntry) + slot + key.size() + text.size());
  auto* entry = new (memory) MemoryEntry{nullptr,
                                         nullptr,
                                         nullptr,
                                         expires_ms,
                                         static_cast<std::uint32_t>(key.size()),
                                         static_cast<std::uint32_t>(text.size()),
                                         snapshot ? 1u : 0u};
  if (snapshot) std::construct_at(entry->snapshot_slot(), std::move(snapshot));
  char* bytes = const_cast<char*>(entry->key().data());
  if (!key.empty()) std::memcpy(bytes, key.data(), key.size());
  if (!text.empty()) std::memcpy(bytes + key.size(), text.data(), text.size());
  return MemoryEntryPtr(entry);
}

std::size_t hash_sid(std::string_view sid) { return std::hash<std::string_view>{}(sid); }

MemoryShard::MemoryShard() : buckets_(initial_buckets, nullptr) {}

MemoryShard::~MemoryShard() { free_lru_list(newest_); }

MemoryEntry** MemoryShard::find_slot(std::string_view key, std::size_t hash) {
  MemoryEntry** slot = &buckets_[hash & (buckets_.size() - 1)];
  while (*slot != nullptr && (*slot)->key() != key) slot = &(*slot)->chain;
  return slot;
}

void MemoryShard::push_newest(MemoryEntry* entry) {
  entry->newer = nullptr;
  entry->older = newest_;
  if (newest_ != nullptr) newest_->newer = entry;
  newest_ = entry;
  if (oldest_ == nullptr) oldest_ = entry;
}

void MemoryShard::unlink_lru(MemoryEntry* entry) {
  (entry->newer != nullptr ? entry->newer->older : newest_) = entry->older;
  (entry->older != nullptr ? entry->older->newer : oldest_) = entry->newer;
}

void MemoryShard::erase(MemoryEntry** slot) {
  MemoryEntry* entry = *slot;
  *slot = entry->chain;
  unlink_lru(entry);
  --size_;
  MemoryEntryDeleter{}(entry);
}

void MemoryShard::replace(MemoryEntry** slot, MemoryEntry* fresh) {
  MemoryEntry* old = *slot;
  fresh->chain = old->chain;
  *slot = fresh;
  unlink_lru(old);
  push_newest(fresh);
  MemoryEntryDeleter{}(old);
}

void MemoryShard::grow() {
  std::vector<MemoryEntry*> bigger(buckets_.size() * 2, nullptr);
  const std::size_t mask = bigger.size() - 1;
  for (MemoryEntry* head : buckets_) {
    while (head != nullptr) {
      MemoryEntry* next = head->chain;
      // The hash is recomputed rather than kept in every entry: growing is rare, memory is not.
      MemoryEntry*& bucket = bigger[hash_sid(head->key()) & mask];
      head->chain = bucket;
      bucket = head;
      head = next;
    }
  }
  buckets_.swap(bigger);
}

bool MemoryShard::get(std::string_view key, std::size_t hash, std::int64_t now_ms, std::string& text,
                      detail::SnapshotPtr* snapshot) {
  std::lock_guard lock(mutex_);
  MemoryEntry** slot = find_slot(key, hash);
  MemoryEntry* entry = *slot;
  if (entry == nullptr) return false;
  if (entry->expires_ms <= now_ms) {
    erase(slot);
    return false;
  }
  unlink_lru(entry);
  push_newest(entry);
  text.assign(entry->text());
  if (snapshot) *snapshot = entry->snapshot();
  return true;
}

void MemoryShard::attach(std::string_view key, std::size_t hash, std::string_view expected, detail::SnapshotPtr snapshot) {
  std::lock_guard lock(mutex_);
  MemoryEntry** slot = find_slot(key, hash);
  if (*slot == nullptr || (*slot)->text() != expected) return;
  if ((*slot)->has_snapshot) {
    (*slot)->snapshot_slot()->swap(snapshot);  // the one replaced is freed after the lock, with `snapshot`
    return;
  }
  MemoryEntry* old = *slot;
  replace(slot, make_memory_entry(old->key(), old->text(), old->expires_ms, std::move(snapshot)).release());
}

void MemoryShard::set(MemoryEntryPtr entry, std::size_t hash, std::size_t bound) {
  std::lock_guard lock(mutex_);
  MemoryEntry** slot = find_slot(entry->key(), hash);
  if (*slot != nullptr) {
    replace(slot, entry.release());
    return;
  }
  MemoryEntry* fresh = entry.release();
  fresh->chain = nullptr;
  *slot = fresh;
  push_newest(fresh);
  ++size_;
  if (bound != 0 && size_ > bound) erase(find_slot(oldest_->key(), hash_sid(oldest_->key())));
  if (size_ > buckets_.size()) grow();
}

void MemoryShard::replace_if_unchanged(MemoryEntryPtr entry, std::size_t hash, std::string_view expected) {
  std::lock_guard lock(mutex_);
  MemoryEntry** slot = find_slot(entry->key(), hash);
  if (*slot == nullptr || (*slot)->text() != expected) return;
  replace(slot, entry.release());
}

void MemoryShard::destroy(std::string_view key, std::size_t hash) {
  std::lock_guard lock(mutex_);
  MemoryEntry** slot = find_slot(key, hash);
  if (*slot != nullptr) erase(slot);
}

template <class OnLive>
std::size_t MemoryShard::sweep(std::size_t begin, std::size_t end, std::int64_t now_ms, OnLive&& on_live) {
  std::size_t removed = 0;
  for (std::size_t b = begin; b < end; ++b) {
    MemoryEntry** slot = &buckets_[b];
    while (*slot != nullptr) {
      if ((*slot)->expires_ms <= now_ms) {
        erase(slot);
        ++removed;
      } else {
        on_live(**slot);
        slot = &(*slot)->chain;
      }
    }
  }
  return removed;
}

void MemoryShard::collect_live(std::int64_t now_ms, std::vector<std::pair<std::string, std::string>>& out) {
  std::lock_guard lock(mutex_);
  out.reserve(out.size() + size_);
  sweep(0, buckets_.size(), now_ms,
        [&](const MemoryEntry& e) { out.emplace_back(std::string(e.key()), std::string(e.text())); });
}

std::size_t MemoryShard::count_live(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  sweep(0, buckets_.size(), now_ms, [](const MemoryEntry&) {});
  return size_;
}

std::size_t MemoryShard::prune(std::int64_t now_ms) {
  std::size_t removed = 0;
  // A set may grow the table between slices; a bucket then seen twice or not at all only means
  // an expired entry waits for the next round, and get() never returns one anyway.
  for (std::size_t begin = 0;; begin += prune_slice) {
    std::lock_guard lock(mutex_);
    if (begin >= buckets_.size()) break;
    removed += sweep(begin, std::min(begin + prune_slice, buckets_.size()), now_ms, [](const MemoryEntry&) {});
  }
  return removed;
}

void MemoryShard::clear() {
  MemoryEntry* all = nullptr;
  {
    std::lock_guard lock(mutex_);
    all = newest_;
    newest_ = oldest_ = nullptr;
    size_ = 0;
    std::vector<MemoryEntry*>(initial_buckets, nullptr).swap(buckets_);
  }
  free_lru_list(all);
}

}  // namespace cortado
