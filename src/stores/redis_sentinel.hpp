#pragma once
// redis_sentinel: the router that finds the master through Redis Sentinel and follows a failover.

#include "redis_router.hpp"

#include <memory>

namespace cortado::stores {

/// The router to the master that the sentinels `target.nodes` know as `target.master_name`; asks
/// them now (blocking) and again when the master's connection is lost or it answers READONLY
/// (it was demoted), so a failover is followed without a restart.
std::unique_ptr<RedisRouter> make_sentinel_router(RedisTarget target);

}  // namespace cortado::stores
