#pragma once
// The state of one request's walk through one router's stack.

#include "cortado/app/handler.hpp"
#include "app/route_pattern.hpp"
#include "cortado/app/router.hpp"

#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cortado {

struct Router::Layer {
  RoutePattern pattern;
  std::string method;  // "" for middleware and all()
  bool is_mount = false;
  Middleware middleware;
};

struct Router::Stack {
  Options options;
  std::vector<Layer> layers;
  std::map<std::string, std::vector<ParamCallback>, std::less<>> params;
};

namespace detail {

/// One router's walk. `out` continues in the enclosing router; the app's chain has none and
/// ends in the final handler (404 or the error page).
struct Chain {
  const std::vector<Router::Layer>& layers;
  Request& req;
  Response& res;
  std::size_t index = 0;
  std::exception_ptr error = nullptr;
  std::string base_url = {};  // req.base_url() when this router was entered
  std::string path = {};      // req.path() when this router was entered
  std::optional<Next> out = std::nullopt;
  /// Methods of routes whose path matched, for the automatic OPTIONS answer.
  std::vector<std::string>* allowed = nullptr;
  /// This router's app.param callbacks, and what they did in this walk: by name, the value they
  /// ran for and the error they ended with.
  const std::map<std::string, std::vector<ParamCallback>, std::less<>>* param_callbacks = nullptr;
  std::map<std::string, std::pair<std::string, std::exception_ptr>, std::less<>> params_called = {};
  /// With merge_params: the params of the path the router is mounted at.
  std::optional<Params> parent_params = std::nullopt;
  /// The walk a param callback's next() belongs to: it only marks the call, never runs a layer.
  bool param_only = false;
  /// The step whose next() made the task that continues this walk: marked awaited when the
  /// walk starts again, that is when the handler awaits the task.
  Step* resumed_from = nullptr;
};

/// One handler call: whether it called next(), and whether it awaited the rest of the chain.
struct Step {
  bool called = false;
  bool awaited = false;
  /// The handler is a plain function: its next() cannot be awaited.
  bool plain = false;
};

/// Walks the chain from its current index.
Task<> run_chain(Chain& chain);

}  // namespace detail
}  // namespace cortado
