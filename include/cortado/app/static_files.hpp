#pragma once
/// serve_static: files from a folder (Express's express.static).

#include "cortado/app/handler.hpp"
#include "cortado/app/response.hpp"

#include <string>

namespace cortado {

/// Options of serve_static(), serve-static's defaults.
struct StaticOptions {
  SendFileOptions file{};
  /// Serve "index.html" for a directory.
  std::string index = "index.html";
  /// A directory requested without its trailing '/' gets a 301 to the '/' form.
  bool redirect = true;
  /// Unknown paths go on to the next handler (false: 404 here).
  bool fall_through = true;
};

/// Middleware serving files under `root` for GET and HEAD, never outside it.
Middleware serve_static(std::string root, StaticOptions options = {});

}  // namespace cortado
