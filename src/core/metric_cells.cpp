// The per-thread cells behind Counter, Gauge and Histogram.
//
// Every thread that counts has its own block of cells, addressed by slot. A thread writes only its
// own cells (a relaxed load and store: no lock, no read-modify-write bus lock), and a scrape sums
// the cells of every block. A block is made of fixed chunks that never move once made, so a scrape
// can read a chunk while its thread makes the next one. When a thread ends, its figures are folded
// into the `retired` block, so nothing counted is lost.

#include "cortado/core/metrics.hpp"

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace cortado::detail {
namespace {

constexpr std::size_t chunk_size = 1024;
constexpr std::size_t max_chunks = 1024;  // a million slots: far more than any set of label sets

struct Chunk {
  std::array<std::atomic<double>, chunk_size> cells{};
};

class Block {
 public:
  ~Block() {
    for (auto& chunk : chunks_) delete chunk.load(std::memory_order_relaxed);
  }
  /// The cell, its chunk made on first use (by the owning thread only).
  std::atomic<double>& cell(std::size_t slot) {
    std::size_t c = slot / chunk_size;
    if (c >= max_chunks) throw std::length_error("too many metric label sets");
    Chunk* chunk = chunks_[c].load(std::memory_order_acquire);
    if (!chunk) {
      chunk = new Chunk;  // owned by this block, deleted in its destructor
      chunks_[c].store(chunk, std::memory_order_release);
    }
    return chunk->cells[slot % chunk_size];
  }
  /// The cell's value, 0 when its chunk was never made (any thread).
  double read(std::size_t slot) const {
    const Chunk* chunk = chunks_[slot / chunk_size].load(std::memory_order_acquire);
    return chunk ? chunk->cells[slot % chunk_size].load(std::memory_order_relaxed) : 0.0;
  }
  /// Adds every cell of `other` to this block's (under the cells' lock).
  void absorb(const Block& other) {
    for (std::size_t c = 0; c < max_chunks; ++c) {
      const Chunk* from = other.chunks_[c].load(std::memory_order_acquire);
      if (!from) continue;
      for (std::size_t i = 0; i < chunk_size; ++i) {
        double v = from->cells[i].load(std::memory_order_relaxed);
        if (v == 0) continue;
        auto& to = cell(c * chunk_size + i);
        to.store(to.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
      }
    }
  }

 private:
  // Raw pointers in atomics: a chunk is published to readers with one release store.
  std::array<std::atomic<Chunk*>, max_chunks> chunks_{};
};

struct Blocks {
  std::mutex mutex;
  std::vector<Block*> live;
  Block retired;
};

// Never destroyed: threads may end (and fold their block in) after static destructors ran.
Blocks& blocks() {
  static Blocks* all = new Blocks;
  return *all;
}

// This thread's block: a plain pointer (no initialisation guard on the hot path), made and
// registered on first use. The folder, armed then, folds the block into `retired` when the thread
// ends; a count made after that (a connection closed during exit) gets a block that is never
// folded, so it is still summed.
thread_local Block* this_thread = nullptr;

struct Folder {
  bool armed = false;
  ~Folder() {
    if (!this_thread) return;
    auto& all = blocks();
    std::lock_guard lock(all.mutex);
    all.retired.absorb(*this_thread);
    std::erase(all.live, this_thread);
    delete this_thread;  // owned by this thread alone, and out of the list that scrapes read
    this_thread = nullptr;
  }
};
thread_local Folder folder;

Block& this_thread_block() {
  if (this_thread) return *this_thread;
  auto* made = new Block;
  {
    std::lock_guard lock(blocks().mutex);
    blocks().live.push_back(made);
  }
  this_thread = made;
  folder.armed = true;  // constructs the folder on this thread, so that its destructor runs
  return *made;
}

}  // namespace

void add_to_cell(std::size_t slot, double amount) {
  auto& cell = this_thread_block().cell(slot);
  cell.store(cell.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

double sum_of_cell(std::size_t slot) {
  auto& all = blocks();
  std::lock_guard lock(all.mutex);
  double total = all.retired.read(slot);
  for (const Block* b : all.live) total += b->read(slot);
  return total;
}

// Slots are handed out once per process and never reused, so a handle kept past its registry
// still writes to a cell of its own rather than to another metric's.
std::size_t allocate_slots(std::size_t count) {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(count);
}

}  // namespace cortado::detail
