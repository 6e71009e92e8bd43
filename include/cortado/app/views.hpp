#pragma once
/// Views: the engines res.render() and app.render() use (app.engine), and the built-in Mustache one.

#include "cortado/core/json.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cortado {

/// An engine as app.engine() takes it: renders the file at `path` with `options` (app.locals,
/// res.locals and the render call's locals merged, plus "settings" as Express passes them),
/// returns the text; throws when it cannot (the error reaches the app's error handlers).
using ViewEngine = std::function<std::string(const std::string& path, const json::object& options)>;

/// A view that cannot be found or rendered. No status of its own: a 500, as in Express.
class ViewError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The built-in engine for ".mustache" (mustache-express 1.3 with mustache.js 4.2): partials
/// {{> name}} are the files name + extension in the views folder, loaded before rendering (a
/// missing one is an error even in a section that does not render); with the `layout` setting,
/// the page is rendered into that view as {{{yield}}}. With `view cache` on, files are read and
/// parsed once.
ViewEngine mustache_engine();

/// Express's View lookup: `name` (+ `ext` when it has no extension) in each of `roots` in order,
/// then name/index + ext; "" when no file is found.
std::string lookup_view(std::string_view name, const std::vector<std::string>& roots, std::string_view ext);

}  // namespace cortado
