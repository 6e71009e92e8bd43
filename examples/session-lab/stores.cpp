#include "stores.hpp"

#include <cortado/session/memory_store.hpp>
#include <cortado/stores/postgres.hpp>
#include <cortado/stores/redis.hpp>
#include <cortado/stores/sqlite.hpp>

#include <stdexcept>

std::shared_ptr<cortado::Store> open_lab_store(const std::string& spec,
                                               std::optional<std::chrono::milliseconds> prune_interval) {
  if (spec == "memory") {
    cortado::MemoryStoreOptions options;
    if (prune_interval) options.prune_interval = *prune_interval;
    return cortado::stores::memory(options);
  }
  if (spec.starts_with("sqlite:")) {
    cortado::stores::SqliteOptions options;
    if (prune_interval) options.prune_interval = *prune_interval;
    return cortado::stores::sqlite(spec.substr(std::string_view("sqlite:").size()), options);
  }
  if (spec.starts_with("redis://")) return cortado::stores::redis(spec);  // prefix and ttl come in the URL's query
  // Redis Cluster (seed nodes) and Sentinel (the sentinels, then the master's name): the same store.
  if (spec.starts_with("redis-cluster://") || spec.starts_with("redis-sentinel://")) return cortado::stores::redis(spec);
  if (spec.starts_with("postgres://") || spec.starts_with("postgresql://")) {
    // libpq reads the URL itself; the lab makes connect-pg-simple's table in a fresh database.
    return cortado::stores::postgres(spec, {.create_table_if_missing = true});
  }
  throw std::invalid_argument("unsupported store '" + spec + "' (expected memory, sqlite:PATH, redis://..., redis-cluster://..., redis-sentinel://..., postgres://...)");
}
