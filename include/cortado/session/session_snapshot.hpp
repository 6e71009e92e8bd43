#pragma once
/// SessionSnapshot: a session's data as the memory store last parsed it, shared read-only by the
/// requests that load it until one of them changes it (Session copies it then: copy on write).

#include "cortado/core/json.hpp"

#include <boost/json/object.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

#include <string>

namespace cortado::detail {

/// Immutable once made; shared between threads (its count is atomic, its object only read).
struct SessionSnapshot : boost::intrusive_ref_counter<SessionSnapshot, boost::thread_safe_counter> {
  /// The data: the stored object without "cookie" and the keys express-session reserves, on
  /// the default heap (it outlives the request that made it).
  json::object data;
  /// stringify(data): the text that tells whether a request modified the data.
  std::string text;
};

/// One pointer wide: the memory store keeps one in every entry, next to the text.
using SnapshotPtr = boost::intrusive_ptr<const SessionSnapshot>;

}  // namespace cortado::detail
