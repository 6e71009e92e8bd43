// The store suite against MemoryStore, the reference every other store is held to.
#include "cortado/session/memory_store.hpp"

#include "stores/store_suite.hpp"

namespace cortado {
namespace {

struct MemoryStoreFactory {
  static std::shared_ptr<Store> make() { return stores::memory(); }
};
INSTANTIATE_STORE_SUITE(Memory, MemoryStoreFactory);

// A single shard and a bound big enough for every test: the locking and the bookkeeping change, the behaviour must not.
struct OneShardMemoryStoreFactory {
  static std::shared_ptr<Store> make() {
    return std::make_shared<MemoryStore>(MemoryStoreOptions{.max_entries = 100'000, .shards = 1});
  }
};
INSTANTIATE_STORE_SUITE(MemoryOneShard, OneShardMemoryStoreFactory);

}  // namespace
}  // namespace cortado
