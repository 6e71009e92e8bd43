#pragma once
/// A user's sessions: list them, log them out everywhere, through the session middleware's store.

#include "cortado/core/json.hpp"
#include "cortado/core/task.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace cortado {

class Request;

/// Every live session bound to `owner` (Session::set_owner) in the store of the session
/// middleware that handles `req`: id and stored data ("cookie" included). Throws std::logic_error
/// without the session middleware, or when its store keeps no owner index.
Task<std::vector<std::pair<std::string, json::object>>> sessions_of(Request& req, std::string owner);

/// Logs `owner` out everywhere: destroys every session bound to it, except `req`'s own when
/// keep_current (log out the other devices; on login, one session per user). Says how many went.
Task<std::size_t> destroy_all(Request& req, std::string owner, bool keep_current = true);

}  // namespace cortado
