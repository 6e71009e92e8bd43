#pragma once
// What an App keeps for its views: the engines by extension, app.locals, and the view cache
// (Express's app.cache: the file found for each view name).

#include "cortado/app/app.hpp"

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cortado {

struct App::ViewState {
  std::map<std::string, ViewEngine, std::less<>> engines;  // by ".ext"
  json::object locals;
  // Requests render on every I/O thread; the cache is the one thing they write.
  mutable std::mutex mutex;
  mutable std::unordered_map<std::string, std::string> found;
};

}  // namespace cortado
