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
  /// Serve "name.br" or "name.gz" beside "name" when the client accepts that encoding, with its
  /// own Content-Length and ETag, and Vary: Accept-Encoding. A Range then counts the encoded bytes
  /// (the representation sent, RFC 9110 14.1).
  bool precompressed = false;
};

/// Middleware serving files under `root` for GET and HEAD, never outside it.
Middleware serve_static(std::string root, StaticOptions options);
/// The same with serve-static's defaults. (An overload rather than `= {}`: GCC 12 warns of a
/// possibly uninitialized member at every call site of a defaulted aggregate argument.)
Middleware serve_static(std::string root);

}  // namespace cortado
