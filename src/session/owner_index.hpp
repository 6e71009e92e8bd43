#pragma once
// OwnerIndex: which sessions each owner has, for stores that keep sessions in this process.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cortado::detail {

/// owner → session ids and session id → owner, under one lock. Only logins, logouts and the
/// owner calls take it: a session's ordinary reads and writes never do.
class OwnerIndex {
 public:
  /// Binds `sid` to `owner`, leaving its earlier owner's set.
  void bind(const std::string& sid, const std::string& owner);
  /// Forgets `sid`'s binding, if any.
  void unbind(const std::string& sid);
  /// The owner `sid` is bound to.
  std::optional<std::string> owner_of(const std::string& sid) const;
  /// The ids bound to `owner` (a copy: the caller reads the sessions without the lock).
  std::vector<std::string> ids_of(const std::string& owner) const;
  /// Forgets every binding.
  void clear();
  /// Keeps only the bindings whose session `alive` says still exists.
  void retain(const std::function<bool(const std::string& sid)>& alive);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_set<std::string>> by_owner_;
  std::unordered_map<std::string, std::string> owner_by_id_;
  void unbind_locked(const std::string& sid);
};

}  // namespace cortado::detail
