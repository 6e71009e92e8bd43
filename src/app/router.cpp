#include "cortado/app/router.hpp"

#include "app/access.hpp"
#include "app/chain.hpp"
#include "app/final_handler.hpp"
#include "cortado/app/request.hpp"
#include "cortado/app/response.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace cortado {

Router::Router(Options options) : stack_(std::make_shared<Stack>()) { stack_->options = options; }

Router::Options Router::routing_options() const { return stack_->options; }

Router& Router::route(std::string_view method, std::string_view path, std::vector<Middleware> handlers) {
  Options routing = routing_options();
  MatchOptions match{.whole_path = true, .case_sensitive = routing.case_sensitive, .strict = routing.strict};
  RoutePattern pattern(path, match);
  for (auto& h : handlers) stack_->layers.push_back({pattern, std::string(method), false, std::move(h)});
  return *this;
}

Route Router::route(std::string_view path) {
  RoutePattern(path, {});  // a malformed path throws now, as Express's app.route() does
  return Route(*this, std::string(path));
}

Router& Router::add_param(std::string name, ParamCallback callback) {
  if (name.empty()) throw std::invalid_argument("argument name is required");
  if (name.starts_with(':')) throw std::invalid_argument("router.param(\"" + name + "\", fn) is not supported, use \"" + name.substr(1) + "\"");
  stack_->params[std::move(name)].push_back(std::move(callback));
  return *this;
}

Router& Router::mount(std::string_view path, std::vector<Middleware> handlers) {
  MatchOptions match{.whole_path = false, .case_sensitive = routing_options().case_sensitive, .strict = false};
  RoutePattern pattern(path, match);
  for (auto& h : handlers) stack_->layers.push_back({pattern, {}, true, std::move(h)});
  return *this;
}

Task<> Router::operator()(Request& req, Response& res, Next next) const {
  // Keep the stack alive while the request walks it, even if the router handle goes away.
  auto stack = stack_;
  detail::Chain chain{.layers = stack->layers, .req = req, .res = res, .base_url = req.base_url(),
                      .path = req.path(), .out = next, .allowed = next.chain().allowed};
  if (!stack->params.empty()) chain.param_callbacks = &stack->params;
  if (stack->options.merge_params) chain.parent_params = req.params();
  co_await detail::run_chain(chain);
}

NextTask Next::operator()() const {
  step_->called = true;
  chain_->error = nullptr;  // next() from an error handler resumes normal handling, as in Express
  // A plain function's next() only marks the call (the walk goes on when it returns): no
  // coroutine frame for a task that nobody can await.
  if (step_->plain) return NextTask(Task<>());
  // The walk itself is the task; it marks the step awaited when it starts, which it does only
  // if the handler awaits it (a next() left unawaited lets the walk go on after the handler).
  chain_->resumed_from = step_;
  return NextTask(detail::run_chain(*chain_));
}

void Next::operator()(std::exception_ptr error) const {
  step_->called = true;
  chain_->error = std::move(error);
}

