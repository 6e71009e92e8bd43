#pragma once
// SqliteWrite: one statement that changes the sessions table, as the store's writer queues it.

#include <cstdint>
#include <string>

namespace cortado::stores {

/// What a write does; each is one statement of SqliteConnection.
enum class SqliteWriteKind : std::uint8_t { set, touch, destroy, clear, prune, set_owner, destroy_owned };

/// The name errors give a write ("set", "touch", ...), as the statements are named.
constexpr const char* write_name(SqliteWriteKind kind) {
  switch (kind) {
    case SqliteWriteKind::set: return "set";
    case SqliteWriteKind::touch: return "touch";
    case SqliteWriteKind::destroy: return "destroy";
    case SqliteWriteKind::clear: return "clear";
    case SqliteWriteKind::prune: return "prune";
    case SqliteWriteKind::set_owner: return "set_owner";
    case SqliteWriteKind::destroy_owned: return "destroy_all";
  }
  return "write";
}

/// One write with its arguments; the fields a kind does not use stay empty.
struct SqliteWrite {
  SqliteWriteKind kind;
  /// The session's id (set, touch, destroy, set_owner); for destroy_owned, the one kept ("" none).
  std::string sid = {};
  /// The row's new `expired`, epoch ms (set, touch).
  std::int64_t expired_ms = 0;
  /// The session's JSON text (set).
  std::string sess = {};
  /// The owner (set_owner, destroy_owned).
  std::string owner = {};
};

}  // namespace cortado::stores
