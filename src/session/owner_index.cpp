#include "session/owner_index.hpp"

namespace cortado::detail {

void OwnerIndex::bind(const std::string& sid, const std::string& owner) {
  const std::lock_guard lock(mutex_);
  unbind_locked(sid);
  by_owner_[owner].insert(sid);
  owner_by_id_[sid] = owner;
}

void OwnerIndex::unbind(const std::string& sid) {
  const std::lock_guard lock(mutex_);
  unbind_locked(sid);
}

void OwnerIndex::unbind_locked(const std::string& sid) {
  const auto found = owner_by_id_.find(sid);
  if (found == owner_by_id_.end()) return;
  const auto set = by_owner_.find(found->second);
  if (set != by_owner_.end()) {
    set->second.erase(sid);
    if (set->second.empty()) by_owner_.erase(set);  // no owner outlives its last session
  }
  owner_by_id_.erase(found);
}

std::optional<std::string> OwnerIndex::owner_of(const std::string& sid) const {
  const std::lock_guard lock(mutex_);
  const auto found = owner_by_id_.find(sid);
  if (found == owner_by_id_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> OwnerIndex::ids_of(const std::string& owner) const {
  const std::lock_guard lock(mutex_);
  const auto found = by_owner_.find(owner);
  if (found == by_owner_.end()) return {};
  return {found->second.begin(), found->second.end()};
}

void OwnerIndex::clear() {
  const std::lock_guard lock(mutex_);
  by_owner_.clear();
  owner_by_id_.clear();
}

void OwnerIndex::retain(const std::function<bool(const std::string& sid)>& alive) {
  std::vector<std::string> ids;
  {
    const std::lock_guard lock(mutex_);
    ids.reserve(owner_by_id_.size());
    for (const auto& [sid, owner] : owner_by_id_) ids.push_back(sid);
  }
  // Checked without the lock (alive() takes a shard's); a session bound again meanwhile is
  // alive, so unbinding the dead ones afterwards loses nothing.
  for (const auto& sid : ids)
    if (!alive(sid)) unbind(sid);
}

}  // namespace cortado::detail