namespace detail {
namespace {

bool method_matches(std::string_view layer_method, std::string_view method) {
  return layer_method.empty() || layer_method == method || (method == "HEAD" && layer_method == "GET");
}

// The matched route's pattern and the mount patterns of the routers above it, outermost first.
// While a nested router runs, each enclosing walk's last layer entered is the mount it came in by.
Request::RouteTrail route_trail(const Chain& c, const Router::Layer& route) {
  std::array<const std::string*, 32> inner_first{};
  std::size_t n = 0;
  inner_first[n++] = &route.pattern.text();
  for (const Chain* walk = &c; walk->out && n < inner_first.size();) {
    walk = &walk->out->chain();
    if (walk->index == 0) break;
    inner_first[n++] = &walk->layers[walk->index - 1].pattern.text();
  }
  // Deeper than max_depth: the innermost patterns are kept, the route's own among them.
  std::size_t depth = std::min(n, Request::RouteTrail::max_depth);
  Request::RouteTrail trail;
  trail.depth = depth;
  for (std::size_t i = 0; i < depth; ++i) trail.patterns[i] = inner_first[depth - 1 - i];
  return trail;
}

void note_allowed(Chain& c, const std::string& method) {
  if (!c.allowed || method.empty()) return;
  c.allowed->push_back(method);
  if (method == "GET") c.allowed->push_back("HEAD");
}

/// router's mergeParams: the parent's params under the layer's own.
Params merged(const Params& parent, Params own) {
  Params out = parent;
  for (auto& [name, value] : own) out.set(name, value);
  return out;
}

enum class ParamsDone { go_on, answered };

const std::vector<Router::Layer> no_layers;

// Made outside the coroutine: GCC 12 mishandles braced initialisers inside one.
Chain param_chain(Request& req, Response& res) {
  return Chain{.layers = no_layers, .req = req, .res = res, .param_only = true};
}

/// router's process_params: the app.param callbacks of the layer's params, in path order, each
/// name once per value per walk. Sets c.error when one fails (or failed before).
Task<ParamsDone> process_params(Chain& c, const Params& own) {
  for (const auto& [name, value] : own) {
    auto callbacks = c.param_callbacks->find(name);
    if (callbacks == c.param_callbacks->end()) continue;
    auto called = c.params_called.find(name);
    if (called != c.params_called.end() && (called->second.first == value || called->second.second)) {
      if (called->second.second) {
        c.error = called->second.second;
        co_return ParamsDone::go_on;
      }
      continue;
    }
    auto& record = c.params_called[name];
    record.first = value;
    record.second = nullptr;
    for (const auto& callback : callbacks->second) {
      Chain inner = param_chain(c.req, c.res);
      Step step{.plain = static_cast<bool>(callback.sync)};
      Next next(inner, step);
      try {
        if (callback.sync)
          callback.sync(c.req, c.res, next, value);
        else
          co_await callback.async(c.req, c.res, next, value);
      } catch (...) {
        inner.error = std::current_exception();
        step.called = true;
      }
      if (!step.called) co_return ParamsDone::answered;
      if (inner.error) {
        record.second = inner.error;
        c.error = inner.error;
        co_return ParamsDone::go_on;
      }
    }
  }
  co_return ParamsDone::go_on;
}

}  // namespace

Task<> run_chain(Chain& c) {
  if (Step* from = std::exchange(c.resumed_from, nullptr)) from->awaited = true;
  if (c.param_only) co_return;  // a param callback's co_await next(): the route runs after it returns
  while (c.index < c.layers.size()) {
    std::size_t at = c.index++;
    const Router::Layer& layer = c.layers[at];
    if (layer.middleware.handles_errors != static_cast<bool>(c.error)) continue;
    std::optional<RoutePattern::Match> match;
    try {
      match = layer.pattern.match(c.path);
    } catch (...) {
      c.error = std::current_exception();  // a param that cannot be decoded: 400
      continue;
    }
    if (!match) continue;
    if (!method_matches(layer.method, c.req.method())) {
      if (c.req.method() == "OPTIONS") note_allowed(c, layer.method);
      continue;
    }
    if (layer.is_mount) {
      std::string rest = c.path.substr(match->length);
      if (rest.empty() || rest.front() != '/') rest.insert(rest.begin(), '/');
      AppAccess::set_mount(c.req, c.base_url + c.path.substr(0, match->length), std::move(rest));
    } else {
      AppAccess::set_mount(c.req, c.base_url, c.path);
      AppAccess::set_route(c.req, route_trail(c, layer));
    }
    std::optional<Params> own;
    if (c.param_callbacks && !c.error && !match->params.empty()) own = match->params;
    AppAccess::params(c.req) = c.parent_params ? merged(*c.parent_params, std::move(match->params))
                                               : std::move(match->params);
    if (own) {
      // The callbacks of the layer's own params (not the merged ones), as in Express; they see req.params.
      auto done = co_await process_params(c, *own);
      if (done == ParamsDone::answered) co_return;
      if (c.error) continue;  // the error handlers after this layer
    }
    // Nothing has reached the client yet, so an error handler may answer afresh.
    if (c.error && c.res.finished()) c.res.reset();

    Step step{.plain = static_cast<bool>(layer.middleware.sync)};
    Next next(c, step);
    try {
      if (step.plain)
        layer.middleware.sync(c.error, c.req, c.res, next);
      else
        co_await layer.middleware.async(c.error, c.req, c.res, next);
    } catch (...) {
      // Thrown errors go to the error handlers after the one that threw, as next(err) would.
      c.error = std::current_exception();
      c.index = at + 1;
      c.resumed_from = nullptr;
      continue;
    }
    c.resumed_from = nullptr;  // a next() the handler left unawaited: `step` ends here
    if (step.awaited || !step.called) co_return;  // the rest ran inside the handler, or it answered
  }
  if (c.out) {
    if (c.error)
      (*c.out)(c.error);
    else
      co_await (*c.out)();
    co_return;
  }
  finish_unhandled(c);
}

}  // namespace detail
}  // namespace cortado
